/**
 * Membership of a classic consumer group: join, sync, heartbeat, leave, and the commits of the
 * member. This class is the driver: it sends the requests, runs the timers, and calls the
 * {@link MembershipListener} back. The deciding is done elsewhere, each part handed its inputs:
 * membership-state.ts (the pure state machine, session expiry included), rebalance-requests.ts
 * (request bodies and the events their answers make), heartbeat.ts, leader-assignment.ts (running
 * the assignor, watching partition counts) and commit-gate.ts (when a commit may go).
 *
 * - Events are handled one at a time, in order; listener callbacks (revoke, assign, lost) are
 *   awaited before the next step, so the member never rejoins before its partitions are drained
 *   and committed.
 * - Heartbeats run on their own timer and never wait for listener work: processing never delays one. They stop
 *   while a JoinGroup or SyncGroup is in flight (the coordinator does not expect them then). A
 *   member with no heartbeat answered for a session timeout looks the coordinator up again and
 *   keeps its assignment until the coordinator answers that it expired (as the Java client): a
 *   coordinator failover outlasting the session timeout is not a rebalance.
 * - Coordinator requests use a connection of their own (see coordinator.ts); JoinGroup's timeout
 *   covers the rebalance timeout, since the broker holds it until the group has rejoined.
 * - Commits are made in the member's current generation and only for partitions it owns; a commit
 *   asked for while a rebalance is in flight waits for it to end (the Java client refuses such
 *   commits outright), since the coordinator would fence the old generation or answer
 *   REBALANCE_IN_PROGRESS.
 */
import { EventEmitter } from 'node:events';
import type { Cluster } from '../cluster/cluster.js';
import { backoffDelay } from '../cluster/retry.js';
import { JoinGroup } from '../protocol/apis/join-group.js';
import { LeaveGroup } from '../protocol/apis/leave-group.js';
import { SyncGroup } from '../protocol/apis/sync-group.js';
import { GroupAuthorizationError } from '../protocol/kafka-error.js';
import { AbortedError, KafkaStageError } from '../errors.js';
import { partitionsField, type Logger } from '../logger.js';
import type { JoinedMember } from './assignors/index.js';
import { CommitGate } from './commit-gate.js';
import { callListener } from './listener-call.js';
import { StartSignal } from './start-signal.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { GroupCoordinator } from './coordinator.js';
import { HeartbeatSender } from './heartbeat.js';
import { LeaderAssignment } from './leader-assignment.js';
import { isCooperative, joinProtocols } from './member-protocol.js';
import type {
  GroupMembershipOptions,
  MembershipEvents,
  MembershipHandle,
  MembershipListener,
  MembershipStopOptions,
  OffsetToCommit,
} from './membership-contracts.js';
import {
  initialMembershipState,
  step,
  stepSession,
  type MembershipEffect,
  type MembershipEvent,
  type MembershipPhase,
  type MembershipState,
  type SessionEffect,
  type SessionEvent,
} from './membership-state.js';
import { MissingTopicWatch } from './missing-topics.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { commitOffsetsTo, committedOffsetNumbers, fetchCommittedOffsetsFrom } from './offsets.js';
import {
  JOIN_TIMEOUT_MARGIN_MS,
  joinGroupBody,
  joinResponseEvent,
  joinTimeoutMs,
  leaveGroupBody,
  requestFailedEvent,
  syncGroupBody,
  syncResponseEvent,
} from './rebalance-requests.js';

