/**
 * Membership of a classic consumer group: join, sync, heartbeat, leave, and the commits of the
 * member. The decisions are made by the pure state machine of membership-state.ts; this class sends
 * the requests, runs the timers, and calls the {@link MembershipListener} back.
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
import { backoffDelay, isRetriable, RetriesExhaustedError } from '../cluster/retry.js';
import type { MembershipHandle, MembershipListener, OffsetToCommit } from './membership-contracts.js';
import { Heartbeat } from '../protocol/apis/heartbeat.js';
import { JoinGroup } from '../protocol/apis/join-group.js';
import { LeaveGroup } from '../protocol/apis/leave-group.js';
import { SyncGroup } from '../protocol/apis/sync-group.js';
import { GroupAuthorizationError, KafkaError, TopicAuthorizationError } from '../protocol/kafka-error.js';
import { AbortedError, KafkaStageError } from '../errors.js';
import { partitionsField, type Logger } from '../logger.js';
import { uniquePartitions } from './assignment-diff.js';
import { isAssignorName, type AssignorName, type JoinedMember } from './assignors/index.js';
import { CONSUMER_PROTOCOL_TYPE, type TopicPartition } from './consumer-protocol.js';
import { GroupCoordinator } from './coordinator.js';
import { ILLEGAL_GENERATION, isFencingError, isRebalanceInProgressError, PartitionNotOwnedError, REBALANCE_IN_PROGRESS } from './errors.js';
import { assignGroup, decodeMembers, isCooperative, joinProtocols, readAssignment, subscribedTopics } from './member-protocol.js';
import { initialMembershipState, step, type MembershipEffect, type MembershipEvent, type MembershipPhase, type MembershipState } from './membership-state.js';
import { MissingTopicWatch } from './missing-topics.js';
import { commitOffsetsTo, fetchCommittedOffsetsFrom } from './offsets.js';

/** Extra time JoinGroup's response may take beyond the rebalance timeout (Java adds 5 s too). */
const JOIN_TIMEOUT_MARGIN_MS = 5_000;
/** First JoinGroup / SyncGroup / Heartbeat / LeaveGroup versions carrying `groupInstanceId`. */
const STATIC_VERSIONS = { join: 5, sync: 3, heartbeat: 3, leave: 3 } as const;

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

/** One member of a classic consumer group; see the module comment. */
export class GroupMembership extends EventEmitter<MembershipEvents> implements MembershipHandle {
  /** The coordinator connection (shared by commits and offset fetches). */
  readonly coordinator: GroupCoordinator;
  private readonly options: GroupMembershipOptions;
  private state: MembershipState;
  private readonly queue: MembershipEvent[] = [];
  private pumping = false;
  /** Partitions being revoked: still the member's to commit until the listener returns. */
  private revoking: TopicPartition[] = [];
  /** Sent with the next JoinGroup (v8+), for the broker's log. */
  private joinReason = 'joining';
  private backoffAttempt = 0;
  private wakeBackoff: (() => void) | null = null;

  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  private lastHeartbeatOkAt = 0;
  private heartbeatCount = 0;

  /** True from sending a JoinGroup until its SyncGroup (or failure) is answered. */
  private rebalancing = false;
  private rebalanceAbort: AbortController | null = null;
  private rebalanceWaiters: (() => void)[] = [];

  /** Topics and partition counts the leader assigned with, to notice partitions (or topics) being added. */
  private assignedCounts: Map<string, number> | null = null;
  private assignedTopics: readonly string[] = [];
  private lastMetadataCheckAt = 0;
  private checkingMetadata = false;
  /** The leader's look-ups of subscribed topics that do not exist yet (see missing-topics.ts). */
  private readonly missingTopics: MissingTopicWatch;

