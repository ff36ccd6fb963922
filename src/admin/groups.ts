/**
 * Consumer groups seen from outside: which broker coordinates a group, its type, state and members
 * (ConsumerGroupDescribe, else DescribeGroups), its committed offsets (OffsetFetch), how far each
 * partition lags behind the log end (ListOffsets), and the groups a cluster knows (ListGroups).
 * Read-only: nothing here joins a group or commits.
 */
import type { Cluster } from '../cluster/cluster.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, flattenTopicPartitions, type TopicPartition } from '../protocol/consumer-protocol.js';
import { DescribeGroups } from '../protocol/apis/describe-groups.js';
import { CoordinatorType, FindCoordinator } from '../protocol/apis/find-coordinator.js';
import { ListGroups } from '../protocol/apis/list-groups.js';
import { NO_COMMITTED_OFFSET, OffsetFetch } from '../protocol/apis/offset-fetch.js';
import { KafkaError, kafkaError } from '../protocol/kafka-error.js';
import { describeConsumerGroup } from './describe-consumer-group.js';
import type { ClassicGroupDescription, GroupDescription } from './group-description.js';
import type { PartitionOffset } from './offsets.js';
import type { OffsetQuery } from './requests.js';
import { ErrorCode } from '../protocol/error-codes.js';


/** A committed offset of a group. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The next offset the group will consume (Kafka's convention: last processed + 1). */
  offset: number;
  /** Leader epoch committed with it, -1 when unknown. */
  leaderEpoch: number;
  metadata: string | null;
}

/** One partition of a group: where it stands and how far behind the log end. */
export interface GroupPartitionLag {
  topic: string;
  partition: number;
  /** The committed offset, null when the group has none for this partition. */
  committedOffset: number | null;
  /** The offset the next record will get (the high watermark). */
  logEndOffset: number;
  /** `logEndOffset - committedOffset`, null without a committed offset. */
  lag: number | null;
  /** The member the partition is assigned to, null when none (empty or rebalancing group). */
  memberId: string | null;
}

/** Committed offsets, log-end offsets and lag of a group, per partition and in total. */
export interface GroupLag {
  /**
   * Every partition the group has a committed offset for or a member owns, sorted by topic then
   * partition.
   */
  partitions: GroupPartitionLag[];
  /** Sum of the known lags. */
  totalLag: number;
}

/** A group's description (either type) with committed offsets, log-end offsets and lag per partition. */
export type GroupOffsetsDescription = GroupDescription & GroupLag;

/** One group in the cluster's list. */
export interface GroupListing {
  groupId: string;
  /** `consumer` for consumer groups, empty for a group that only stores offsets. */
  protocolType: string;
  /** The group's state; empty from brokers older than ListGroups v4. */
  state: string;
  /**
   * The protocol the group runs: `classic` or `consumer` (KIP-848); Kafka 4 also names `share` and
   * `streams` groups. A broker without ListGroups v5 (Kafka 3.7 and older) names no type; it runs
   * classic groups only (but for 3.7's early access to KIP-848), so its groups come back as `classic`.
   */
  type: string;
  /** Node id of the broker that coordinates it. */
  coordinator: number;
}

/** Node id of the broker coordinating `groupId` (one attempt; callers retry). */
export async function findGroupCoordinator(cluster: Cluster, groupId: string): Promise<number> {
  const { response, version } = await cluster.requestWithVersion('any', FindCoordinator, (v) =>
    v >= 4 ? { keyType: CoordinatorType.GROUP, coordinatorKeys: [groupId] } : { key: groupId, keyType: CoordinatorType.GROUP },
  );
  const found =
    version >= 4
      ? response.coordinators.find((c) => c.key === groupId)
      : { nodeId: response.nodeId, errorCode: response.errorCode, errorMessage: response.errorMessage };
  if (!found) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, { api: 'FindCoordinator', group: groupId });
  const err = kafkaError(found.errorCode, { api: 'FindCoordinator', group: groupId }, { brokerMessage: found.errorMessage });
  if (err) throw err;
  // The coordinator may be a broker this client has not seen yet (metadata older than it).
  if (!cluster.metadata?.brokers.has(found.nodeId)) await cluster.refreshMetadata([]);
  return found.nodeId;
}

