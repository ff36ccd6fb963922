/**
 * Where consumption of a partition starts: its committed offset, or else the reset policy
 * (`autoOffsetReset`, Java `auto.offset.reset`) applied through ListOffsets — earliest (-2) or
 * latest (-1), one request per leader. Under `none` a missing offset is a typed error, never a guess,
 * and a transient error never resets a position. The same policy answers OFFSET_OUT_OF_RANGE from a Fetch.
 */
import type { Cluster } from '../cluster/cluster.js';
import { isRetriable } from '../cluster/retry.js';
import { IsolationLevel } from '../protocol/apis/fetch.js';
import { ListOffsets, OffsetSpec } from '../protocol/apis/list-offsets.js';
import { KafkaError, kafkaError } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import { NoOffsetError } from './errors.js';
import { tpKey, type TopicPartition } from './contracts.js';
import { OffsetOutOfRangeError } from './fetch-errors.js';
import type { AutoOffsetReset } from './options.js';
import { ErrorCode } from '../protocol/error-codes.js';


/** Options of the offset look-ups. */
export interface OffsetLookupOptions {
  /** Under `read_committed`, "latest" is the last stable offset. Default `read_uncommitted`. */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Cuts the retries short. */
  signal?: AbortSignal;
}

/**
 * The offset each partition starts from, by `topic:partition`: the committed one where `committed`
 * holds one (≥ 0), else the earliest or latest offset per `policy`.
 *
 * @throws NoOffsetError naming every partition without a committed offset, under policy `none`
 * @throws KafkaError / RetriesExhaustedError when ListOffsets fails for good
 */
export async function resolveStartOffsets(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  committed: ReadonlyMap<string, number | null>,
  policy: AutoOffsetReset,
  options: OffsetLookupOptions = {},
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const missing: TopicPartition[] = [];
  for (const tp of partitions) {
    const offset = committed.get(tpKey(tp.topic, tp.partition)) ?? null;
    // OffsetFetch answers -1 for "nothing committed".
    if (offset !== null && offset >= 0) out.set(tpKey(tp.topic, tp.partition), offset);
    else missing.push(tp);
  }
  if (missing.length === 0) return out;
  if (policy === 'none') throw new NoOffsetError(missing);
  const found = await listOffsets(cluster, missing, policy, options);
  for (const [key, offset] of found) out.set(key, offset);
  return out;
}

/**
 * Where to resume after OFFSET_OUT_OF_RANGE: `earliest` → the log start offset, `latest` → the high
 * watermark (the last stable offset under read_committed), taken from the Fetch answer when it
 * carried them, else asked of the leader (brokers usually send -1 with this error).
 *
 * @throws OffsetOutOfRangeError under policy `none`: the consumer does not jump by itself
 */
export async function resetOutOfRange(
  cluster: Cluster,
  tp: TopicPartition,
  info: { offset: number; logStartOffset: number; highWatermark: number; broker?: number },
  policy: AutoOffsetReset,
  options: OffsetLookupOptions = {},
): Promise<number> {
  if (policy === 'none') throw new OffsetOutOfRangeError(tp.topic, tp.partition, info.offset, info);
  const readCommitted = options.isolationLevel === 'read_committed';
  if (policy === 'earliest' && info.logStartOffset >= 0) return info.logStartOffset;
  // The high watermark is "latest" only under read_uncommitted; read_committed needs the last stable offset.
  if (policy === 'latest' && info.highWatermark >= 0 && !readCommitted) return info.highWatermark;
  const found = await listOffsets(cluster, [tp], policy, options);
  return found.get(tpKey(tp.topic, tp.partition)) as number;
}

/**
 * The earliest or latest offset of each partition, by `topic:partition`: one ListOffsets per leader,
 * sent in parallel; partitions that fail retriably (moved leader, not yet available) are asked
 * again, after a metadata refresh, with the cluster's retry policy.
 */
export async function listOffsets(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  spec: 'earliest' | 'latest',
  options: OffsetLookupOptions = {},
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let pending = [...partitions];
  const topics = [...new Set(partitions.map((p) => p.topic))];
  await cluster.withRetry(
    `ListOffsets (${spec})`,
    async (attempt) => {
      const byLeader = new Map<number, TopicPartition[]>();
      for (const tp of pending) {
        const leader = await cluster.leaderFor(tp.topic, tp.partition).catch((err: unknown) => {
          // Still unknown after a metadata refresh: an answer, not a transient state.
          if (attempt > 1 && err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw new KafkaStageError('ERR_METADATA', `${tp.topic}/${tp.partition} does not exist`, {
              context: { topic: tp.topic, partition: tp.partition, api: 'ListOffsets' },
              cause: err,
            });
          }
          throw err;
        });
        const group = byLeader.get(leader);
        if (group) group.push(tp);
        else byLeader.set(leader, [tp]);
      }
      const answers = await Promise.allSettled([...byLeader].map(([leader, group]) => askLeader(cluster, leader, group, spec, options)));
      const errors: unknown[] = [];
      for (const answer of answers) {
        if (answer.status === 'rejected') {
          errors.push(answer.reason);
          continue;
        }
        for (const [key, offset] of answer.value.found) out.set(key, offset);
        for (const f of answer.value.failed) errors.push(f.error);
      }
      pending = pending.filter((tp) => !out.has(tpKey(tp.topic, tp.partition)));
      if (pending.length === 0) return;
      // A non-retriable error ends the look-up (withRetry rethrows it); a retriable one asks again for what is left.
      throw (
        errors.find((e) => !isRetriable(e)) ??
        errors[0] ??
        new KafkaStageError('ERR_PROTOCOL', `ListOffsets answers did not mention ${pending.length} partition(s)`, {
          context: { topic: pending[0]?.topic, partition: pending[0]?.partition, api: 'ListOffsets' },
          retriable: true,
        })
      );
    },
    topics,
    options.signal,
  );
  return out;
}

interface LeaderAnswer {
  found: Map<string, number>;
  failed: { tp: TopicPartition; error: Error }[];
}

async function askLeader(
  cluster: Cluster,
  leader: number,
  group: readonly TopicPartition[],
  spec: 'earliest' | 'latest',
  options: OffsetLookupOptions,
): Promise<LeaderAnswer> {
  const byTopic = new Map<string, number[]>();
  for (const tp of group) {
    const list = byTopic.get(tp.topic);
    if (list) list.push(tp.partition);
    else byTopic.set(tp.topic, [tp.partition]);
  }
  const timestamp = spec === 'earliest' ? OffsetSpec.EARLIEST : OffsetSpec.LATEST;
  const response = await cluster.request(
    leader,
    ListOffsets,
    () => ({
      replicaId: -1,
      isolationLevel: options.isolationLevel === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED,
      topics: [...byTopic].map(([name, indexes]) => ({
        name,
        partitions: indexes.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })),
      })),
      timeoutMs: cluster.options.requestTimeoutMs,
    }),
    { signal: options.signal },
  );
  const found = new Map<string, number>();
  const failed: LeaderAnswer['failed'] = [];
  for (const t of response.topics) {
    for (const p of t.partitions) {
      const tp = { topic: t.name, partition: p.partitionIndex };
      const error = kafkaError(p.errorCode, { ...tp, api: 'ListOffsets', broker: leader });
      if (error) failed.push({ tp, error });
      else found.set(tpKey(tp.topic, tp.partition), Number(p.offset));
    }
  }
  return { found, failed };
}
