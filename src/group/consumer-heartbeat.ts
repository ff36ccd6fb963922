/**
 * The pure half of a KIP-848 (`groupProtocol: 'consumer'`) member: the ConsumerGroupHeartbeat
 * body it sends, what an answer's error code means for it, and the assignment read back from
 * topic ids. consumer-protocol-membership.ts sends, waits and calls the listener; this decides.
 */
import { randomBytes } from 'node:crypto';
import type { RequestIn } from '../protocol/schema.js';
import type { ConsumerGroupHeartbeat } from '../protocol/apis/consumer-group-heartbeat.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { uniquePartitions } from './assignment-diff.js';

/** The member epoch that joins a group. */
export const JOIN_EPOCH = 0;
/** The member epoch that leaves a group for good. */
export const LEAVE_EPOCH = -1;
/** The member epoch of a static member that leaves and will come back within its session. */
export const STATIC_LEAVE_EPOCH = -2;
/** First ConsumerGroupHeartbeat version with a broker-evaluated regex and client-made member ids (KIP-1082). */
export const REGEX_VERSION = 1;

/**
 * A member id as the Java client makes one (KIP-1082: the client generates it, and keeps it for
 * the life of the consumer, rejoins included): 16 random bytes, URL-safe base64, 22 characters.
 */
export function newMemberId(): string {
  return randomBytes(16).toString('base64url');
}

/** What a heartbeat says about the member, besides its epoch. */
export interface HeartbeatInputs {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rebalanceTimeoutMs: number;
  /** Subscribed topic names; ignored when `topicRegex` is set. */
  topics: readonly string[];
  topicRegex: string | null;
  serverAssignor: string | null;
  /** The partitions the member holds (owned or still being revoked), by topic id. */
  owned: readonly { topicId: string; partitions: number[] }[];
}

/**
 * The heartbeat body. Every field is sent every time (the broker ignores a field equal to what it
 * has): a member that lost an answer cannot tell which of its changes the broker saw, and a full
 * request is never wrong. Only the owned partitions matter at each beat, and they are always sent.
 */
export function heartbeatBody(inputs: HeartbeatInputs): RequestIn<typeof ConsumerGroupHeartbeat> {
  return {
    groupId: inputs.groupId,
    memberId: inputs.memberId,
    memberEpoch: inputs.memberEpoch,
    instanceId: inputs.instanceId,
    rackId: null,
    rebalanceTimeoutMs: inputs.rebalanceTimeoutMs,
    subscribedTopicNames: inputs.topicRegex === null ? [...inputs.topics] : null,
    subscribedTopicRegex: inputs.topicRegex,
    serverAssignor: inputs.serverAssignor,
    topicPartitions: inputs.owned.map((t) => ({ topicId: t.topicId, partitions: [...t.partitions] })),
  };
}

/** The body of the heartbeat that leaves: epoch -1, or -2 for a static member keeping its partitions. */
export function leaveBody(groupId: string, memberId: string, instanceId: string | null, staticLeave: boolean): RequestIn<typeof ConsumerGroupHeartbeat> {
  return { groupId, memberId, memberEpoch: staticLeave ? STATIC_LEAVE_EPOCH : LEAVE_EPOCH, instanceId };
}

/**
 * What an error code in a heartbeat answer means:
 * - `fenced`: the member's epoch is gone (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID): its partitions are
 *   lost, not revoked (nothing committed), and it rejoins at epoch 0 with the same member id;
 * - `coordinator`: the coordinator moved, is loading or is unavailable: find it again, retry;
 * - `retry`: transient (UNRELEASED_INSTANCE_ID: a static member's previous incarnation still holds
 *   the instance id until it leaves or its session expires); retry after a backoff;
 * - `fatal`: anything else (authorization, unsupported assignor or regex, the group is a classic
 *   group the broker will not convert): the member fails with the error.
 */
export type HeartbeatOutcome = 'ok' | 'fenced' | 'coordinator' | 'retry' | 'fatal';

/** See {@link HeartbeatOutcome}. */
export function heartbeatOutcome(errorCode: number): HeartbeatOutcome {
  switch (errorCode) {
    case ErrorCode.NONE:
      return 'ok';
    case ErrorCode.FENCED_MEMBER_EPOCH:
    case ErrorCode.UNKNOWN_MEMBER_ID:
      return 'fenced';
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
      return 'coordinator';
    case ErrorCode.UNRELEASED_INSTANCE_ID:
    case ErrorCode.REQUEST_TIMED_OUT:
    case ErrorCode.NETWORK_EXCEPTION:
      return 'retry';
    default:
      return 'fatal';
  }
}

/** An assignment read back from topic ids: the partitions, and the ids no metadata names yet. */
export interface ResolvedAssignment {
  partitions: TopicPartition[];
  unknownTopicIds: string[];
}

/** The assignment by topic name, for the ids `nameOf` knows; sorted, without duplicates. */
export function resolveAssignment(
  assigned: readonly { topicId: string; partitions: readonly number[] }[],
  nameOf: (topicId: string) => string | undefined,
): ResolvedAssignment {
  const partitions: TopicPartition[] = [];
  const unknown = new Set<string>();
  for (const t of assigned) {
    const topic = nameOf(t.topicId);
    if (topic === undefined) {
      if (t.partitions.length > 0) unknown.add(t.topicId);
      continue;
    }
    for (const partition of t.partitions) partitions.push({ topic, partition });
  }
  return { partitions: uniquePartitions(partitions), unknownTopicIds: [...unknown] };
}

/**
 * `partitions` grouped by topic id, for a heartbeat. Partitions of a topic whose id is unknown
 * cannot be named and are left out (they came from an assignment, so their id was known then).
 */
export function ownedByTopicId(partitions: readonly TopicPartition[], idOf: (topic: string) => string | undefined): { topicId: string; partitions: number[] }[] {
  const out = new Map<string, number[]>();
  for (const tp of uniquePartitions(partitions)) {
    const id = idOf(tp.topic);
    if (id === undefined) continue;
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push(tp.partition);
  }
  return [...out].map(([topicId, ps]) => ({ topicId, partitions: ps }));
}