/** Runs `operation` against the group's coordinator, finding it again after every retriable failure (NOT_COORDINATOR and the like). */
function atCoordinator<T>(cluster: Cluster, groupId: string, what: string, operation: (coordinator: number) => Promise<T>): Promise<T> {
  return cluster.withRetry(what, async () => operation(await findGroupCoordinator(cluster, groupId)));
}

function decodeMemberAssignment(protocolType: string, bytes: Buffer): TopicPartition[] {
  // Outside a Stable group the coordinator sends no assignment; other protocols are opaque to us.
  if (protocolType !== CONSUMER_PROTOCOL_TYPE || bytes.length === 0) return [];
  try {
    return flattenTopicPartitions(decodeAssignment(bytes).assignedPartitions).sort(byTopicPartition);
  } catch {
    // A member whose assignment we cannot read is still a member; describe it without partitions.
    return [];
  }
}

/**
 * Describes a group of either type: coordinator, state, assignor, members and their assignments.
 * ConsumerGroupDescribe is asked first; a broker without it, or one answering GROUP_ID_NOT_FOUND
 * (not a consumer group), is asked DescribeGroups next, as Kafka's own admin client does. A group
 * the coordinator does not know comes back as a classic group with state `Dead` and no members (as
 * Kafka's own tools report it) rather than as an error.
 */
export async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  return atCoordinator(cluster, groupId, 'describeGroup', async (coordinator) => {
    return (await describeConsumerGroup(cluster, coordinator, groupId)) ?? (await describeClassicGroup(cluster, coordinator, groupId));
  });
}

/** DescribeGroups' answer about a classic group (or none: `Dead`). */
async function describeClassicGroup(cluster: Cluster, coordinator: number, groupId: string): Promise<ClassicGroupDescription> {
  const response = await cluster.request(coordinator, DescribeGroups, () => ({ groups: [groupId], includeAuthorizedOperations: false }));
  const group = response.groups.find((g) => g.groupId === groupId);
  if (!group || group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) {
    return { type: 'classic', groupId, coordinator, state: 'Dead', protocolType: '', protocol: '', members: [] };
  }
  const err = kafkaError(group.errorCode, { api: 'DescribeGroups', group: groupId, broker: coordinator }, { brokerMessage: group.errorMessage });
  if (err) throw err;
  return {
    type: 'classic',
    groupId,
    coordinator,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: decodeMemberAssignment(group.protocolType, m.memberAssignment),
    })),
  };
}

interface FetchedPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

/**
 * The committed offsets of a group: of every partition it has committed (`topics` null), or of the
 * partitions of `topics`. Partitions without a commit are left out.
 */