/** One member of a classic consumer group; see the module comment. */
export class GroupMembership extends EventEmitter<MembershipEvents> implements MembershipHandle {
  /** The coordinator connection (shared by commits and offset fetches). */
  readonly coordinator: GroupCoordinator;
  private readonly options: GroupMembershipOptions;
  private state: MembershipState;
  private readonly queue: MembershipEvent[] = [];
  private pumping = false;
  /** Sent with the next JoinGroup (v8+), for the broker's log. */
  private joinReason = 'joining';
  private backoffAttempt = 0;
  private wakeBackoff: (() => void) | null = null;

  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly heartbeats: HeartbeatSender;
  private readonly leader: LeaderAssignment;
  private readonly commits: CommitGate;
  private rebalanceAbort: AbortController | null = null;
  /** The leader's look-ups of subscribed topics that do not exist yet (see missing-topics.ts). */
  private readonly missingTopics: MissingTopicWatch;

  private started: StartSignal | null = null;
  private stopping: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;
  private stopRequested = false;

  /**
   * @param cluster the cluster client (metadata for the leader's assignment, coordinator lookups)
   * @param options group, topics, timeouts and assignors (a ResolvedConsumerGroupOptions will do)
   * @param listener told of assigned, revoked and lost partitions; its promises are awaited
   * @param coordinator the coordinator client to use; default a new one. {@link stop} closes it.
   */
  constructor(
    private readonly cluster: Cluster,
    options: GroupMembershipOptions,
    private readonly listener: MembershipListener,
    coordinator?: GroupCoordinator,
  ) {
    super();
    if (options.assignors.length === 0) throw new KafkaStageError('ERR_INVALID_OPTION', 'membership needs at least one assignor', { context: { option: 'assignors' } });
    this.options = { ...options, topics: [...options.topics], assignors: [...options.assignors] };
    const { groupId, groupInstanceId, sessionTimeoutMs, rebalanceTimeoutMs } = this.options;
    this.coordinator = coordinator ?? new GroupCoordinator(cluster, groupId);
    this.state = initialMembershipState(isCooperative(this.options.assignors), sessionTimeoutMs);
    this.heartbeats = new HeartbeatSender({
      coordinator: this.coordinator,
      groupId,
      groupInstanceId,
      timeoutMs: Math.min(cluster.options.requestTimeoutMs, sessionTimeoutMs),
      alive: () => this.alive(),
      refused: (generationId, memberId, errorCode) => this.post({ type: 'heartbeat-response', generationId, memberId, errorCode }),
    });
    this.leader = new LeaderAssignment({
      groupId,
      refreshMetadata: (topics) => cluster.refreshMetadata(topics),
      checkIntervalMs: cluster.options.metadataMaxAgeMs,
      now: () => Date.now(),
      missing: (topics) => this.missingTopics.update(topics),
    });
    this.commits = new CommitGate({
      groupId,
      groupInstanceId,
      settleTimeoutMs: rebalanceTimeoutMs + JOIN_TIMEOUT_MARGIN_MS,
      member: () => this.state,
      send: (identity, offsets) => commitOffsetsTo(this.coordinator, identity, offsets),
      // Fenced: the assignment is gone. Act on it now rather than at the next heartbeat.
      fenced: (identity, errorCode) => this.post({ type: 'heartbeat-response', generationId: identity.generationId, memberId: identity.memberId, errorCode }),
    });
    this.missingTopics = new MissingTopicWatch({
      logger: cluster.options.logger,
      what: 'subscribed topic does not exist',
      fields: { group: groupId },
      // Only a stable leader looks: a rebalance in flight assigns from fresh metadata anyway.
      lookUp: async () => {
        if (this.state.phase !== 'stable' || !this.isLeader || this.commits.rebalancing) return 'skip';
        const topics = this.leader.assignedTopics;
        const counts = await this.leader.partitionCounts(topics);
        return topics.filter((topic) => !counts.has(topic));
      },
      appeared: (topics) => this.requestRejoin(`subscribed topic ${topics.join(', ')} appeared`),
    });
  }

  /** The current generation, -1 when none. */
  get generationId(): number {
    return this.state.generationId;
  }

  /** The member id given by the coordinator; empty before joining. */
  get memberId(): string {
    return this.state.memberId;
  }

