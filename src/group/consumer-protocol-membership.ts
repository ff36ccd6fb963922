/**
 * Membership of a KIP-848 consumer group (`groupProtocol: 'consumer'`, Kafka 4.0+): one
 * ConsumerGroupHeartbeat joins, keeps the member alive, reports what it owns and leaves; the broker
 * assigns and moves partitions incrementally, a few at a time, without stopping the group.
 *
 * The contract is the classic membership's (membership.ts), through the same
 * {@link MembershipListener}:
 * - Reconciling an assignment revokes first and assigns after, one assignment at a time: a revoked
 *   partition stops delivering, drains up to the drain timeout and commits its acked prefix with the
 *   member epoch (still valid: the broker bumps it only once the member reports the partition
 *   released), and only then is reported released, by the heartbeat sent as soon as the listener
 *   returns. The broker hands a partition to its next owner only after that report, so the next
 *   owner starts at the committed offset.
 * - Heartbeats run on their own loop at the interval the broker sets and never wait for the
 *   listener; while a revocation drains they keep reporting the partitions as still owned.
 * - FENCED_MEMBER_EPOCH or UNKNOWN_MEMBER_ID (in a heartbeat or a commit answer): the partitions are
 *   lost (nothing committed), and the member rejoins at epoch 0 with the same member id.
 * - stop() revokes everything (drain, commit) while still heartbeating, then leaves with epoch -1,
 *   or -2 for a static member that keeps its partitions for its session (as Java).
 * - Commits carry the member epoch (commit-gate.ts); STALE_MEMBER_EPOCH waits for the next heartbeat
 *   answer and retries once with the epoch it brings.
 */
import { EventEmitter } from 'node:events';
import type { Cluster } from '../cluster/cluster.js';
import { backoffDelay, isRetriable, RetriesExhaustedError } from '../cluster/retry.js';
import { ConsumerGroupHeartbeat } from '../protocol/apis/consumer-group-heartbeat.js';
import { ZERO_UUID, type ResponseOut } from '../protocol/schema.js';
import { GroupAuthorizationError, KafkaError, kafkaErrorOf } from '../protocol/kafka-error.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { AbortedError, KafkaStageError } from '../errors.js';
import { partitionsField, type Logger } from '../logger.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { diffAssignment, uniquePartitions, withoutPartitions } from './assignment-diff.js';
import { CommitGate } from './commit-gate.js';
import { callListener } from './listener-call.js';
import { StartSignal } from './start-signal.js';
import {
  heartbeatBody,
  heartbeatOutcome,
  JOIN_EPOCH,
  leaveBody,
  newMemberId,
  ownedByTopicId,
  REGEX_VERSION,
  resolveAssignment,
  type HeartbeatOutcome,
} from './consumer-heartbeat.js';
import { GroupCoordinator } from './coordinator.js';
import type { MembershipEvents, MembershipHandle, MembershipListener, MembershipStopOptions, OffsetToCommit } from './membership-contracts.js';
import { commitOffsetsTo, committedOffsetNumbers, fetchCommittedOffsetsFrom } from './offsets.js';

/** What a consumer-protocol member needs of the consumer group options. */
export interface ConsumerProtocolOptions {
  groupId: string;
  /** Subscribed topics; unused when `topicRegex` is set. */
  topics: readonly string[];
  /** A subscription the broker evaluates (RE2/J), or null. */
  topicRegex: string | null;
  /** The broker-side assignor, or null for the broker's default. */
  serverAssignor: string | null;
  groupInstanceId: string | null;
  /** How long the broker waits for this member to release revoked partitions, ms. */
  rebalanceTimeoutMs: number;
}

/** Where a consumer-protocol member is. */
export type ConsumerProtocolPhase = 'idle' | 'joining' | 'stable' | 'reconciling' | 'stopped' | 'failed';

/** The assignment as the broker sent it: partitions by topic id. */
type Assignment = readonly { topicId: string; partitions: readonly number[] }[];

/** OffsetFetch refusals of the member epoch that a non-member fetch answers instead (see fetchCommittedOffsets). */
const EPOCH_REFUSALS: ReadonlySet<number> = new Set([ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID]);

