/**
 * What group membership offers its user and what it calls back. These live with membership (not
 * with the consumer that implements the listener) so the group layer never imports the consumer
 * layer above it: the consumer imports them from here.
 */
import type { TopicPartition } from './consumer-protocol.js';

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