  /** Where the member is: idle, joining, syncing, stable, stopped or failed. */
  get phase(): MembershipPhase {
    return this.state.phase;
  }

  /** True under the cooperative protocol (every configured assignor is cooperative). */
  get cooperative(): boolean {
    return this.state.cooperative;
  }

  /** The partitions owned now. */
  get assignment(): readonly TopicPartition[] {
    return this.state.owned;
  }

  /** Heartbeats sent so far (for tests and diagnostics). */
  get heartbeatsSent(): number {
    return this.heartbeats.sent;
  }

  /** True when this member led the last join. */
  get isLeader(): boolean {
    return this.state.memberId !== '' && this.state.leaderId === this.state.memberId;
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
    this.heartbeatTimer = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    // Heartbeats alone must not keep the process alive (Java's heartbeat thread is a daemon too).
    this.heartbeatTimer.unref();
    this.post({ type: 'start' });
    return promise;
  }

  /**
   * Leaves: revokes every owned partition (awaiting the listener, which drains and commits), sends
   * LeaveGroup (see {@link MembershipStopOptions}), stops the heartbeat and closes the coordinator
   * connection. A JoinGroup or SyncGroup in flight is abandoned. Idempotent.
   */
  stop(options: MembershipStopOptions = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopRequested = true;
    const leave = options.leaveGroup ?? this.options.groupInstanceId === null;
    const stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
    if (this.rebalanceAbort) {
      this.rebalanceAbort.abort();
      // The broker answers a connection's requests in order: LeaveGroup must not wait behind the
      // abandoned JoinGroup.
      this.coordinator.resetConnection();
    }
    this.wakeBackoff?.();
    this.post({ type: 'stop', leave });
    this.stopping = stopped.finally(() => this.coordinator.close());
    return this.stopping;
  }

  /** Asks for a rebalance (e.g. the subscription changed). Ignored unless the member is stable. */
  requestRejoin(reason: string): void {
    this.joinReason = reason;
    this.post({ type: 'rejoin', reason });
  }

  /**
   * Commits offsets of owned partitions in the current generation. Waits for a rebalance in flight
   * to end first (see commit-gate.ts). Rejects with {@link PartitionNotOwnedError} (nothing sent)
   * when a partition is not owned, and with an OffsetCommitError (a KafkaError; see
   * `isFencingError`) when the coordinator refuses.
   */
  commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void> {
    return this.commits.commit(offsets);
  }

  /** Committed offsets of `partitions` (by `topic:partition`), null where the group has none; `signal` cuts retries short. */
  async fetchCommittedOffsets(partitions: readonly TopicPartition[], signal?: AbortSignal): Promise<Map<string, number | null>> {
    const committed = await fetchCommittedOffsetsFrom(this.coordinator, partitions, { signal });
    return committedOffsetNumbers(committed);
  }

  // ---- the event loop -------------------------------------------------------------------------