  private started: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void; settled: boolean } | null = null;
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
    this.coordinator = coordinator ?? new GroupCoordinator(cluster, options.groupId);
    this.state = initialMembershipState(isCooperative(this.options.assignors));
    this.missingTopics = new MissingTopicWatch({
      logger: cluster.options.logger,
      what: 'subscribed topic does not exist',
      fields: { group: options.groupId },
      // Only a stable leader looks: a rebalance in flight assigns from fresh metadata anyway.
      lookUp: async () => {
        if (this.state.phase !== 'stable' || !this.isLeader || this.rebalancing) return 'skip';
        const counts = await this.partitionCounts(this.assignedTopics);
        return this.assignedTopics.filter((topic) => !counts.has(topic));
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
    return this.heartbeatCount;
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
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.started = { promise, resolve, reject, settled: false };
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
   * to end first. Rejects with {@link PartitionNotOwnedError} (nothing sent) when a partition is not
   * owned, and with an OffsetCommitError (a KafkaError; see `isFencingError`) when the coordinator
   * refuses.
   */
  async commitOffsets(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.rebalanceSettled();
    try {
      await this.commitOwned(offsets);
    } catch (err) {
      // The commit reached the coordinator between JoinGroup and SyncGroup of a rebalance another
      // member started (REBALANCE_IN_PROGRESS), or after that rebalance had moved the generation on
      // (ILLEGAL_GENERATION for the old one while this member is rejoining or has rejoined): retry
      // once the new generation is in place, if the partitions stayed (commitOwned refuses them
      // otherwise). Without this a cooperative member kept those partitions in the new generation
      // while its commits of them stayed refused: a clean revoke then left the commit below the
      // acked prefix (CI, invariants.test.ts I2).
      if (!isRebalanceInProgressError(err) && !this.movedOn.has(err as object)) throw err;
      await this.rebalanceSettled();
      await this.commitOwned(offsets);
    }
  }

  /** Committed offsets of `partitions` (by `topic:partition`), null where the group has none; `signal` cuts retries short. */
  async fetchCommittedOffsets(partitions: readonly { topic: string; partition: number }[], signal?: AbortSignal): Promise<Map<string, number | null>> {
    const committed = await fetchCommittedOffsetsFrom(this.coordinator, partitions, { signal });
    const out = new Map<string, number | null>();
    for (const [key, value] of committed) out.set(key, value === null ? null : value.offset);
    return out;
  }

  // ---- commits --------------------------------------------------------------------------------

  private owns(topic: string, partition: number): boolean {
    const match = (tp: TopicPartition) => tp.topic === topic && tp.partition === partition;
    return this.state.owned.some(match) || this.revoking.some(match);
  }

  /** Commit errors for a generation a rebalance moved on from (see commitOwned). */
  private readonly movedOn = new WeakSet<object>();

  private async commitOwned(offsets: readonly OffsetToCommit[]): Promise<void> {
    const notOwned = uniquePartitions(offsets.filter((o) => !this.owns(o.topic, o.partition)));
    if (notOwned.length > 0 || this.state.generationId < 0) {
      throw new PartitionNotOwnedError(this.options.groupId, notOwned.length > 0 ? notOwned : offsets);
    }
    const identity = { generationId: this.state.generationId, memberId: this.state.memberId, groupInstanceId: this.options.groupInstanceId };
    try {
      await commitOffsetsTo(this.coordinator, identity, offsets);
    } catch (err) {
      // ILLEGAL_GENERATION for a generation a rebalance has already left (or is leaving): not a
      // fence of what the member holds now; commitOffsets retries in the new generation.
      if (err instanceof KafkaError && err.errorCode === ILLEGAL_GENERATION && (this.rebalancing || this.state.generationId !== identity.generationId)) {
        this.movedOn.add(err);
        throw err;
      }
      // Fenced: the assignment is gone. Act on it now rather than at the next heartbeat.
      if (err instanceof KafkaError && isFencingError(err)) {
        this.post({ type: 'heartbeat-response', generationId: identity.generationId, memberId: identity.memberId, errorCode: err.errorCode });
      }
      throw err;
    }
  }

  /** Resolves when no JoinGroup/SyncGroup is in flight (at once when none is), or after a rebalance timeout. */
  private rebalanceSettled(): Promise<void> {
    if (!this.rebalancing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.rebalanceTimeoutMs + JOIN_TIMEOUT_MARGIN_MS);
      timer.unref();
      const waiters = this.rebalanceWaiters;
      function done(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      waiters.push(done);
    });
  }

  private setRebalancing(value: boolean): void {
    this.rebalancing = value;
    if (!value) for (const wake of this.rebalanceWaiters.splice(0)) wake();
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
        this.revoking = [...effect.partitions];
        await this.callListener('onRevoked', () => this.listener.onRevoked(effect.partitions));
        this.revoking = [];
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
        if (this.started && !this.started.settled) {
          this.started.settled = true;
          this.started.resolve();
        }
        return null;
      case 'joined':
        this.backoffAttempt = 0;
        this.lastHeartbeatOkAt = Date.now();
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
        this.setRebalancing(false);
        this.settleStart(new KafkaStageError('ERR_CLOSED', `group ${this.options.groupId}: membership stopped before the first assignment`));
        this.resolveStopped?.();
        return null;
    }
  }

  private settleStart(error: Error): void {
    if (this.started && !this.started.settled) {
      this.started.settled = true;
      this.started.reject(error);
    }
  }

  private async callListener(name: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (err) {
      this.reportError(new KafkaStageError('ERR_PROTOCOL', `group ${this.options.groupId}: listener ${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err }));
    }
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

  /** Whether a failure without a response is worth retrying: anything transient, a coordinator not found in time included. */
  private static retriable(err: unknown): boolean {
    return isRetriable(err) || err instanceof RetriesExhaustedError;
  }

  // ---- requests -------------------------------------------------------------------------------

  private async join(): Promise<MembershipEvent | null> {
    const { groupId, groupInstanceId, sessionTimeoutMs, rebalanceTimeoutMs } = this.options;
    const s = this.state;
    const protocols = joinProtocols(this.options.assignors, { topics: this.options.topics, owned: s.owned, generationId: s.generationId });
    const reason = this.joinReason;
    this.joinReason = 'rejoining a rebalance';
    const abort = new AbortController();
    this.rebalanceAbort = abort;
    this.setRebalancing(true);
    let succeeded = false;
    try {
      const { response } = await untilAborted(abort.signal, this.coordinator.request(
        JoinGroup,
        (v) => {
          if (groupInstanceId !== null && v < STATIC_VERSIONS.join) throw unsupportedStatic('JoinGroup', v);
          return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId: s.memberId, groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE, protocols, reason };
        },
        {
          timeoutMs: Math.max(this.cluster.options.requestTimeoutMs, rebalanceTimeoutMs + JOIN_TIMEOUT_MARGIN_MS),
          signal: abort.signal,
          errorOf: (r) => r.errorCode,
        },
      ));
      succeeded = response.errorCode === 0;
      return {
        type: 'join-response',
        errorCode: response.errorCode,
        memberId: response.memberId,
        generationId: response.generationId,
        protocol: response.protocolName,
        leaderId: response.leader,
        skipAssignment: response.skipAssignment,
        members: response.members,
      };
    } catch (err) {
      if (this.stopRequested) return null;
      return { type: 'request-failed', request: 'join', error: err, retriable: GroupMembership.retriable(err) };
    } finally {
      if (this.rebalanceAbort === abort) this.rebalanceAbort = null;
      if (!succeeded) this.setRebalancing(false);
    }
  }

  private async sync(members: readonly JoinedMember[] | null): Promise<MembershipEvent | null> {
    const { groupId, groupInstanceId } = this.options;
    const s = this.state;
    const abort = new AbortController();
    this.rebalanceAbort = abort;
    try {
      if (members === null) this.missingTopics.stop(); // the leader watches the subscription
      const assignments = members === null ? [] : await untilAborted(abort.signal, this.assignAsLeader(s.protocol, members));
      const { response } = await untilAborted(abort.signal, this.coordinator.request(
        SyncGroup,
        (v) => {
          if (groupInstanceId !== null && v < STATIC_VERSIONS.sync) throw unsupportedStatic('SyncGroup', v);
          return { groupId, generationId: s.generationId, memberId: s.memberId, groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE, protocolName: s.protocol, assignments };
        },
        { signal: abort.signal, errorOf: (r) => r.errorCode },
      ));
      const assignment = response.errorCode === 0 ? readAssignment(response.assignment) : [];
      if (response.errorCode === 0) this.lastHeartbeatOkAt = Date.now();
      return { type: 'sync-response', errorCode: response.errorCode, assignment };
    } catch (err) {
      if (this.stopRequested) return null;
      return { type: 'request-failed', request: 'sync', error: err, retriable: GroupMembership.retriable(err) };
    } finally {
      if (this.rebalanceAbort === abort) this.rebalanceAbort = null;
      this.setRebalancing(false);
    }
  }

  /** The leader's assignment of every member, from fresh partition counts. */
  private async assignAsLeader(protocol: string | null, members: readonly JoinedMember[]): Promise<{ memberId: string; assignment: Buffer }[]> {
    if (protocol === null || !isAssignorName(protocol)) {
      throw new KafkaStageError('ERR_PROTOCOL', `group ${this.options.groupId}: the coordinator chose assignor ${String(protocol)}, which this member did not offer`);
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
    this.assignedTopics = topics;
    this.assignedCounts = counts;
    this.lastMetadataCheckAt = Date.now();
    this.missingTopics.update(topics.filter((topic) => !counts.has(topic)));
    return assignGroup(protocol, decoded, counts);
  }

  /** Partition counts of `topics` from fresh metadata; topics that do not exist are left out (as Java does). */
  private async partitionCounts(topics: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (topics.length === 0) return counts;
    const metadata = await this.cluster.refreshMetadata([...topics]);
    // A subscribed topic the principal may not describe is not "absent": leaving it out would
    // hand out an assignment without it and wait for ever; the member fails with the topics named.
    const denied = topics.filter((t) => metadata.topics.get(t)?.errorCode === TopicAuthorizationError.ERROR_CODE);
    if (denied.length > 0) throw new TopicAuthorizationError({ api: 'Metadata', group: this.options.groupId, topics: denied });
    for (const topic of topics) {
      const info = metadata.topics.get(topic);
      if (info && info.errorCode === 0 && info.partitions.length > 0) counts.set(topic, info.partitions.length);
    }
    return counts;
  }

  private async leave(): Promise<void> {
    const { groupId, groupInstanceId } = this.options;
    const memberId = this.state.memberId;
    // As the Java client: no lookup just to say goodbye; the session timeout will remove the member.
    if (this.coordinator.current === null) return;
    // Bounded as a whole: finding an unreachable coordinator could take the whole retry deadline.
    // A timer of our own rather than AbortSignal.timeout: that one would outlive stop() by up to a
    // request timeout.
    const abandon = new AbortController();
    const giveUp = abandon.signal;
    const timer = setTimeout(() => abandon.abort(), this.cluster.options.requestTimeoutMs);
    try {
      await untilAborted(
        giveUp,
        this.coordinator.request(
          LeaveGroup,
          (v) =>
            v >= STATIC_VERSIONS.leave
              ? { groupId, members: [{ memberId, groupInstanceId, reason: 'the consumer is stopping' }] }
              : { groupId, memberId },
          { signal: giveUp },
        ),
      );
    } catch {
      // Leaving is a courtesy: without it the coordinator drops the member after its session timeout.
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- heartbeats -----------------------------------------------------------------------------

  private tick(): void {
    const s = this.state;
    if (s.phase === 'idle' || s.phase === 'stopped' || s.phase === 'failed' || this.rebalancing || s.generationId < 0) return;
    if (Date.now() - this.lastHeartbeatOkAt > this.options.sessionTimeoutMs) {
      // No answer for a session timeout: the coordinator may have moved (a broker failover takes
      // ~9 s in KRaft, and the new coordinator restarts the session clocks of the members it
      // loads). As the Java client, look it up again and keep the assignment: only the
      // coordinator can say the member expired (UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION on the next
      // heartbeat, which loses it). Commits of a member that did expire are fenced meanwhile.
      this.lastHeartbeatOkAt = Date.now();
      this.coordinator.markUnknown();
    }
    if (!this.heartbeatInFlight) this.heartbeat(s.generationId, s.memberId);
    if (s.phase === 'stable' && this.isLeader) this.maybeCheckPartitionCounts();
  }

  private heartbeat(generationId: number, memberId: string): void {
    const { groupId, groupInstanceId } = this.options;
    this.heartbeatInFlight = true;
    this.heartbeatCount++;
    this.coordinator
      .request(
        Heartbeat,
        (v) => ({ groupId, generationId, memberId, groupInstanceId: v >= STATIC_VERSIONS.heartbeat ? groupInstanceId : null }),
        { timeoutMs: Math.min(this.cluster.options.requestTimeoutMs, this.options.sessionTimeoutMs), errorOf: (r) => r.errorCode },
      )
      .then(({ response }) => {
        const code = response.errorCode;
        // The coordinator knows the member: during a rebalance it still counts heartbeats.
        if (code === 0 || code === REBALANCE_IN_PROGRESS) this.lastHeartbeatOkAt = Date.now();
        if (code !== 0) this.post({ type: 'heartbeat-response', generationId, memberId, errorCode: code });
      })
      .catch(() => {
        // Connection lost or coordinator unknown: the coordinator client forgot it and the next
        // tick looks it up again; the session clock decides when the assignment is lost.
      })
      .finally(() => {
        this.heartbeatInFlight = false;
      });
  }

  /** The leader rejoins when a subscribed topic gained partitions (checked every metadataMaxAgeMs, as Java's metadata refresh). */
  private maybeCheckPartitionCounts(): void {
    const used = this.assignedCounts;
    if (!used || this.checkingMetadata || Date.now() - this.lastMetadataCheckAt < this.cluster.options.metadataMaxAgeMs) return;
    this.checkingMetadata = true;
    this.lastMetadataCheckAt = Date.now();
    const topics = this.assignedTopics;
    this.partitionCounts(topics)
      .then((now) => {
        const changed = topics.some((topic) => (now.get(topic) ?? 0) !== (used.get(topic) ?? 0));
        if (changed && this.assignedCounts === used) this.requestRejoin('partition count of a subscribed topic changed');
      })
      .catch(() => undefined)
      .finally(() => {
        this.checkingMetadata = false;
      });
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

function unsupportedStatic(api: string, version: number): KafkaStageError {
  return new KafkaStageError('ERR_UNSUPPORTED_VERSION', `static membership needs a newer ${api} than v${version}, the newest this broker speaks`, {
    context: { api },
    retriable: false,
  });
}
