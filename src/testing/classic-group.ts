/**
 * One classic consumer group as a Kafka group coordinator runs it: members, generations, the
 * leader, the join and sync barriers, session and rebalance timeouts, and the group's committed
 * offsets. Requests are methods that resolve when the coordinator would answer (a JoinGroup waits
 * at the barrier until every member has rejoined or the rebalance timeout passes; a follower's
 * SyncGroup waits for the leader's).
 *
 * States as Kafka names them: Empty → PreparingRebalance → CompletingRebalance → Stable, and back
 * to PreparingRebalance whenever a member joins, leaves, changes its protocols or times out.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.js';

/** A group state, as DescribeGroups and ListGroups name it. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** A protocol a member offers: an assignor name and its subscription bytes. */
export interface OfferedProtocol {
  name: string;
  metadata: Buffer;
}

/** What a JoinGroup asks. */
export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: OfferedProtocol[];
  /** JoinGroup v4+: a new member first gets its id with MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
}

/** What a JoinGroup is answered with. */
export interface JoinOutcome {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member with its subscription, for the leader only. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

/** What a SyncGroup is answered with. */
export interface SyncOutcome {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** A committed offset. */
export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/** One member, as the coordinator tracks it. */
export interface GroupMember {
  readonly id: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: OfferedProtocol[];
  assignment: Buffer;
  awaitingJoin?: (outcome: JoinOutcome) => void;
  awaitingSync?: (outcome: SyncOutcome) => void;
  cancelSession?: () => void;
}

/** Starts a timer and returns its cancel function; the group's only way to tell time. */
export type StartTimer = (ms: number, fire: () => void) => () => void;

/** Settings of a group, from the cluster's options. */
export interface GroupSettings {
  /** `group.initial.rebalance.delay.ms`: how long the first join of an empty group waits for others. */
  initialRebalanceDelayMs: number;
  startTimer: StartTimer;
}

const EMPTY = Buffer.alloc(0);

/** One classic group; see the module documentation. */
export class ClassicGroup {
  state: GroupState = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leader: string | null = null;
  readonly members = new Map<string, GroupMember>();
  /** Committed offsets by `topic\0partition`. */
  readonly offsets = new Map<string, CommittedOffset>();
  /** Ids handed out with MEMBER_ID_REQUIRED and not yet used, each with the cancel of its expiry. */
  private readonly pending = new Map<string, () => void>();
  private cancelBarrier: (() => void) | undefined;
  /** True while the first join of an empty group waits out `initialRebalanceDelayMs`. */
  private initialDelayRunning = false;

  constructor(
    readonly id: string,
    private readonly settings: GroupSettings,
  ) {}

  /** Handles a JoinGroup; resolves when the coordinator answers it. */
  join(request: JoinRequest): Promise<JoinOutcome> {
    const refused = this.refuseJoin(request);
    if (refused !== null) return Promise.resolve(this.joinError(refused, request.memberId));
    if (request.memberId === '') {
      const memberId = `${request.clientId}-${randomUUID()}`;
      if (request.requireKnownMemberId) {
        this.pending.set(memberId, this.settings.startTimer(request.sessionTimeoutMs, () => this.pending.delete(memberId)));
        return Promise.resolve(this.joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
      }
      return this.addMemberAndRebalance(memberId, request);
    }
    const cancelPending = this.pending.get(request.memberId);
    if (cancelPending) {
      cancelPending();
      this.pending.delete(request.memberId);
      return this.addMemberAndRebalance(request.memberId, request);
    }
    const member = this.members.get(request.memberId);
    if (!member) return Promise.resolve(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, request.memberId));
    return this.rejoin(member, request);
  }