export async function fetchGroupOffsets(cluster: Cluster, groupId: string, topics: string[] | null = null): Promise<CommittedOffset[]> {
  return atCoordinator(cluster, groupId, 'fetchGroupOffsets', async (coordinator) => {
    const asked = topics === null ? null : [...(await cluster.topics(topics)).values()];
    const { response, version } = await cluster.requestWithVersion(coordinator, OffsetFetch, (v) => {
      const wanted = asked?.map((t) => ({ name: t.name, topicId: t.topicId, partitionIndexes: t.partitions.map((p) => p.partition) })) ?? null;
      return v >= 8 ? { groups: [{ groupId, topics: wanted }], requireStable: false } : { groupId, topics: wanted, requireStable: false };
    });
    const context = { api: 'OffsetFetch', group: groupId, broker: coordinator };
    let answered: { name: string; topicId?: string; partitions: FetchedPartition[] }[];
    if (version >= 8) {
      const group = response.groups.find((g) => g.groupId === groupId);
      if (!group) throw new KafkaError(ErrorCode.NOT_COORDINATOR, context); // ask again
      const err = kafkaError(group.errorCode, context);
      if (err) throw err;
      answered = group.topics;
    } else {
      const err = kafkaError(response.errorCode, context);
      if (err) throw err;
      answered = response.topics;
    }
    // From v10 on topics come back by id only.
    const names = version >= 10 ? await topicNamesById(cluster) : null;
    const out: CommittedOffset[] = [];
    for (const t of answered) {
      const topic = names ? names.get(t.topicId ?? '') : t.name;
      if (topic === undefined) continue; // a topic deleted since the commit
      for (const p of t.partitions) {
        const pErr = kafkaError(p.errorCode, { ...context, topic, partition: p.partitionIndex });
        if (pErr) throw pErr;
        if (p.committedOffset === NO_COMMITTED_OFFSET) continue;
        out.push({ topic, partition: p.partitionIndex, offset: Number(p.committedOffset), leaderEpoch: p.committedLeaderEpoch, metadata: p.metadata });
      }
    }
    return out.sort(byTopicPartition);
  });
}

async function topicNamesById(cluster: Cluster): Promise<Map<string, string>> {
  const metadata = await cluster.refreshMetadata(null);
  return new Map([...metadata.topics.values()].map((t) => [t.topicId, t.name]));
}

function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/**
 * Describes a group with its committed offset, log-end offset and lag per partition. Covers every
 * partition the group has committed or one of its members owns. `listOffsets` looks up log ends
 * (the admin client's, so its retries and routing apply).
 */
export async function describeGroupOffsets(
  cluster: Cluster,
  groupId: string,
  listOffsets: (queries: OffsetQuery[]) => Promise<PartitionOffset[]>,
): Promise<GroupOffsetsDescription> {
  const [description, committed] = await Promise.all([describeGroup(cluster, groupId), fetchGroupOffsets(cluster, groupId)]);
  const rows = new Map<string, GroupPartitionLag>();
  const row = (topic: string, partition: number): GroupPartitionLag => {
    const key = `${topic}\u0000${partition}`;
    let r = rows.get(key);
    if (!r) {
      r = { topic, partition, committedOffset: null, logEndOffset: 0, lag: null, memberId: null };
      rows.set(key, r);
    }
    return r;
  };
  for (const c of committed) row(c.topic, c.partition).committedOffset = c.offset;
  for (const m of description.members) for (const p of m.assignment) row(p.topic, p.partition).memberId = m.memberId;
  const partitions = [...rows.values()].sort(byTopicPartition);
  const ends = partitions.length === 0 ? [] : await listOffsets(partitions.map((p) => ({ topic: p.topic, partition: p.partition, spec: 'latest' })));
  let totalLag = 0;
  partitions.forEach((p, i) => {
    p.logEndOffset = (ends[i] as PartitionOffset).offset;
    if (p.committedOffset !== null) {
      // A commit can be ahead of the log end only if the log was truncated; no negative lag.
      p.lag = Math.max(0, p.logEndOffset - p.committedOffset);
      totalLag += p.lag;
    }
  });
  return { ...description, partitions, totalLag };
}

/** Every group the cluster's brokers coordinate (each broker asked once), sorted by id. */
export async function listGroups(cluster: Cluster): Promise<GroupListing[]> {
  const metadata = await cluster.refreshMetadata([]);
  const perBroker = await Promise.all(
    [...metadata.brokers.keys()].map((nodeId) =>
      cluster.withRetry('listGroups', async () => {
        const response = await cluster.request(nodeId, ListGroups, () => ({ statesFilter: [], typesFilter: [] }));
        const err = kafkaError(response.errorCode, { api: 'ListGroups', broker: nodeId });
        if (err) throw err;
        return response.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType || 'classic', coordinator: nodeId }));
      }),
    ),
  );
  return perBroker.flat().sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}
