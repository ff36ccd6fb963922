/**
 * Committed offsets of a group: OffsetFetch and OffsetCommit through the group's coordinator.
 *
 * - OffsetFetch v8+ batches groups (we ask for one); v10 and OffsetCommit v10 name topics by id,
 *   taken from the cluster metadata.
 * - Per-partition errors of one request become one typed error ({@link OffsetCommitError},
 *   {@link OffsetFetchError}) whose `errorCode` is the most telling one (fencing first).
 * - Coordinator errors and lost connections are retried with the cluster's retry policy, finding
 *   the coordinator again; a commit retries only the partitions that failed.
 * - Commits work without membership too: a standalone consumer commits with generation -1 and an
 *   empty member id, as the Java client's standalone `commitSync` does.
 */
import type { Cluster } from '../cluster/cluster.js';
import { OffsetCommit } from '../protocol/apis/offset-commit.js';
import { OffsetFetch } from '../protocol/apis/offset-fetch.js';
import { KafkaError, kafkaError } from '../protocol/kafka-error.js';
import { InvalidOptionError } from '../errors.js';
import { ProtocolError } from '../protocol/errors.js';
import { ZERO_UUID } from '../protocol/schema.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { GroupCoordinator, isCoordinatorErrorCode } from './coordinator.js';
import { authorizationFailure, OffsetCommitError, OffsetFetchError, type PartitionFailure } from './errors.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** First versions naming topics by id. */
const FIRST_TOPIC_ID_VERSION = 10;
/** First OffsetFetch version batching groups. */
const FIRST_BATCHED_FETCH_VERSION = 8;

/** An offset to commit: the next offset to consume (last processed + 1). */
export interface OffsetCommitEntry extends TopicPartition {
  offset: number;
  /** Leader epoch of the last consumed record, -1 when unknown. */
  leaderEpoch?: number;
  /** Metadata string stored with the offset; default empty, as the Java client. */
  metadata?: string | null;
}

/** A committed offset as the coordinator keeps it. */
export interface CommittedOffset {
  /** The next offset to consume. */
  offset: number;
  /** Leader epoch stored with the commit, -1 when none. */
  leaderEpoch: number;
  metadata: string | null;
}

/** Options of the offset requests. */
export interface OffsetRequestOptions {
  /** Cuts retry backoffs short. */
  signal?: AbortSignal;
}

/** Options of {@link fetchCommittedOffsetsFrom}. */
export interface FetchCommittedOptions extends OffsetRequestOptions {
  /**
   * Wait for offsets pending in open transactions (answered UNSTABLE_OFFSET_COMMIT, retried).
   * Default true, as the Java consumer.
   */
  requireStable?: boolean;
  /**
   * The KIP-848 member asking (OffsetFetch v9+), read at every attempt; the coordinator refuses a
   * stale or fenced epoch. Left out: asked as a non-member (an admin's fetch).
   */
  member?: () => { memberId: string; memberEpoch: number };
}

/** Key of a partition in result maps: `topic:partition`. */
export function offsetKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Partitions grouped by topic, duplicates dropped, in first-seen order. */
function byTopic<T extends TopicPartition>(entries: readonly T[]): Map<string, Map<number, T>> {
  const out = new Map<string, Map<number, T>>();
  for (const e of entries) {
    let partitions = out.get(e.topic);
    if (!partitions) out.set(e.topic, (partitions = new Map()));
    partitions.set(e.partition, e);
  }
  return out;
}

/** Topic ids by name from the cluster metadata (refreshed where unknown). */
async function topicIds(cluster: Cluster, topics: Iterable<string>): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // One look-up for all: a member given partitions of 30 topics it had no metadata for took 15 s one by one.
  for (const [name, info] of await cluster.topics([...topics])) {
    if (info.topicId === ZERO_UUID) throw new ProtocolError(`no topic id known for ${name}`, { topic: name });
    ids.set(name, info.topicId);
  }
  return ids;
}

function nameById(ids: Map<string, string> | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, id] of ids ?? []) out.set(id, name);
  return out;
}

/**
 * Committed offsets of `partitions` in the coordinator's group, by {@link offsetKey}; null where
 * the group has no commit. Throws {@link OffsetFetchError} when partitions fail, a KafkaError for
 * a group-level error.
 */
export async function fetchCommittedOffsetsFrom(
  coordinator: GroupCoordinator,
  partitions: readonly TopicPartition[],
  options: FetchCommittedOptions = {},
): Promise<Map<string, CommittedOffset | null>> {
  const wanted = byTopic(partitions);
  if (wanted.size === 0) return new Map();
  return coordinator.withRetry(
    `OffsetFetch of group ${coordinator.groupId}`,
    () => fetchOnce(coordinator, wanted, options.requireStable ?? true, options.member?.() ?? null),
    options.signal,
  );
}

