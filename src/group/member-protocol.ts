/**
 * A member's side of the consumer protocol: the JoinGroup protocols it offers (one subscription
 * per assignor), the leader's assignment of the whole group, and reading its own assignment from
 * SyncGroup. Pure: partition counts come in as a map.
 */
import { ASSIGNORS, assignorMemberFromJoin, encodeCooperativeStickyUserData, type AssignorMember, type AssignorName, type JoinedMember } from './assignors/index.js';
import { decodeAssignment, encodeAssignment, encodeSubscription, flattenTopicPartitions, groupByTopic, type TopicPartition } from '../protocol/consumer-protocol.js';
import { uniquePartitions } from './assignment-diff.js';
import { ProtocolError } from '../protocol/errors.js';

/** What a member says about itself when it joins. */
export interface MemberSubscription {
  topics: readonly string[];
  /** Partitions it owns now (empty under the eager protocol, which gives everything up first). */
  owned: readonly TopicPartition[];
  /** Generation of its last assignment, -1 when none. */
  generationId: number;
}

/**
 * JoinGroup protocols, in preference order: one per assignor, each with the subscription the
 * assignor expects (cooperative-sticky also carries the generation in its userData, for leaders
 * reading subscriptions older than v2).
 */
export function joinProtocols(assignors: readonly AssignorName[], subscription: MemberSubscription): { name: string; metadata: Buffer }[] {
  const base = {
    topics: [...subscription.topics],
    ownedPartitions: groupByTopic(subscription.owned),
    generationId: subscription.generationId,
    rackId: null,
  };
  return assignors.map((name) => ({
    name,
    metadata: encodeSubscription({
      ...base,
      userData: name === 'cooperative-sticky' ? encodeCooperativeStickyUserData(subscription.generationId) : null,
    }),
  }));
}

/** True when every assignor follows the cooperative protocol: only then may a member keep partitions across a rebalance (the Java rule). */
export function isCooperative(assignors: readonly AssignorName[]): boolean {
  return assignors.length > 0 && assignors.every((name) => ASSIGNORS.get(name)?.cooperative === true);
}

/** The leader's view of the members: their decoded subscriptions. Throws ProtocolError for metadata that is not a consumer subscription. */
export function decodeMembers(protocol: AssignorName, members: readonly JoinedMember[]): AssignorMember[] {
  return members.map((m) => {
    try {
      return assignorMemberFromJoin(m, protocol);
    } catch (err) {
      throw new ProtocolError(`group member ${m.memberId} sent a subscription that does not decode`, { memberId: m.memberId }, err);
    }
  });
}

/** Every topic some member subscribes to, sorted. */
export function subscribedTopics(members: readonly AssignorMember[]): string[] {
  return [...new Set(members.flatMap((m) => m.topics))].sort();
}

/**
 * Runs the assignor the coordinator chose over the members and partition counts, and encodes each
 * member's assignment for SyncGroup (every member gets an entry, possibly empty).
 */
export function assignGroup(
  protocol: AssignorName,
  members: readonly AssignorMember[],
  partitionsPerTopic: ReadonlyMap<string, number>,
): { memberId: string; assignment: Buffer }[] {
  const assignor = ASSIGNORS.get(protocol);
  if (!assignor) throw new ProtocolError(`the coordinator chose assignor ${protocol}, which this member did not offer`);
  const result = assignor.assign(members, partitionsPerTopic);
  return members.map((m) => ({
    memberId: m.memberId,
    assignment: encodeAssignment({ assignedPartitions: groupByTopic(result.get(m.memberId) ?? []), userData: null }),
  }));
}

/**
 * A member's partitions from its SyncGroup assignment bytes. An empty buffer (the leader sent this
 * member nothing) means no partitions.
 */
export function readAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return [];
  return uniquePartitions(flattenTopicPartitions(decodeAssignment(bytes).assignedPartitions));
}