/** Heartbeat interval used until the broker names one (Kafka's default). */
const DEFAULT_INTERVAL_MS = 5_000;

/**
 * The error a member fails with for a fatal heartbeat answer: the group named in an authorization
 * error; UNSUPPORTED_VERSION said as what it means here (Kafka 3.x lists ConsumerGroupHeartbeat
 * but answers it so unless its preview of the protocol is switched on).
 */
function fatalHeartbeatError(error: KafkaError, groupId: string, brokerMessage: string | null): KafkaStageError {
  if (error instanceof GroupAuthorizationError && error.groupId === null) return new GroupAuthorizationError({ ...error.context, group: groupId }, { brokerMessage });
  if (error.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
    return new KafkaStageError(
      'ERR_UNSUPPORTED_VERSION',
      `group ${groupId}: the coordinator does not serve groupProtocol 'consumer' (KIP-848): it needs Kafka 4.0+, or 'consumer' in the broker's group.coordinator.rebalance.protocols; use groupProtocol 'classic'`,
      { cause: error, context: { api: 'ConsumerGroupHeartbeat', group: groupId } },
    );
  }
  return error;
}

/** One member of a KIP-848 consumer group; see the module comment. */
export class ConsumerProtocolMembership extends EventEmitter<MembershipEvents> implements MembershipHandle {
  /** The coordinator connection (shared by heartbeats, commits and offset fetches). */
  readonly coordinator: GroupCoordinator;
  private readonly options: ConsumerProtocolOptions;
  private readonly commits: CommitGate;
  private readonly memberIdOfClient = newMemberId();
  private memberIdValue = this.memberIdOfClient;
  private epoch = JOIN_EPOCH;
  private intervalMs = DEFAULT_INTERVAL_MS;
  private owned: TopicPartition[] = [];
  /** Partitions whose revocation (drain, commit) is under way: still reported as owned. */
  private revoking: TopicPartition[] = [];
  /** The newest assignment not yet reconciled, and one whose topic ids metadata did not name yet. */
  private target: Assignment | null = null;
  private unresolved: Assignment | null = null;
  private reconciling = false;
  /** Bumped at every fencing: a reconciliation of an older assignment stops where it is. */
  private fencings = 0;
  private fencing: Promise<void> | null = null;
  /** Listener work (reconciling, losing, the final revoke), one at a time. */
  private work: Promise<void> = Promise.resolve();
  private readonly topicIds = new Map<string, string>();
  private readonly topicNames = new Map<string, string>();

  private loop: Promise<void> | null = null;
  private readonly loopAbort = new AbortController();
  private wakeLoop: (() => void) | null = null;
  private beatAgain = false;
  private failure: Error | null = null;
  /** A join went out under the member id this client made (v1+), so a leave can name it. */
  private joinSentWithOwnId = false;

  private started: StartSignal | null = null;
  private stopping: Promise<void> | null = null;
  private stopRequested = false;
  private stopped = false;

  /**
   * @param cluster the cluster client (coordinator look-ups, topic ids)
   * @param options group, subscription and rebalance timeout (a ResolvedConsumerGroupOptions will do)
   * @param listener told of assigned, revoked and lost partitions; its promises are awaited
   * @param coordinator the coordinator client to use; default a new one. {@link stop} closes it.
   */
  constructor(
    private readonly cluster: Cluster,
    options: ConsumerProtocolOptions,
    private readonly listener: MembershipListener,
    coordinator?: GroupCoordinator,
  ) {
    super();
    this.options = { ...options, topics: [...options.topics] };
    this.coordinator = coordinator ?? new GroupCoordinator(cluster, options.groupId);
    this.commits = new CommitGate({
      groupId: options.groupId,
      groupInstanceId: options.groupInstanceId,
      settleTimeoutMs: cluster.options.requestTimeoutMs * 2,
      member: () => ({ generationId: this.epoch, memberId: this.memberIdValue, owned: this.owned }),
      send: (identity, offsets) => commitOffsetsTo(this.coordinator, identity, offsets),
      fenced: (identity) => {
        // Fenced commit: the assignment is gone. Act on it now rather than at the next heartbeat.
        if (identity.generationId === this.epoch && identity.generationId > 0) void this.fence('a commit was fenced');
      },
      stale: () => {
        // The broker moved the member's epoch on; the next heartbeat answer brings it.
        this.commits.setRebalancing(true);
        this.beatNow();
      },
    });
  }