async function fetchOnce(
  coordinator: GroupCoordinator,
  wanted: Map<string, Map<number, TopicPartition>>,
  requireStable: boolean,
  member: { memberId: string; memberEpoch: number } | null,
): Promise<Map<string, CommittedOffset | null>> {
  const groupId = coordinator.groupId;
  const ids = (await coordinator.versionFor(OffsetFetch)) >= FIRST_TOPIC_ID_VERSION ? await topicIds(coordinator.cluster, wanted.keys()) : null;
  const topics = [...wanted].map(([name, ps]) => ({ name, topicId: ids?.get(name) ?? ZERO_UUID, partitionIndexes: [...ps.keys()] }));
  const { response, version } = await coordinator.request(
    OffsetFetch,
    (v) => {
      if (v >= FIRST_TOPIC_ID_VERSION && ids === null) throw new ProtocolError('OffsetFetch version changed while topic ids were looked up', { api: 'OffsetFetch' });
      return v >= FIRST_BATCHED_FETCH_VERSION ? { groups: [{ groupId, ...(member ?? {}), topics }], requireStable } : { groupId, topics, requireStable };
    },
    { errorOf: (r) => (r.groups.length > 0 ? (r.groups[0]?.errorCode ?? 0) : r.errorCode) },
  );

  let groupCode: number;
  let answered: { name: string; topicId: string; partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string | null; errorCode: number }[] }[];
  if (version >= FIRST_BATCHED_FETCH_VERSION) {
    const group = response.groups.find((g) => g.groupId === groupId);
    if (!group) throw new ProtocolError(`OffsetFetch v${version} response does not name group ${groupId}`, { api: 'OffsetFetch' });
    groupCode = group.errorCode;
    answered = group.topics;
  } else {
    groupCode = response.errorCode;
    answered = response.topics.map((t) => ({ ...t, topicId: ZERO_UUID }));
  }
  const groupError = kafkaError(groupCode, { api: 'OffsetFetch', group: groupId, broker: coordinator.current?.nodeId });
  if (groupError) throw groupError;

  const names = nameById(ids);
  const result = new Map<string, CommittedOffset | null>();
  for (const [topic, ps] of wanted) for (const p of ps.keys()) result.set(offsetKey(topic, p), null);
  const failures: PartitionFailure[] = [];
  for (const t of answered) {
    const topic = version >= FIRST_TOPIC_ID_VERSION ? names.get(t.topicId) : t.name;
    if (topic === undefined || !wanted.has(topic)) continue;
    for (const p of t.partitions) {
      const key = offsetKey(topic, p.partitionIndex);
      if (!result.has(key)) continue;
      const err = kafkaError(p.errorCode, { api: 'OffsetFetch', group: groupId, topic, partition: p.partitionIndex });
      if (err) failures.push({ topic, partition: p.partitionIndex, error: err });
      else if (p.committedOffset >= 0n) {
        result.set(key, { offset: Number(p.committedOffset), leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata });
      }
    }
  }
  if (failures.length > 0) {
    const aggregate = new OffsetFetchError(groupId, failures);
    throw authorizationFailure('OffsetFetch', groupId, failures, aggregate) ?? aggregate;
  }
  return result;
}

/** Committed offsets as the consumer wants them: the offset alone, by {@link offsetKey}, null where none. */
export function committedOffsetNumbers(committed: ReadonlyMap<string, CommittedOffset | null>): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const [key, value] of committed) out.set(key, value === null ? null : value.offset);
  return out;
}

/** Who commits: a member of the current generation, or a standalone consumer. */
export interface CommitIdentity {
  /** The member's generation; -1 for a standalone commit. */
  generationId: number;
  /** The member id; empty for a standalone commit. */
  memberId: string;
  /** The static member id, or null. Sent from OffsetCommit v7 on. */
  groupInstanceId: string | null;
}

/** The identity of a commit made outside any membership (Java's standalone consumer). */
export const STANDALONE_COMMIT: Readonly<CommitIdentity> = Object.freeze({ generationId: -1, memberId: '', groupInstanceId: null });

function checkOffsets(offsets: readonly OffsetCommitEntry[]): void {
  offsets.forEach((o, i) => {
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) throw new InvalidOptionError(`offsets[${i}].offset`, `expected a non-negative integer, got ${String(o.offset)}`);
  });
}

/**
 * Commits offsets to the coordinator's group as `identity`. Resolves once every partition is
 * committed; partitions that fail retriably are retried alone. Throws {@link OffsetCommitError}
 * (fencing: see `isFencingError`) naming the partitions that failed.
 */