  private refuseJoin(request: JoinRequest): number | null {
    if (this.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (request.protocols.length === 0 || request.protocolType === '') return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (this.members.size > 0) {
      if (request.protocolType !== this.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
      const offered = new Set(request.protocols.map((p) => p.name));
      const common = this.candidates().filter((name) => offered.has(name));
      const onlyMember = this.members.size === 1 && this.members.has(request.memberId);
      if (common.length === 0 && !onlyMember) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    }
    return null;
  }

  private rejoin(member: GroupMember, request: JoinRequest): Promise<JoinOutcome> {
    const unchanged = sameProtocols(member.protocols, request.protocols);
    if (this.state === 'PreparingRebalance') return this.awaitJoin(member, request);
    if (this.state === 'CompletingRebalance' && unchanged) return Promise.resolve(this.joinAnswer(member));
    if (this.state === 'Stable' && unchanged && member.id !== this.leader) return Promise.resolve(this.joinAnswer(member));
    const answer = this.awaitJoin(member, request);
    this.prepareRebalance();
    return answer;
  }

  private addMemberAndRebalance(memberId: string, request: JoinRequest): Promise<JoinOutcome> {
    const member: GroupMember = {
      id: memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      assignment: EMPTY,
    };
    if (this.members.size === 0) this.protocolType = request.protocolType;
    this.members.set(memberId, member);
    if (this.leader === null) this.leader = memberId;
    const answer = this.awaitJoin(member, request);
    this.prepareRebalance();
    return answer;
  }

  private awaitJoin(member: GroupMember, request: JoinRequest): Promise<JoinOutcome> {
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    member.protocols = request.protocols;
    member.cancelSession?.(); // a member waiting at the barrier is alive
    member.cancelSession = undefined;
    const previous = member.awaitingJoin;
    const answer = new Promise<JoinOutcome>((resolve) => {
      member.awaitingJoin = resolve;
    });
    // A second JoinGroup from the same member replaces the first, which is told to rejoin.
    previous?.(this.joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.id));
    queueMicrotask(() => this.tryCompleteJoin());
    return answer;
  }

  /** Starts a rebalance: members must rejoin; sync waiters are told so. */
  prepareRebalance(): void {
    if (this.state === 'PreparingRebalance') {
      this.tryCompleteJoin();
      return;
    }
    if (this.state === 'CompletingRebalance') {
      for (const member of this.members.values()) {
        const waiter = member.awaitingSync;
        member.awaitingSync = undefined;
        waiter?.(this.syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        if (!member.awaitingJoin) this.startSession(member);
      }
    }
    for (const member of this.members.values()) member.assignment = EMPTY;
    const fromEmpty = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    this.cancelBarrier?.();
    this.initialDelayRunning = false;
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    const delay = fromEmpty ? Math.min(this.settings.initialRebalanceDelayMs, timeout) : 0;
    if (delay > 0) {
      // The first join of an empty group waits for others before the barrier can close.
      this.initialDelayRunning = true;
      this.cancelBarrier = this.settings.startTimer(delay, () => {
        this.initialDelayRunning = false;
        this.cancelBarrier = this.settings.startTimer(Math.max(0, timeout - delay), () => this.completeJoin());
        this.tryCompleteJoin();
      });
      return;
    }
    this.cancelBarrier = this.settings.startTimer(timeout, () => this.completeJoin());
    this.tryCompleteJoin();
  }

  private tryCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelayRunning) return;
    if (this.pending.size > 0) return;
    for (const member of this.members.values()) if (!member.awaitingJoin) return;
    this.completeJoin();
  }

  /** Closes the join barrier: members that did not rejoin are removed, the next generation begins. */
  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    this.cancelBarrier?.();
    this.cancelBarrier = undefined;
    for (const member of [...this.members.values()]) if (!member.awaitingJoin) this.removeMember(member);
    for (const cancel of this.pending.values()) cancel();
    this.pending.clear();
    this.generation++;
    if (this.members.size === 0) {
      this.state = 'Empty';
      this.protocolName = null;
      this.protocolType = null;
      this.leader = null;
      return;
    }
    if (this.leader === null || !this.members.has(this.leader)) this.leader = this.members.keys().next().value as string;
    this.protocolName = this.selectProtocol();
    this.state = 'CompletingRebalance';
    for (const member of this.members.values()) {
      const answer = member.awaitingJoin as (outcome: JoinOutcome) => void;
      member.awaitingJoin = undefined;
      this.startSession(member);
      answer(this.joinAnswer(member));
    }
    const generation = this.generation;
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    // Members that do not send SyncGroup within the rebalance timeout are removed, as Kafka does.
    this.cancelBarrier = this.settings.startTimer(timeout, () => {
      if (this.state !== 'CompletingRebalance' || this.generation !== generation) return;
      for (const member of [...this.members.values()]) if (!member.awaitingSync) this.removeMember(member);
      this.prepareRebalance();
    });
  }

  private joinAnswer(member: GroupMember): JoinOutcome {
    const isLeader = member.id === this.leader;
    return {
      errorCode: ErrorCode.NONE,
      generationId: this.generation,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leader ?? '',
      memberId: member.id,
      members: isLeader
        ? [...this.members.values()].map((m) => ({ memberId: m.id, groupInstanceId: m.groupInstanceId, metadata: this.metadataOf(m) }))
        : [],
    };
  }

  private metadataOf(member: GroupMember): Buffer {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY;
  }