  /** The member epoch, the commit fence of this protocol (0 before joining). */
  get generationId(): number {
    return this.epoch;
  }

  /** The member id (made by this client, KIP-1082; kept across rejoins). */
  get memberId(): string {
    return this.memberIdValue;
  }

  /** Where the member is. */
  get phase(): ConsumerProtocolPhase {
    if (this.failure) return 'failed';
    if (this.stopped) return 'stopped';
    if (this.loop === null) return 'idle';
    if (this.epoch <= 0) return 'joining';
    return this.reconciling || this.revoking.length > 0 ? 'reconciling' : 'stable';
  }

  /** The partitions owned now (not those being revoked). */
  get assignment(): readonly TopicPartition[] {
    return this.owned;
  }

  /**
   * Joins the group and resolves once the first assignment was handed to the listener. Rejects on
   * a fatal group error, or when stopped first. Calling it again returns the same promise.
   */
  start(): Promise<void> {
    if (this.started) return this.started.promise;
    if (this.stopRequested) return Promise.reject(new KafkaStageError('ERR_CLOSED', `group ${this.options.groupId}: membership already stopped`));
    this.started = new StartSignal();
    const promise = this.started.promise;
    this.loop = this.run();
    return promise;
  }

  /**
   * Leaves: revokes every owned partition (awaiting the listener, which drains and commits) while
   * heartbeats go on, then leaves with epoch -1 (or -2 for a static member unless `leaveGroup`)
   * and closes the coordinator connection. Idempotent.
   */
  stop(options: MembershipStopOptions = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopRequested = true;
    const leave = options.leaveGroup ?? this.options.groupInstanceId === null;
    this.stopping = (async () => {
      // Not a member yet: nothing to drain, and a join still looking for the coordinator is abandoned.
      if (this.epoch <= 0) this.endLoop();
      await this.enqueue(async () => {
        const all = uniquePartitions([...this.owned]);
        if (all.length > 0) await this.revoke(all, 'stopping');
      });
      this.endLoop();
      await this.loop;
      // A join the broker may have taken (sent, its answer abandoned) is left too: else the broker
      // would hold partitions for a member that is gone until its session expires.
      if ((this.epoch > 0 || this.joinSentWithOwnId) && this.failure === null) await this.leave(!leave && this.options.groupInstanceId !== null);
      this.stopped = true;
      this.commits.setRebalancing(false);
      this.settleStart(new KafkaStageError('ERR_CLOSED', `group ${this.options.groupId}: membership stopped before the first assignment`));
    })().finally(() => this.coordinator.close());
    return this.stopping;
  }

  /** Commits offsets of owned partitions with the member epoch; see commit-gate.ts. */
  commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void> {
    return this.commits.commit(offsets);
  }

  /**
   * Committed offsets of `partitions` (by `topic:partition`), null where the group has none;
   * `signal` cuts retries short. Asked with the member epoch (KIP-848). When the coordinator finds
   * the epoch stale (the next heartbeat answer brings a newer one) or fenced (the member is losing
   * its partitions and rejoins), the offsets are asked again as a non-member: a race with the
   * heartbeat must not fail a partition's start, and the loss of a fenced member's partitions is
   * handled by the fencing itself.
   */
  async fetchCommittedOffsets(partitions: readonly TopicPartition[], signal?: AbortSignal): Promise<Map<string, number | null>> {
    const member = () => ({ memberId: this.memberIdValue, memberEpoch: this.epoch });
    let committed: Awaited<ReturnType<typeof fetchCommittedOffsetsFrom>>;
    try {
      committed = await fetchCommittedOffsetsFrom(this.coordinator, partitions, { signal, member });
    } catch (err) {
      if (!(err instanceof KafkaError) || !EPOCH_REFUSALS.has(err.errorCode)) throw err;
      this.logger.debug('OffsetFetch refused the member epoch; asking as a non-member', { ...this.logFields(), error: err.message });
      committed = await fetchCommittedOffsetsFrom(this.coordinator, partitions, { signal });
    }
    return committedOffsetNumbers(committed);
  }