export async function commitOffsetsTo(
  coordinator: GroupCoordinator,
  identity: CommitIdentity,
  offsets: readonly OffsetCommitEntry[],
  options: OffsetRequestOptions = {},
): Promise<void> {
  checkOffsets(offsets);
  let pending = byTopic(offsets);
  if (pending.size === 0) return;
  await coordinator.withRetry(
    `OffsetCommit of group ${coordinator.groupId}`,
    async () => {
      const failures = await commitOnce(coordinator, identity, pending);
      if (failures.length === 0) return;
      pending = byTopic(failures.map((f) => pending.get(f.topic)?.get(f.partition) as OffsetCommitEntry));
      const aggregate = new OffsetCommitError(coordinator.groupId, failures);
      throw authorizationFailure('OffsetCommit', coordinator.groupId, failures, aggregate) ?? aggregate;
    },
    options.signal,
  );
}

async function commitOnce(
  coordinator: GroupCoordinator,
  identity: CommitIdentity,
  pending: Map<string, Map<number, OffsetCommitEntry>>,
): Promise<PartitionFailure[]> {
  const groupId = coordinator.groupId;
  const ids = (await coordinator.versionFor(OffsetCommit)) >= FIRST_TOPIC_ID_VERSION ? await topicIds(coordinator.cluster, pending.keys()) : null;
  const topics = [...pending].map(([name, ps]) => ({
    name,
    topicId: ids?.get(name) ?? ZERO_UUID,
    partitions: [...ps.values()].map((o) => ({
      partitionIndex: o.partition,
      committedOffset: BigInt(o.offset),
      committedLeaderEpoch: o.leaderEpoch ?? -1,
      committedMetadata: o.metadata ?? '',
    })),
  }));
  const { response, version } = await coordinator.request(
    OffsetCommit,
    (v) => {
      if (v >= FIRST_TOPIC_ID_VERSION && ids === null) throw new ProtocolError('OffsetCommit version changed while topic ids were looked up', { api: 'OffsetCommit' });
      return {
        groupId,
        generationIdOrMemberEpoch: identity.generationId,
        memberId: identity.memberId,
        groupInstanceId: identity.groupInstanceId,
        topics,
      };
    },
    // A coordinator that cannot serve the group says so for every partition.
    { errorOf: (r) => r.topics.flatMap((t) => t.partitions).find((p) => isCoordinatorErrorCode(p.errorCode))?.errorCode ?? 0 },
  );

  const names = nameById(ids);
  const failures: PartitionFailure[] = [];
  const answered = new Set<string>();
  for (const t of response.topics) {
    const topic = version >= FIRST_TOPIC_ID_VERSION ? names.get(t.topicId) : t.name;
    if (topic === undefined) continue;
    for (const p of t.partitions) {
      if (!pending.get(topic)?.has(p.partitionIndex)) continue;
      answered.add(offsetKey(topic, p.partitionIndex));
      const err = kafkaError(p.errorCode, { api: 'OffsetCommit', group: groupId, topic, partition: p.partitionIndex, broker: coordinator.current?.nodeId });
      if (err) failures.push({ topic, partition: p.partitionIndex, error: err });
    }
  }
  // A partition the response leaves out was not committed: a broker bug, but not a silent success.
  for (const [topic, ps] of pending) {
    for (const partition of ps.keys()) {
      if (!answered.has(offsetKey(topic, partition))) {
        failures.push({ topic, partition, error: new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, { api: 'OffsetCommit', group: groupId, topic, partition }, { brokerMessage: 'partition missing from the response' }) });
      }
    }
  }
  return failures;
}

/**
 * Offsets of groups a process is not a member of (standalone consumers, tools): one coordinator
 * per group, found on first use and kept.
 */
export class GroupOffsets {
  private readonly coordinators = new Map<string, GroupCoordinator>();

  constructor(private readonly cluster: Cluster) {}

  /** The coordinator of `groupId` (created on first use; shared by later calls). */
  coordinator(groupId: string): GroupCoordinator {
    let c = this.coordinators.get(groupId);
    if (!c) this.coordinators.set(groupId, (c = new GroupCoordinator(this.cluster, groupId)));
    return c;
  }

  /** Committed offsets of `partitions` in `groupId`, by `topic:partition`; null where none. */
  fetchCommittedOffsets(
    groupId: string,
    partitions: readonly TopicPartition[],
    options?: FetchCommittedOptions,
  ): Promise<Map<string, CommittedOffset | null>> {
    return fetchCommittedOffsetsFrom(this.coordinator(groupId), partitions, options);
  }

  /**
   * Commits offsets to `groupId` as the given member (generation -1, member id '' and no instance
   * id for a standalone commit, see {@link STANDALONE_COMMIT}).
   */
  commitOffsets(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    offsets: readonly OffsetCommitEntry[],
    options?: OffsetRequestOptions,
  ): Promise<void> {
    return commitOffsetsTo(this.coordinator(groupId), { generationId, memberId, groupInstanceId }, offsets, options);
  }

  /** Closes the coordinator connections. */
  async close(): Promise<void> {
    const all = [...this.coordinators.values()];
    this.coordinators.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