  /** Protocols every member offers, in the leader's order of preference. */
  private candidates(): string[] {
    const members = [...this.members.values()];
    const first = members[0];
    if (!first) return [];
    return first.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /** Each member votes for its most preferred common protocol; the most votes win (Kafka's rule). */
  private selectProtocol(): string {
    const candidates = this.candidates();
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.includes(p.name))?.name;
      if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = candidates[0] ?? '';
    for (const [name, count] of votes) if (count > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  private joinError(errorCode: number, memberId: string): JoinOutcome {
    return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
  }

  private syncError(errorCode: number): SyncOutcome {
    return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
  }

  /** Handles a SyncGroup; a follower's waits for the leader's assignment. */
  sync(
    memberId: string,
    generationId: number,
    protocol: { type: string | null; name: string | null },
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<SyncOutcome> {
    const member = this.members.get(memberId);
    if (!member || this.state === 'Empty' || this.state === 'Dead') return Promise.resolve(this.syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (generationId !== this.generation) return Promise.resolve(this.syncError(ErrorCode.ILLEGAL_GENERATION));
    const typeDiffers = protocol.type !== null && protocol.type !== this.protocolType;
    const nameDiffers = protocol.name !== null && protocol.name !== this.protocolName;
    if (typeDiffers || nameDiffers) return Promise.resolve(this.syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    if (this.state === 'PreparingRebalance') return Promise.resolve(this.syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    this.touch(member);
    if (this.state === 'Stable') return Promise.resolve(this.syncAnswer(member));
    const answer = new Promise<SyncOutcome>((resolve) => {
      member.awaitingSync = resolve;
    });
    member.cancelSession?.(); // a member waiting for its assignment is alive
    member.cancelSession = undefined;
    if (memberId === this.leader) {
      const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of this.members.values()) m.assignment = Buffer.from(byMember.get(m.id) ?? EMPTY);
      this.cancelBarrier?.();
      this.cancelBarrier = undefined;
      this.state = 'Stable';
      for (const m of this.members.values()) {
        const waiter = m.awaitingSync;
        m.awaitingSync = undefined;
        if (waiter) {
          this.startSession(m);
          waiter(this.syncAnswer(m));
        }
      }
    }
    return answer;
  }

  private syncAnswer(member: GroupMember): SyncOutcome {
    return { errorCode: ErrorCode.NONE, protocolType: this.protocolType, protocolName: this.protocolName, assignment: member.assignment };
  }

  /** Handles a Heartbeat: the error code to answer. */
  heartbeat(memberId: string, generationId: number): number {
    const member = this.members.get(memberId);
    if (!member || this.state === 'Empty' || this.state === 'Dead') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(member);
    return this.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** Handles one member of a LeaveGroup: the error code for it. */
  leave(memberId: string): number {
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    member.awaitingJoin?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    member.awaitingJoin = undefined;
    this.removeMember(member);
    this.prepareRebalance();
    return ErrorCode.NONE;
  }

  /** Whether an offset commit from this member and generation is accepted: the error code (Kafka's order of checks). */
  commitError(memberId: string, generationId: number): number {
    if (this.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && this.state === 'Empty') return ErrorCode.NONE; // a standalone consumer or an admin
    if (this.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generation) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(member);
    return ErrorCode.NONE;
  }

  /** Starts a rebalance from outside, as a new member or a topic change would. */
  forceRebalance(): void {
    if (this.members.size > 0) this.prepareRebalance();
  }

  /**
   * Ends a member's session now, as its session timeout passing would: it leaves the group and the
   * others must rejoin; its next request is answered UNKNOWN_MEMBER_ID. False when there is no such member.
   */
  expire(memberId: string): boolean {
    const member = this.members.get(memberId);
    if (!member) return false;
    member.awaitingJoin?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    member.awaitingJoin = undefined;
    this.removeMember(member);
    this.prepareRebalance();
    return true;
  }

  /**
   * The group moved to a new coordinator, which loads it and starts every member's session clock
   * over (Kafka's GroupMetadataManager does so on loading): a failover is not held against the members.
   */
  reload(): void {
    for (const member of this.members.values()) this.touch(member);
  }

  /** No broker can coordinate the group (every broker is down): nobody expires its members meanwhile. */
  unload(): void {
    for (const member of this.members.values()) {
      member.cancelSession?.();
      member.cancelSession = undefined;
    }
  }

  /** Cancels every timer (the cluster stops). */
  shutdown(): void {
    this.cancelBarrier?.();
    for (const cancel of this.pending.values()) cancel();
    for (const member of this.members.values()) member.cancelSession?.();
    this.initialDelayRunning = false;
    this.state = 'Dead';
  }

  /** A request from a member proves it alive: its session starts over. */
  private touch(member: GroupMember): void {
    if (!member.awaitingJoin && !member.awaitingSync) this.startSession(member);
  }

  private startSession(member: GroupMember): void {
    member.cancelSession?.();
    member.cancelSession = this.settings.startTimer(member.sessionTimeoutMs, () => {
      member.cancelSession = undefined;
      if (this.members.get(member.id) !== member) return;
      this.removeMember(member);
      this.prepareRebalance();
    });
  }

  private removeMember(member: GroupMember): void {
    member.cancelSession?.();
    member.cancelSession = undefined;
    this.members.delete(member.id);
    const waiter = member.awaitingSync;
    member.awaitingSync = undefined;
    waiter?.(this.syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (this.leader === member.id) this.leader = this.members.keys().next().value ?? null;
  }
}

function sameProtocols(a: readonly OfferedProtocol[], b: readonly OfferedProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.metadata.equals(b[i]?.metadata ?? EMPTY));
}
