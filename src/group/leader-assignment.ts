/**
 * The group leader's work: run the assignor the coordinator chose over every member's
 * subscription and fresh partition counts, then watch those counts while stable (a topic that
 * gains partitions needs a new assignment). Handed the metadata source; sends nothing itself.
 */
import type { ClusterMetadata } from '../cluster/metadata.js';
import { KafkaStageError } from '../errors.js';
import { TopicAuthorizationError } from '../protocol/kafka-error.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { isAssignorName, type JoinedMember } from './assignors/index.js';
import { assignGroup, decodeMembers, subscribedTopics } from './member-protocol.js';

/** What a {@link LeaderAssignment} is handed. */
export interface LeaderAssignmentInputs {
  groupId: string;
  /** Fresh metadata of `topics` (the cluster client's refreshMetadata). */
  refreshMetadata(topics: string[]): Promise<ClusterMetadata>;
  /** ms between a stable leader's looks at the partition counts (Java's metadata refresh: metadataMaxAgeMs). */
  checkIntervalMs: number;
  /** The clock, ms. */
  now(): number;
  /** The subscribed topics of the latest assignment that do not exist (empty: none). */
  missing(topics: readonly string[]): void;
}

/** One member's encoded assignment for SyncGroup. */
export interface MemberAssignment {
  memberId: string;
  assignment: Buffer;
}

/**
 * Partition counts of `topics` in `metadata`; topics that do not exist are left out (as Java does).
 * A topic the principal may not describe is not "absent": leaving it out would hand out an
 * assignment without it and wait for ever, so it fails with the topics named.
 */
export function partitionCountsOf(metadata: ClusterMetadata, topics: readonly string[], groupId: string): Map<string, number> {
  const denied = topics.filter((t) => metadata.topics.get(t)?.errorCode === TopicAuthorizationError.ERROR_CODE);
  if (denied.length > 0) throw new TopicAuthorizationError({ api: 'Metadata', group: groupId, topics: denied });
  const counts = new Map<string, number>();
  for (const topic of topics) {
    const info = metadata.topics.get(topic);
    if (info && info.errorCode === ErrorCode.NONE && info.partitions.length > 0) counts.set(topic, info.partitions.length);
  }
  return counts;
}

/** True when some of `topics` has another partition count in `now` than in `before` (absent counts 0). */
export function countsChanged(topics: readonly string[], before: ReadonlyMap<string, number>, now: ReadonlyMap<string, number>): boolean {
  return topics.some((topic) => (now.get(topic) ?? 0) !== (before.get(topic) ?? 0));
}

/** Assigns as the leader and remembers what it assigned with; see the module comment. */
export class LeaderAssignment {
  private counts: ReadonlyMap<string, number> | null = null;
  private topics: readonly string[] = [];
  private lastCheckAt = 0;
  private checking = false;

  constructor(private readonly inputs: LeaderAssignmentInputs) {}

  /** The topics the last assignment covered (every member's subscription). */
  get assignedTopics(): readonly string[] {
    return this.topics;
  }

  /** Every member's assignment under `protocol`, from fresh partition counts. */
  async assign(protocol: string | null, members: readonly JoinedMember[]): Promise<MemberAssignment[]> {
    const { groupId } = this.inputs;
    if (protocol === null || !isAssignorName(protocol)) {
      throw new KafkaStageError('ERR_PROTOCOL', `group ${groupId}: the coordinator chose assignor ${String(protocol)}, which this member did not offer`);
    }
    let decoded;
    try {
      decoded = decodeMembers(protocol, members);
    } catch (err) {
      // A member speaking something else than the consumer protocol will not change its mind.
      throw new KafkaStageError('ERR_PROTOCOL', err instanceof Error ? err.message : String(err), { cause: err, retriable: false });
    }
    const topics = subscribedTopics(decoded);
    const counts = await this.partitionCounts(topics);
    this.topics = topics;
    this.counts = counts;
    this.lastCheckAt = this.inputs.now();
    this.inputs.missing(topics.filter((topic) => !counts.has(topic)));
    return assignGroup(protocol, decoded, counts);
  }

  /** Partition counts of `topics` from fresh metadata (see {@link partitionCountsOf}). */
  async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    if (topics.length === 0) return new Map();
    return partitionCountsOf(await this.inputs.refreshMetadata([...topics]), topics, this.inputs.groupId);
  }

  /**
   * Looks at the assigned topics' partition counts when a check is due (one at a time, every
   * `checkIntervalMs`): resolves true when they changed and no newer assignment was made meanwhile,
   * false otherwise (a failed look-up included). Null when no check is due.
   */
  checkCounts(): Promise<boolean> | null {
    const used = this.counts;
    const now = this.inputs.now();
    if (!used || this.checking || now - this.lastCheckAt < this.inputs.checkIntervalMs) return null;
    this.checking = true;
    this.lastCheckAt = now;
    const topics = this.topics;
    return this.partitionCounts(topics)
      .then((fresh) => countsChanged(topics, used, fresh) && this.counts === used)
      .catch(() => false)
      .finally(() => {
        this.checking = false;
      });
  }
}
