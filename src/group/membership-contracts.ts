/**
 * What group membership is given, offers and calls back: its options, events and the interfaces
 * between it and the consumer. They live with membership (not with the consumer that implements
 * the listener) so the group layer never imports the consumer layer above it.
 */
import type { AssignorName } from './assignors/index.js';
import type { TopicPartition } from '../protocol/topic-partition.js';

/** Offsets to commit, with the metadata the commit carries. */
export interface OffsetToCommit extends TopicPartition {
  /** The next offset to consume (Kafka's convention: last processed + 1). */
  offset: number;
  /** Leader epoch of the last consumed record, -1 when unknown. */
  leaderEpoch: number;
  metadata?: string | null;
}

/** What the consumer asks of group membership. */
export interface MembershipHandle {
  /** Current generation and member id; commits carry them so the coordinator can fence zombies. */
  readonly generationId: number;
  readonly memberId: string;
  /**
   * Commits offsets of partitions this member owns in the current generation. Rejects with a
   * KafkaError on fencing (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID): the
   * assignment is lost and must not be committed again.
   */
  commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void>;
  /** Committed offsets of partitions (null where none). */
  fetchCommittedOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>>;
}

/**
 * What membership calls back into the consumer. Revocation is awaited: membership does not rejoin
 * (eager) or send the next JoinGroup (cooperative) until the consumer has drained and committed.
 */
export interface MembershipListener {
  /** Partitions newly assigned in this generation (incremental under cooperative rebalancing). */
  onAssigned(partitions: readonly TopicPartition[], generationId: number): Promise<void>;
  /** Partitions to give up cleanly: stop delivering, drain up to the drain timeout, commit the acked prefix. */
  onRevoked(partitions: readonly TopicPartition[]): Promise<void>;
  /** Partitions already lost (fenced, session expired): stop at once, commit nothing. */
  onLost(partitions: readonly TopicPartition[]): Promise<void>;
}

/** What membership needs of the consumer group options (a subset of ResolvedConsumerGroupOptions). */
export interface GroupMembershipOptions {
  groupId: string;
  topics: readonly string[];
  /** Static member id (Java `group.instance.id`), or null. */
  groupInstanceId: string | null;
  /** ms the coordinator waits for a heartbeat before dropping the member. */
  sessionTimeoutMs: number;
  /** ms the coordinator waits for members to rejoin during a rebalance. */
  rebalanceTimeoutMs: number;
  /** ms between heartbeats. */
  heartbeatIntervalMs: number;
  /** Assignors in order of preference. */
  assignors: readonly AssignorName[];
}

/** Payload of the `joined` event. */
export interface MembershipJoined {
  generationId: number;
  memberId: string;
  /** Member id of the leader. */
  leaderId: string;
  /** True when this member leads (and assigned the partitions, unless told to skip). */
  leader: boolean;
  /** The assignor the coordinator chose. */
  protocol: string | null;
}

/** Events of a {@link GroupMembership}. */
export interface MembershipEvents {
  /** A JoinGroup succeeded: a new generation. */
  joined: [MembershipJoined];
  /**
   * Something went wrong: a listener callback threw, or a fatal group error (e.g.
   * FENCED_INSTANCE_ID; the membership is then `failed`). Emitted only when someone listens.
   */
  error: [Error];
}

/** Options of {@link GroupMembership.stop}. */
export interface MembershipStopOptions {
  /**
   * Send LeaveGroup so the group rebalances at once. Default true for dynamic members and false
   * for static ones: as in Java, a static member that restarts within the session timeout gets
   * its partitions back without a rebalance.
   */
  leaveGroup?: boolean;
}
