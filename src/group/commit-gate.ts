/**
 * When a member's commit may go: only for partitions it owns (or is revoking), only in a
 * generation, never while a rebalance is in flight (the coordinator would fence the old
 * generation or answer REBALANCE_IN_PROGRESS), and once more in the new generation when a
 * rebalance overtook it. Handed the member's state and the sender; sends nothing itself.
 */
import { KafkaError } from '../protocol/kafka-error.js';
import { uniquePartitions } from './assignment-diff.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { isFencingError, isRebalanceInProgressError, PartitionNotOwnedError } from './errors.js';
import type { OffsetToCommit } from './membership-contracts.js';
import type { CommitIdentity } from './offsets.js';

/** The member as a commit sees it. */
export interface CommittingMember {
  generationId: number;
  memberId: string;
  owned: readonly TopicPartition[];
}

/** What a {@link CommitGate} is handed. */
export interface CommitGateInputs {
  groupId: string;
  groupInstanceId: string | null;
  /** Longest a commit waits for a rebalance in flight before trying anyway, ms. */
  settleTimeoutMs: number;
  /** The member now (read at every decision). */
  member(): CommittingMember;
  /** Sends the commit to the coordinator. */
  send(identity: CommitIdentity, offsets: readonly OffsetToCommit[]): Promise<void>;
  /** A commit as `identity` was fenced with `errorCode`: the member acts on it now rather than at the next heartbeat. */
  fenced(identity: CommitIdentity, errorCode: number): void;
  /**
   * A commit was refused with STALE_MEMBER_EPOCH for the epoch the member still holds (KIP-848: the
   * broker moved the epoch on and the heartbeat bringing it is on its way). The member marks a
   * rebalance in flight ({@link CommitGate.setRebalancing}) until that answer comes, and the commit
   * is retried then.
   */
  stale?(identity: CommitIdentity): void;
}

/** The distinct partitions of `offsets` owned neither now nor among those being revoked. */
export function notOwnedPartitions(
  offsets: readonly TopicPartition[],
  owned: readonly TopicPartition[],
  revoking: readonly TopicPartition[],
): TopicPartition[] {
  const has = (list: readonly TopicPartition[], o: TopicPartition) => list.some((tp) => tp.topic === o.topic && tp.partition === o.partition);
  return uniquePartitions(offsets.filter((o) => !has(owned, o) && !has(revoking, o)));
}

/**
 * What a failed commit of generation `sentGeneration` means:
 * - `moved-on`: ILLEGAL_GENERATION for a generation a rebalance has already left (or is leaving):
 *   not a fence of what the member holds now; retried in the new generation;
 * - `rebalancing`: REBALANCE_IN_PROGRESS; retried once the rebalance ended;
 * - `fenced`: the assignment is gone (see `isFencingError`);
 * - `stale`: STALE_MEMBER_EPOCH (KIP-848) for the epoch the member still holds: retried once the
 *   next heartbeat answer brings the new epoch (a newer epoch already known makes it `moved-on`);
 * - `other`: anything else, passed on.
 */
export function classifyCommitFailure(
  err: unknown,
  sentGeneration: number,
  currentGeneration: number,
  rebalancing: boolean,
): 'moved-on' | 'rebalancing' | 'stale' | 'fenced' | 'other' {
  if (err instanceof KafkaError && err.errorCode === ErrorCode.ILLEGAL_GENERATION && (rebalancing || currentGeneration !== sentGeneration)) return 'moved-on';
  // KIP-848: the member epoch moved on. Retried with the newer epoch, now or once it is known.
  if (err instanceof KafkaError && err.errorCode === ErrorCode.STALE_MEMBER_EPOCH) return currentGeneration !== sentGeneration ? 'moved-on' : 'stale';
  if (isFencingError(err)) return 'fenced';
  if (isRebalanceInProgressError(err)) return 'rebalancing';
  return 'other';
}

/** Gates a member's commits; see the module comment. */
export class CommitGate {
  private inFlight = false;
  private waiters: (() => void)[] = [];
  private revokingNow: readonly TopicPartition[] = [];

  constructor(private readonly inputs: CommitGateInputs) {}

  /** True from sending a JoinGroup until its SyncGroup (or failure) is answered. */
  get rebalancing(): boolean {
    return this.inFlight;
  }

  /** A JoinGroup was sent (true), or the rebalance ended (false): commits waiting for it go. */
  setRebalancing(value: boolean): void {
    this.inFlight = value;
    if (!value) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Partitions being revoked: still the member's to commit until the listener returns (empty when done). */
  setRevoking(partitions: readonly TopicPartition[]): void {
    this.revokingNow = [...partitions];
  }

  /**
   * Commits `offsets` in the current generation once no rebalance is in flight. Rejects with
   * {@link PartitionNotOwnedError} (nothing sent) when a partition is not owned, or with the
   * coordinator's refusal.
   */
  async commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.settled();
    const failed = await this.attempt(offsets);
    if (failed === null) return;
    // The commit reached the coordinator between JoinGroup and SyncGroup of a rebalance another
    // member started (REBALANCE_IN_PROGRESS), or after that rebalance had moved the generation on
    // (ILLEGAL_GENERATION for the old one while this member is rejoining or has rejoined): retry
    // once the new generation is in place, if the partitions stayed (attempt refuses them
    // otherwise). Without this a cooperative member kept those partitions in the new generation
    // while its commits of them stayed refused: a clean revoke then left the commit below the
    // acked prefix (CI, invariants.test.ts I2).
    if (!failed.retry) throw failed.error;
    await this.settled();
    const again = await this.attempt(offsets);
    if (again !== null) throw again.error;
  }

  /** One commit in the current generation: null when it went through, else its error and whether to retry it. */
  private async attempt(offsets: readonly OffsetToCommit[]): Promise<{ error: unknown; retry: boolean } | null> {
    const { groupId, groupInstanceId } = this.inputs;
    const member = this.inputs.member();
    const notOwned = notOwnedPartitions(offsets, member.owned, this.revokingNow);
    if (notOwned.length > 0 || member.generationId < 0) throw new PartitionNotOwnedError(groupId, notOwned.length > 0 ? notOwned : offsets);
    const identity: CommitIdentity = { generationId: member.generationId, memberId: member.memberId, groupInstanceId };
    try {
      await this.inputs.send(identity, offsets);
      return null;
    } catch (error) {
      const kind = classifyCommitFailure(error, identity.generationId, this.inputs.member().generationId, this.inFlight);
      if (kind === 'fenced' && error instanceof KafkaError) this.inputs.fenced(identity, error.errorCode);
      if (kind === 'stale') this.inputs.stale?.(identity);
      return { error, retry: kind === 'moved-on' || kind === 'rebalancing' || (kind === 'stale' && this.inputs.stale !== undefined) };
    }
  }

  /** Resolves when no JoinGroup/SyncGroup is in flight (at once when none is), or after the settle timeout. */
  private settled(): Promise<void> {
    if (!this.inFlight) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiters = this.waiters;
      const timer = setTimeout(done, this.inputs.settleTimeoutMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }
}