  private post(event: MembershipEvent): void {
    this.queue.push(event);
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) {
        let next: MembershipEvent | null = event;
        while (next) {
          const { state, effects } = step(this.state, next);
          this.state = state;
          next = null;
          for (const effect of effects) next = (await this.perform(effect)) ?? next;
        }
      }
    } catch (err) {
      // perform() catches everything it expects; this is a bug, but must not go unnoticed.
      this.reportError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.pumping = false;
    }
  }

  /** Steps a session event at once (see membership-state.ts) and performs its fire-and-forget effects. */
  private stepNow(event: SessionEvent): void {
    const { state, effects } = stepSession(this.state, event);
    this.state = state;
    for (const effect of effects) this.performNow(effect);
  }

  private tick(): void {
    this.stepNow({ type: 'tick', now: Date.now(), rebalancing: this.commits.rebalancing, heartbeatInFlight: this.heartbeats.inFlight });
  }

  private alive(): void {
    this.stepNow({ type: 'alive', at: Date.now() });
  }

  /** Performs an effect that is not awaited: a heartbeat, a coordinator look-up, the leader's partition check. */
  private performNow(effect: SessionEffect): void {
    switch (effect.type) {
      case 'heartbeat':
        this.heartbeats.send(effect.generationId, effect.memberId);
        return;
      case 'find-coordinator':
        this.coordinator.markUnknown();
        return;
      case 'check-partitions':
        void this.leader.checkCounts()?.then((changed) => {
          if (changed) this.requestRejoin('partition count of a subscribed topic changed');
        });
        return;
    }
  }

  /** Performs one effect; a `join` or `sync` returns the event its response makes. Never throws. */
  private async perform(effect: MembershipEffect): Promise<MembershipEvent | null> {
    switch (effect.type) {
      case 'join':
        return this.stopRequested ? null : this.join();
      case 'sync':
        return this.stopRequested ? null : this.sync(effect.members);
      case 'backoff':
        if (!this.stopRequested) await this.backoff();
        return null;
      case 'revoke':
        this.logger.info('group partitions revoked', { ...this.logFields(), partitions: partitionsField(effect.partitions) });
        this.commits.setRevoking(effect.partitions);
        await this.callListener('onRevoked', () => this.listener.onRevoked(effect.partitions));
        this.commits.setRevoking([]);
        return null;
      case 'lose':
        // Lost, not revoked: nothing of them was committed on the way out, so their last records may be delivered again.
        this.logger.warn('group partitions lost (this member was fenced or its session expired)', { ...this.logFields(), partitions: partitionsField(effect.partitions) });
        await this.callListener('onLost', () => this.listener.onLost(effect.partitions));
        return null;
      case 'assign':
        this.logger.info('group partitions assigned', {
          ...this.logFields(),
          leader: this.isLeader,
          protocol: this.state.protocol,
          assigned: partitionsField(effect.partitions),
          owned: this.state.owned.length,
        });
        await this.callListener('onAssigned', () => this.listener.onAssigned(effect.partitions, effect.generationId));
        this.started?.done(null);
        return null;
      case 'joined':
        this.backoffAttempt = 0;
        this.alive();
        this.emit('joined', {
          generationId: effect.generationId,
          memberId: effect.memberId,
          leaderId: effect.leaderId,
          leader: effect.leaderId === effect.memberId,
          protocol: effect.protocol,
        });
        return null;
      case 'leave':
        await this.leave();
        return null;
      case 'fail': {
        // The state machine does not know the group id; a group authorization error names it here.
        const error =
          effect.error instanceof GroupAuthorizationError && effect.error.groupId === null
            ? new GroupAuthorizationError({ ...effect.error.context, group: this.options.groupId }, { brokerMessage: effect.error.brokerMessage })
            : effect.error;
        this.missingTopics.stop();
        this.reportError(error);
        this.settleStart(error);
        return null;
      }
      case 'stopped':
        this.missingTopics.stop();
        if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
        this.heartbeatTimer = null;
        this.commits.setRebalancing(false);
        this.settleStart(new KafkaStageError('ERR_CLOSED', `group ${this.options.groupId}: membership stopped before the first assignment`));
        this.resolveStopped?.();
        return null;
      case 'heartbeat':
      case 'find-coordinator':
      case 'check-partitions':
        this.performNow(effect);
        return null;
    }
  }

  private settleStart(error: Error): void {
    this.started?.done(error);
  }

  private async callListener(name: string, call: () => Promise<void>): Promise<void> {
    const failure = await callListener(this.options.groupId, name, call);
    if (failure) this.reportError(failure);
  }

  private get logger(): Logger {
    return this.cluster.options.logger;
  }

  /** Fields every group log line carries. */
  private logFields(): { group: string; memberId: string; generation: number } {
    return { group: this.options.groupId, memberId: this.state.memberId, generation: this.state.generationId };
  }

  private reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private async backoff(): Promise<void> {
    const ms = backoffDelay(++this.backoffAttempt, this.cluster.options.retry);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeBackoff = null;
  }

  /** Who the member is now, as its requests name it. */
  private identity(): { groupId: string; groupInstanceId: string | null; memberId: string } {
    return { groupId: this.options.groupId, groupInstanceId: this.options.groupInstanceId, memberId: this.state.memberId };
  }

  // ---- requests -------------------------------------------------------------------------------

  private async join(): Promise<MembershipEvent | null> {
    const { sessionTimeoutMs, rebalanceTimeoutMs } = this.options;
    const s = this.state;
    const protocols = joinProtocols(this.options.assignors, { topics: this.options.topics, owned: s.owned, generationId: s.generationId });
    const reason = this.joinReason;
    this.joinReason = 'rejoining a rebalance';
    const abort = new AbortController();
    this.rebalanceAbort = abort;
    this.commits.setRebalancing(true);
    let succeeded = false;
    try {
      const { response } = await untilAborted(
        abort.signal,
        this.coordinator.request(JoinGroup, joinGroupBody(this.identity(), { sessionTimeoutMs, rebalanceTimeoutMs, protocols, reason }), {
          timeoutMs: joinTimeoutMs(this.cluster.options.requestTimeoutMs, rebalanceTimeoutMs),
          signal: abort.signal,
          errorOf: (r) => r.errorCode,
        }),
      );
      succeeded = response.errorCode === ErrorCode.NONE;
      return joinResponseEvent(response);
    } catch (err) {
      if (this.stopRequested) return null;
      return requestFailedEvent('join', err);
    } finally {
      if (this.rebalanceAbort === abort) this.rebalanceAbort = null;
      if (!succeeded) this.commits.setRebalancing(false);
    }
  }

  private async sync(members: readonly JoinedMember[] | null): Promise<MembershipEvent | null> {
    const s = this.state;
    const abort = new AbortController();
    this.rebalanceAbort = abort;
    try {
      if (members === null) this.missingTopics.stop(); // the leader watches the subscription
      const assignments = members === null ? [] : await untilAborted(abort.signal, this.leader.assign(s.protocol, members));
      const { response } = await untilAborted(
        abort.signal,
        this.coordinator.request(SyncGroup, syncGroupBody(this.identity(), s.generationId, s.protocol, assignments), { signal: abort.signal, errorOf: (r) => r.errorCode }),
      );
      if (response.errorCode === ErrorCode.NONE) this.alive();
      return syncResponseEvent(response);
    } catch (err) {
      if (this.stopRequested) return null;
      return requestFailedEvent('sync', err);
    } finally {
      if (this.rebalanceAbort === abort) this.rebalanceAbort = null;
      this.commits.setRebalancing(false);
    }
  }

  private async leave(): Promise<void> {
    // As the Java client: no lookup just to say goodbye; the session timeout will remove the member.
    if (this.coordinator.current === null) return;
    // Bounded as a whole: finding an unreachable coordinator could take the whole retry deadline.
    // A timer of our own rather than AbortSignal.timeout: that one would outlive stop() by up to a
    // request timeout.
    const abandon = new AbortController();
    const giveUp = abandon.signal;
    const timer = setTimeout(() => abandon.abort(), this.cluster.options.requestTimeoutMs);
    try {
      await untilAborted(giveUp, this.coordinator.request(LeaveGroup, leaveGroupBody(this.identity()), { signal: giveUp }));
    } catch {
      // Leaving is a courtesy: without it the coordinator drops the member after its session timeout.
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * `work`, or an AbortedError as soon as `signal` fires: stop() must not wait for a coordinator
 * lookup that is still retrying. The work goes on unobserved (its failure is handled by the race).
 */
function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new AbortedError('group request abandoned', {}, signal.reason));
  }
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortedError('group request abandoned', {}, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
