/**
 * listOffsets: the earliest, latest or by-time offset of partitions. Each partition is asked of its
 * leader; partitions are grouped into one ListOffsets request per leader, sent in parallel.
 */
import type { Cluster } from '../cluster/cluster.js';
import { ListOffsets, OffsetSpec as SpecialTimestamp } from '../protocol/apis/list-offsets.js';
import { KafkaError, kafkaError, kafkaErrorOf } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import type { OffsetQuery, OffsetSpec } from './requests.js';
import { retryUnlessUnknownTopic, settleEntities, type EntityOutcome } from './settle-entities.js';


/** The offset found for one partition. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  /**
   * For `earliest`: the log start offset. For `latest`: the offset the next record will get (the high
   * watermark, or the last stable offset under read_committed). For a timestamp: the first offset whose
   * record timestamp is ≥ it, or -1 when no record is that recent.
   */
  offset: number;
  /** The found record's timestamp for a by-time query; -1 otherwise. */
  timestamp: number;
  /** Leader epoch of the found offset, -1 when unknown. */
  leaderEpoch: number;
}

function timestampOf(spec: OffsetSpec): bigint {
  if (spec === 'earliest') return SpecialTimestamp.EARLIEST;
  if (spec === 'latest') return SpecialTimestamp.LATEST;
  return BigInt(spec);
}

/** Looks up offsets; throws one AdminOperationError naming every partition that failed. */
export async function listOffsets(
  cluster: Cluster,
  queries: OffsetQuery[],
  options: { isolationLevel: number; timeoutMs: number },
): Promise<PartitionOffset[]> {
  const settled = await settleEntities<OffsetQuery, PartitionOffset>(cluster, {
    operation: 'listOffsets',
    keys: queries,
    nameOf: (q) => `${q.topic}/${q.partition}`,
    // An unknown topic or partition in fresh metadata is an answer, not a transient state.
    shouldRetry: retryUnlessUnknownTopic,
    send: (pending) => sendGrouped(cluster, pending, options),
    topics: [...new Set(queries.map((q) => q.topic))],
  });
  return [...settled.values()];
}

async function sendGrouped(
  cluster: Cluster,
  pending: OffsetQuery[],
  options: { isolationLevel: number; timeoutMs: number },
): Promise<EntityOutcome<OffsetQuery, PartitionOffset>[]> {
  const outcomes: EntityOutcome<OffsetQuery, PartitionOffset>[] = [];
  const byLeader = new Map<number, OffsetQuery[]>();
  for (const q of pending) {
    try {
      const leader = await cluster.leaderFor(q.topic, q.partition);
      const group = byLeader.get(leader) ?? [];
      group.push(q);
      byLeader.set(leader, group);
    } catch (err) {
      outcomes.push({ key: q, error: asStageError(err, q) });
    }
  }
  const answers = await Promise.all([...byLeader].map(([leader, group]) => askLeader(cluster, leader, group, options)));
  for (const a of answers) outcomes.push(...a);
  return outcomes;
}

/** One ListOffsets request to one leader; a failed request fails each of its partitions (transiently or not, as the error says). */
async function askLeader(
  cluster: Cluster,
  leader: number,
  group: OffsetQuery[],
  options: { isolationLevel: number; timeoutMs: number },
): Promise<EntityOutcome<OffsetQuery, PartitionOffset>[]> {
  const topics = new Map<string, OffsetQuery[]>();
  for (const q of group) topics.set(q.topic, [...(topics.get(q.topic) ?? []), q]);
  let response;
  try {
    response = await cluster.request(leader, ListOffsets, () => ({
      replicaId: -1,
      isolationLevel: options.isolationLevel,
      topics: [...topics].map(([name, qs]) => ({
        name,
        partitions: qs.map((q) => ({
          partitionIndex: q.partition,
          currentLeaderEpoch: -1,
          timestamp: timestampOf(q.spec),
        })),
      })),
      timeoutMs: options.timeoutMs,
    }));
  } catch (err) {
    return group.map((q) => ({ key: q, error: asStageError(err, q) }));
  }
  const outcomes: EntityOutcome<OffsetQuery, PartitionOffset>[] = [];
  for (const t of response.topics) {
    const asked = topics.get(t.name) ?? [];
    for (const p of t.partitions) {
      const q = asked.find((x) => x.partition === p.partitionIndex);
      if (!q) continue;
      const error = kafkaError(p.errorCode, { topic: t.name, partition: p.partitionIndex, api: 'ListOffsets', broker: leader });
      if (error) {
        outcomes.push({ key: q, error });
        continue;
      }
      outcomes.push({
        key: q,
        value: {
          topic: t.name,
          partition: p.partitionIndex,
          offset: Number(p.offset),
          timestamp: Number(p.timestamp),
          leaderEpoch: p.leaderEpoch,
        },
      });
    }
  }
  return outcomes;
}

function asStageError(err: unknown, q: OffsetQuery): KafkaStageError {
  // Errors from the metadata lookup name the topic only; say which partition and operation it was.
  if (err instanceof KafkaError && err.context.partition === undefined) {
    return kafkaErrorOf(err.errorCode, { ...err.context, topic: q.topic, partition: q.partition, api: 'ListOffsets' }, {
      brokerMessage: err.brokerMessage,
      cause: err,
    });
  }
  if (err instanceof KafkaStageError) return err;
  return new KafkaStageError('ERR_KAFKA', err instanceof Error ? err.message : String(err), {
    cause: err,
    context: { topic: q.topic, partition: q.partition, api: 'ListOffsets' },
  });
}
