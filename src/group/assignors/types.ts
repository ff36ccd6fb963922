/**
 * The assignor contract: a pure function from the members of a group (their subscriptions and
 * what they own) and the partition counts of the subscribed topics to each member's partitions.
 * Assignors run on the group leader only; every member of a group must share the assignor the
 * coordinator chose, whichever client (kafka-stage or Java) leads.
 */
import type { TopicPartition } from '../../protocol/consumer-protocol.js';

export type { TopicPartition } from '../../protocol/consumer-protocol.js';

/** Names of the assignors, as sent in JoinGroup protocols (identical to the Java client's). */
export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

/** One member as an assignor sees it, from its JoinGroup metadata. */
export interface AssignorMember {
  /** Member id given by the coordinator. */
  memberId: string;
  /** Static member id (`group.instance.id`), or null for a dynamic member. */
  groupInstanceId: string | null;
  /** Topics the member subscribes to. */
  topics: readonly string[];
  /** Partitions the member says it owns now (cooperative protocol; empty for eager members). */
  ownedPartitions: readonly TopicPartition[];
  /** Generation in which the member last got an assignment; -1 when it has none. */
  generation: number;
  /** The member's rack (`client.rack`), or null. Kept for rack-aware assignment; unused for now. */
  rackId?: string | null;
}

/** Each member's partitions, by member id. Every member has an entry, possibly empty. */
export type GroupAssignment = Map<string, TopicPartition[]>;

/** A partition assignment strategy. */
export interface Assignor {
  /** The protocol name sent in JoinGroup. */
  readonly name: AssignorName;
  /**
   * True when the strategy follows the cooperative protocol: members keep their partitions
   * across a rebalance, and a partition changes owner only after its old owner gave it up.
   */
  readonly cooperative: boolean;
  /**
   * Assigns the partitions of `partitionsPerTopic` (topic → partition count; topics absent from
   * it are skipped, as the Java client skips topics without metadata). Pure and deterministic:
   * the same members and counts, in any order, give the same result. Lists are sorted by topic,
   * then partition.
   */
  assign(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): GroupAssignment;
}
