/**
 * What describing a group reports, for both kinds of group Kafka runs: a classic group (JoinGroup /
 * SyncGroup, described by DescribeGroups) and a consumer group of the KIP-848 protocol
 * (ConsumerGroupHeartbeat, described by ConsumerGroupDescribe). Types only.
 */
import type { TopicPartition } from '../protocol/topic-partition.js';

/** One member of a group. */
export interface GroupMember {
  memberId: string;
  /** Static membership id, null for a dynamic member. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /**
   * Partitions it owns, sorted by topic then partition. In a classic group: decoded from the
   * consumer protocol, empty while the group is rebalancing (the coordinator only reports
   * assignments of a Stable group) or when the group speaks another protocol than `consumer`. In a
   * consumer group: the member's current assignment, which may still lag its
   * {@link ConsumerGroupMember.targetAssignment | target} while the group reconciles.
   */
  assignment: TopicPartition[];
}

/** One member of a consumer (KIP-848) group. */
export interface ConsumerGroupMember extends GroupMember {
  /** The member's epoch: the group epoch of the assignment it has reconciled to. */
  memberEpoch: number;
  /** The rack it said it runs in, null when it named none. */
  rackId: string | null;
  /** The topics it subscribed to by name (empty when it subscribed by regex). */
  subscribedTopicNames: string[];
  /** The regular expression (RE2/J) it subscribed with, null when it subscribed by name. */
  subscribedTopicRegex: string | null;
  /**
   * The partitions the assignor gave it for the current assignment epoch, sorted by topic then
   * partition. Equal to `assignment` once it has reconciled: revoked partitions released, new ones
   * taken.
   */
  targetAssignment: TopicPartition[];
  /**
   * `consumer` for a member speaking ConsumerGroupHeartbeat, `classic` for one that joined with
   * JoinGroup (a consumer group being migrated from or to the classic protocol); null when the
   * broker does not say (ConsumerGroupDescribe v0, before Kafka 4.0).
   */
  memberType: 'classic' | 'consumer' | null;
}

/** What describing a classic group reports (DescribeGroups). */
export interface ClassicGroupDescription {
  /** A group of the classic protocol (JoinGroup / SyncGroup); also a group the coordinator does not know. */
  type: 'classic';
  groupId: string;
  /** Node id of the group's coordinator. */
  coordinator: number;
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead` (no such group). */
  state: string;
  /** `consumer` for consumer groups; empty when the group has no members. */
  protocolType: string;
  /** The assignor the members chose (e.g. `range`); empty unless Stable. */
  protocol: string;
  members: GroupMember[];
}

/** What describing a consumer group of the KIP-848 protocol reports (ConsumerGroupDescribe). */
export interface ConsumerGroupDescription {
  /** A group of the consumer protocol (KIP-848): the broker assigns, members reconcile one by one. */
  type: 'consumer';
  groupId: string;
  /** Node id of the group's coordinator. */
  coordinator: number;
  /** `Empty`, `Assigning`, `Reconciling`, `Stable` or `Dead`. */
  state: string;
  /** Always `consumer`: the members are consumers (kept so code written for classic groups reads both). */
  protocolType: 'consumer';
  /** The server-side assignor the group uses (`uniform`, `range`); empty while it has never assigned. */
  protocol: string;
  /** Bumped by every change of membership or subscriptions. */
  groupEpoch: number;
  /** The group epoch of the current target assignment; behind `groupEpoch` until the assignor has run. */
  assignmentEpoch: number;
  members: ConsumerGroupMember[];
}

/**
 * A group's description: `type` says which protocol it runs, and so which of the two shapes it
 * has. Both have its coordinator, state, assignor (`protocol`) and members with their assignments.
 */
export type GroupDescription = ClassicGroupDescription | ConsumerGroupDescription;