  // ---- the heartbeat loop ---------------------------------------------------------------------

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.loopAbort.signal.aborted && this.failure === null) {
      const outcome = await this.beat();
      if (this.loopAbort.signal.aborted || this.failure !== null) break;
      if (outcome === 'fenced') {
        await this.fence('the coordinator fenced this member');
        continue;
      }
      failures = outcome === 'ok' ? 0 : failures + 1;
      const again = this.beatAgain;
      this.beatAgain = false;
      await this.sleep(outcome === 'ok' ? (again ? 0 : this.intervalMs) : backoffDelay(failures, this.cluster.options.retry));
    }
  }

  /** One heartbeat and what its answer means. */
  private async beat(): Promise<HeartbeatOutcome | 'stop'> {
    const { groupId, groupInstanceId, rebalanceTimeoutMs, topics, topicRegex, serverAssignor } = this.options;
    const sentEpoch = this.epoch;
    // This beat reports the state as it is now: an earlier ask for a prompt beat is answered by it.
    this.beatAgain = false;
    const held = [...this.owned, ...this.revoking];
    let response: ResponseOut<typeof ConsumerGroupHeartbeat>;
    try {
      ({ response } = await this.coordinator.request(
        ConsumerGroupHeartbeat,
        (version) => {
          if (topicRegex !== null && version < REGEX_VERSION) {
            throw new KafkaStageError('ERR_UNSUPPORTED_VERSION', `group ${groupId}: topicRegex needs ConsumerGroupHeartbeat v${REGEX_VERSION} (Kafka 4.0+); the coordinator speaks v${version}`);
          }
          if (sentEpoch === JOIN_EPOCH && version >= REGEX_VERSION) this.joinSentWithOwnId = true;
          return heartbeatBody({
            groupId,
            // Before v1 (KIP-1082) the coordinator makes the id: a join names none, and the answer's is kept.
            memberId: version < REGEX_VERSION && sentEpoch === JOIN_EPOCH ? '' : this.memberIdValue,
            memberEpoch: sentEpoch,
            instanceId: groupInstanceId,
            rebalanceTimeoutMs,
            topics,
            topicRegex,
            serverAssignor,
            owned: ownedByTopicId(held, (topic) => this.topicIds.get(topic)),
          });
        },
        { signal: this.loopAbort.signal, errorOf: (r) => r.errorCode },
      ));
    } catch (err) {
      if (this.loopAbort.signal.aborted || err instanceof AbortedError) return 'stop';
      // A coordinator not found within the retry deadline is retried too (as the classic member
      // does): a cluster that is down for a while must not end the membership.
      if (isRetriable(err) || err instanceof RetriesExhaustedError) {
        this.logger.warn('group heartbeat failed; retrying', { ...this.logFields(), error: err instanceof Error ? err.message : String(err) });
        return 'retry';
      }
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return 'fatal';
    }
    const outcome = heartbeatOutcome(response.errorCode);
    if (outcome !== 'ok') {
      const error = kafkaErrorOf(response.errorCode, { api: 'ConsumerGroupHeartbeat', group: groupId, broker: this.coordinator.current?.nodeId }, { brokerMessage: response.errorMessage });
      if (outcome === 'fatal') this.fail(fatalHeartbeatError(error, groupId, response.errorMessage));
      // A coordinator moving or loading is routine (a new group, a broker restart): debug, not warn.
      else if (outcome === 'coordinator') this.logger.debug('group coordinator moved or is loading; looking it up again', { ...this.logFields(), error: error.message });
      else if (outcome === 'retry') this.logger.warn('group heartbeat refused; retrying', { ...this.logFields(), error: error.message });
      return outcome;
    }
    if (sentEpoch !== this.epoch) return 'ok'; // fenced meanwhile: this answer is for an old incarnation
    this.accept(response);
    return 'ok';
  }

  /** A successful answer: the epoch, the interval, and an assignment to reconcile. */
  private accept(response: ResponseOut<typeof ConsumerGroupHeartbeat>): void {
    const joining = this.epoch === JOIN_EPOCH;
    if (response.memberId !== null && response.memberId !== '') this.memberIdValue = response.memberId;
    this.epoch = response.memberEpoch;
    if (response.heartbeatIntervalMs > 0) this.intervalMs = response.heartbeatIntervalMs;
    this.commits.setRebalancing(false);
    if (joining) {
      this.logger.info('group joined', { ...this.logFields(), protocol: 'consumer', heartbeatIntervalMs: this.intervalMs });
      this.emit('joined', { generationId: this.epoch, memberId: this.memberIdValue, leaderId: '', leader: false, protocol: this.options.serverAssignor });
    }
    if (response.assignment !== null) {
      this.target = response.assignment.topicPartitions;
      this.unresolved = null;
    } else if (this.unresolved !== null && this.target === null) {
      // Topic ids metadata did not name last time: try again.
      this.target = this.unresolved;
      this.unresolved = null;
    }
    if (this.target !== null) this.kickReconcile();
  }

  // ---- reconciling ----------------------------------------------------------------------------

  private kickReconcile(): void {
    if (this.reconciling || this.stopRequested) return;
    this.reconciling = true;
    void this.enqueue(async () => {
      try {
        for (let next = this.target; next !== null && !this.stopRequested; next = this.target) {
          this.target = null;
          await this.reconcile(next);
        }
      } finally {
        this.reconciling = false;
      }
    });
  }

  /** Revokes what the assignment no longer has, then assigns what it adds; then heartbeats at once. */
  private async reconcile(assignment: Assignment): Promise<void> {
    const fencings = this.fencings;
    const { partitions, unknownTopicIds } = await this.resolve(assignment);
    if (fencings !== this.fencings || this.stopRequested) return;
    if (unknownTopicIds.length > 0) {
      this.unresolved = assignment;
      this.logger.warn('group assignment names topics metadata does not know yet; they follow once it does', { ...this.logFields(), topicIds: unknownTopicIds.join(',') });
    }
    // Keep what is still assigned even when its topic's id could not be read this time.
    const { revoked, added } = diffAssignment(this.owned, partitions);
    const reallyRevoked = unknownTopicIds.length > 0 ? revoked.filter((tp) => !unknownTopicIds.includes(this.topicIds.get(tp.topic) ?? '')) : revoked;
    if (reallyRevoked.length > 0) await this.revoke(reallyRevoked, 'revoked');
    if (fencings !== this.fencings || this.stopRequested) return;
    if (added.length > 0) {
      this.owned = uniquePartitions([...this.owned, ...added]);
      this.logger.info('group partitions assigned', { ...this.logFields(), assigned: partitionsField(added), owned: this.owned.length });
      await this.callListener('onAssigned', () => this.listener.onAssigned(added, this.epoch));
    }
    this.settleStart(null);
    // Tell the broker at once what is owned now: it moves the member on (and frees what was revoked).
    this.beatNow();
  }

  /** Gives `partitions` up cleanly: the listener drains and commits while they are still reported as owned. */
  private async revoke(partitions: readonly TopicPartition[], why: 'revoked' | 'stopping'): Promise<void> {
    this.owned = withoutPartitions(this.owned, partitions);
    this.revoking = [...partitions];
    this.commits.setRevoking(partitions);
    this.logger.info(why === 'revoked' ? 'group partitions revoked' : 'group partitions released (stopping)', { ...this.logFields(), partitions: partitionsField(partitions) });
    try {
      await this.callListener('onRevoked', () => this.listener.onRevoked(partitions));
    } finally {
      this.commits.setRevoking([]);
      this.revoking = [];
    }
  }

  /** Topic names of the assignment's ids, from metadata (refreshed once when an id is unknown). */
  private async resolve(assignment: Assignment): Promise<{ partitions: TopicPartition[]; unknownTopicIds: string[] }> {
    const nameOf = (id: string) => this.topicNames.get(id);
    this.learnTopicIds();
    let resolved = resolveAssignment(assignment, nameOf);
    if (resolved.unknownTopicIds.length === 0) return resolved;
    try {
      // A regex subscription names no topics: every topic's id is needed then.
      await this.cluster.refreshMetadata(this.options.topicRegex === null ? [...this.options.topics] : null);
    } catch (err) {
      this.logger.warn('metadata refresh for the assignment failed', { ...this.logFields(), error: err instanceof Error ? err.message : String(err) });
    }
    this.learnTopicIds();
    resolved = resolveAssignment(assignment, nameOf);
    return resolved;
  }

  private learnTopicIds(): void {
    for (const [name, info] of this.cluster.metadata?.topics ?? []) {
      if (info.topicId === ZERO_UUID) continue;
      this.topicIds.set(name, info.topicId);
      this.topicNames.set(info.topicId, name);
    }
  }

  /**
   * The member was fenced: its partitions are lost (the listener stops them, nothing committed),
   * and it rejoins at epoch 0 with the same member id. A reconciliation under way stops first.
   */
  private fence(why: string): Promise<void> {
    this.fencing ??= (async () => {
      this.fencings++;
      this.target = null;
      this.unresolved = null;
      this.logger.warn('group member fenced; its partitions are lost and it rejoins', { ...this.logFields(), reason: why });
      await this.enqueue(async () => {
        const lost = uniquePartitions([...this.owned, ...this.revoking]);
        this.owned = [];
        if (lost.length > 0) {
          this.logger.warn('group partitions lost (this member was fenced or its session expired)', { ...this.logFields(), partitions: partitionsField(lost) });
          await this.callListener('onLost', () => this.listener.onLost(lost));
        }
      });
      this.epoch = JOIN_EPOCH;
      this.commits.setRebalancing(false);
    })().finally(() => {
      this.fencing = null;
    });
    return this.fencing;
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.logger.error('group membership failed', { ...this.logFields(), error: error.message });
    this.reportError(error);
    this.settleStart(error);
    // Nothing more is committed in this membership: whatever it held is lost.
    void this.enqueue(async () => {
      const lost = uniquePartitions([...this.owned]);
      this.owned = [];
      if (lost.length > 0) await this.callListener('onLost', () => this.listener.onLost(lost));
    });
  }

  private async leave(staticLeave: boolean): Promise<void> {
    if (this.coordinator.current === null) return;
    const abandon = new AbortController();
    const timer = setTimeout(() => abandon.abort(), this.cluster.options.requestTimeoutMs);
    try {
      const { groupId, groupInstanceId } = this.options;
      await this.coordinator.request(ConsumerGroupHeartbeat, () => leaveBody(groupId, this.memberIdValue, groupInstanceId, staticLeave), { signal: abandon.signal });
    } catch {
      // Leaving is a courtesy: without it the coordinator drops the member after its session timeout.
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.work.then(task, task);
    this.work = next.catch(() => undefined);
    return next;
  }

  /** Sends the next heartbeat now (or right after the one in flight). */
  private beatNow(): void {
    this.beatAgain = true;
    this.wakeLoop?.();
  }

  private endLoop(): void {
    this.loopAbort.abort();
    this.wakeLoop?.();
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.loopAbort.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      // Heartbeats alone must not keep the process alive.
      timer.unref();
      const wake = (): void => done();
      this.wakeLoop = wake;
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wakeLoop = null;
    });
  }

  private settleStart(error: Error | null): void {
    this.started?.done(error);
  }

  private async callListener(name: string, call: () => Promise<void>): Promise<void> {
    const failure = await callListener(this.options.groupId, name, call);
    if (failure) this.reportError(failure);
  }

  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private get logger(): Logger {
    return this.cluster.options.logger;
  }

  private logFields(): { group: string; memberId: string; memberEpoch: number } {
    return { group: this.options.groupId, memberId: this.memberIdValue, memberEpoch: this.epoch };
  }

}
