/**
 * One consumer group of the KIP-848 protocol as a Kafka 4.x group coordinator runs it
 * (GroupMetadataManager and CurrentAssignmentBuilder): members heartbeat with their epoch and the
 * partitions they own; every change of membership, subscription, assignor or subscribed topic
 * bumps the group epoch, and the next heartbeat computes a target assignment with the server-side
 * assignor. Each member is then reconciled towards it on its own heartbeats: first told its
 * assignment minus the partitions it must give up (keeping its epoch); once it reports them gone it
 * moves to the target epoch and gets the partitions no other member still holds; the rest follow
 * as they are freed. No partition is ever held by two members.
 *
 * States as Kafka names them: Empty (no members), Assigning (group epoch ahead of the target),
 * Reconciling (a member not yet at the target epoch), Stable.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.js';
import { partitionKey, serverAssignor, splitPartitionKey, SERVER_ASSIGNORS, type AssignableMember, type TargetAssignment } from './assignors.js';
import type { CommittedOffset, StartTimer } from './classic-group.js';

/** A consumer group's state, as ListGroups and ConsumerGroupDescribe name it. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

/** Partitions of one topic, by topic id, as the heartbeat carries them. */
export interface TopicIdPartitions {
  topicId: string;
  partitions: number[];
}

/** A topic as the group sees the cluster's metadata. */
export interface GroupTopicView {
  readonly name: string;
  readonly id: string;
  readonly partitions: number;
}

/** Settings of a consumer group, from the cluster's options. */
export interface ConsumerGroupSettings {
  /** `group.consumer.heartbeat.interval.ms`. */
  heartbeatIntervalMs: number;
  /** `group.consumer.session.timeout.ms`. */
  sessionTimeoutMs: number;
  startTimer: StartTimer;
  /** The cluster's topics now. */
  topics: () => readonly GroupTopicView[];
}

/** What a ConsumerGroupHeartbeat asks, checked for form by the handler. Null fields are unchanged. */
export interface ConsumerHeartbeat {
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: TopicIdPartitions[] | null;
  clientId: string;
  clientHost: string;
}

/** What a ConsumerGroupHeartbeat is answered with. */
export interface ConsumerHeartbeatOutcome {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Null when the answer carries no assignment (it did not change and the request was not full). */
  assignment: TopicIdPartitions[] | null;
}

/** Where a member is in its reconciliation, as Kafka's MemberState names it. */
export type ConsumerMemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

/** One member, as the coordinator tracks it. */
export interface ConsumerGroupMember {
  id: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** The member epoch; -2 while a static member is away after leaving with -2. */
  epoch: number;
  previousEpoch: number;
  state: ConsumerMemberState;
  /** Partitions the member owns or is being given, each with the epoch it was assigned at. */
  assigned: Map<string, number>;
  /** Partitions the member must give up, each with the epoch it was assigned at. */
  pendingRevocation: Map<string, number>;
  cancelSession?: () => void;
  cancelRebalance?: () => void;
}

/** Why a request is refused: a Kafka error with its message. */
class Refused extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const LEAVE_EPOCH = -1;
const STATIC_LEAVE_EPOCH = -2;

/** One consumer (KIP-848) group; see the module documentation. */
export class ConsumerProtocolGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  readonly members = new Map<string, ConsumerGroupMember>();
  /** The target assignment by member id. */
  target: TargetAssignment = new Map();
  /** Committed offsets by `topic\0partition`. */
  readonly offsets = new Map<string, CommittedOffset>();
  /** The subscribed topics' metadata (names, ids, partition counts) the group epoch was last bumped for. */
  private subscriptionMetadata = '';
  private dead = false;

  constructor(
    readonly id: string,
    private readonly settings: ConsumerGroupSettings,
  ) {}

  /** The group state, as Kafka derives it. */
  get state(): ConsumerGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.epoch !== this.assignmentEpoch || m.state !== 'STABLE') return 'Reconciling';
    return 'Stable';
  }

  /** The assignor the group uses: the one most members ask for, else Kafka's default (`uniform`). */
  get assignorName(): string {
    const votes = new Map<string, number>();
    for (const m of this.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
    let best = SERVER_ASSIGNORS[0] as string;
    let most = 0;
    for (const [name, n] of votes) if (n > most) [best, most] = [name, n];
    return best;
  }

  /** The member with static instance id `instanceId`, if any. */
  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }

  /** Handles a ConsumerGroupHeartbeat (its form checked by the handler). */
  heartbeat(request: ConsumerHeartbeat): ConsumerHeartbeatOutcome {
    try {
      if (request.memberEpoch === LEAVE_EPOCH || request.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(request);
      return this.beat(request);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return { errorCode: error.code, errorMessage: error.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
    }
  }

  private beat(request: ConsumerHeartbeat): ConsumerHeartbeatOutcome {
    const joining = request.memberEpoch === 0;
    // v0 lets the broker make the id: Kafka's Uuid, rendered as Kafka renders it (22 URL-safe base64 characters).
    const memberId = request.memberId === '' ? randomBytes(16).toString('base64url') : request.memberId;
    const member = request.instanceId === null ? this.dynamicMember(memberId, request) : this.staticMemberFor(memberId, request.instanceId, request);
    const before = new Set(member.assigned.keys());
    const subscriptionBefore = subscriptionOf(member);
    const assignorBefore = this.assignorName;
    const isNew = !this.members.has(member.id);
    if (request.instanceId !== null) member.instanceId = request.instanceId;
    if (request.rackId !== null) member.rackId = request.rackId;
    if (request.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    if (request.serverAssignor !== null) member.serverAssignor = request.serverAssignor;
    if (request.subscribedTopicNames !== null) member.subscribedTopicNames = [...request.subscribedTopicNames];
    if (request.subscribedTopicRegex !== null) member.subscribedTopicRegex = request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex;
    member.clientId = request.clientId;
    member.clientHost = request.clientHost;
    this.members.set(member.id, member);
    // A new member, a changed subscription or assignor, or changed topic metadata: a new group epoch.
    const metadata = this.computeSubscriptionMetadata();
    if ((isNew && member.epoch === 0 && !this.target.has(member.id)) || subscriptionOf(member) !== subscriptionBefore || this.assignorName !== assignorBefore || metadata !== this.subscriptionMetadata) {
      this.subscriptionMetadata = metadata;
      this.groupEpoch++;
    }
    if (this.groupEpoch > this.assignmentEpoch) this.computeTargetAssignment();
    this.reconcile(member, request.topicPartitions);
    this.startSession(member);
    const full = joining || (request.rebalanceTimeoutMs !== -1 && (request.subscribedTopicNames !== null || request.subscribedTopicRegex !== null) && request.topicPartitions !== null);
    const changed = before.size !== member.assigned.size || [...member.assigned.keys()].some((k) => !before.has(k));
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.id,
      memberEpoch: member.epoch,
      heartbeatIntervalMs: this.settings.heartbeatIntervalMs,
      assignment: full || changed ? byTopic(member.assigned.keys()) : null,
    };
  }

  private dynamicMember(memberId: string, request: ConsumerHeartbeat): ConsumerGroupMember {
    const existing = this.members.get(memberId);
    if (existing) {
      checkEpoch(existing, request.memberEpoch, request.topicPartitions);
      return existing;
    }
    if (request.memberEpoch !== 0) throw new Refused(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${this.id}.`);
    return newMember(memberId, request);
  }

  private staticMemberFor(memberId: string, instanceId: string, request: ConsumerHeartbeat): ConsumerGroupMember {
    const existing = this.staticMember(instanceId);
    if (request.memberEpoch === 0) {
      if (!existing) return newMember(memberId, request);
      // The instance id comes back: allowed only after its holder left with -2 (Kafka's UNRELEASED_INSTANCE_ID).
      if (existing.epoch !== STATIC_LEAVE_EPOCH) {
        throw new Refused(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.id} member.`);
      }
      // It takes the old member's place: same assignment and target, no new group epoch.
      this.removeMember(existing);
      const target = this.target.get(existing.id);
      this.target.delete(existing.id);
      const replacement: ConsumerGroupMember = { ...existing, id: memberId, epoch: 0, previousEpoch: 0, cancelSession: undefined, cancelRebalance: undefined };
      replacement.assigned = new Map(existing.assigned);
      replacement.pendingRevocation = new Map();
      if (target) this.target.set(memberId, target);
      return replacement;
    }
    if (!existing) throw new Refused(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`);
    if (existing.id !== memberId) throw new Refused(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.id}.`);
    checkEpoch(existing, request.memberEpoch, request.topicPartitions);
    return existing;
  }

  private leave(request: ConsumerHeartbeat): ConsumerHeartbeatOutcome {
    const left = { errorCode: ErrorCode.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: request.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
    if (request.instanceId === null) {
      const member = this.members.get(request.memberId);
      if (!member) throw new Refused(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of group ${this.id}.`);
      this.fence(member);
      return left;
    }
    const member = this.staticMember(request.instanceId);
    if (!member) throw new Refused(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`);
    if (member.id !== request.memberId) throw new Refused(ErrorCode.FENCED_INSTANCE_ID, `Static member ${request.memberId} with instance id ${request.instanceId} was fenced by member ${member.id}.`);
    if (request.memberEpoch === LEAVE_EPOCH) {
      this.fence(member);
      return left;
    }
    // Away for a while: it keeps its partitions (nobody else gets them) until its session runs out.
    member.epoch = STATIC_LEAVE_EPOCH;
    member.pendingRevocation.clear();
    member.cancelRebalance?.();
    member.cancelRebalance = undefined;
    return { ...left, memberId: member.id };
  }

  /** Removes a member (left, expired, or too slow to revoke): its partitions are free, the group epoch rises. */
  fence(member: ConsumerGroupMember): void {
    if (this.members.get(member.id) !== member) return;
    this.removeMember(member);
    this.target.delete(member.id);
    this.subscriptionMetadata = this.computeSubscriptionMetadata();
    this.groupEpoch++;
  }

  private removeMember(member: ConsumerGroupMember): void {
    member.cancelSession?.();
    member.cancelRebalance?.();
    member.cancelSession = undefined;
    member.cancelRebalance = undefined;
    this.members.delete(member.id);
  }

  /** Topic ids a member subscribes to now: its names, and the topics its regex matches in full. */
  private subscribedTopics(member: ConsumerGroupMember): GroupTopicView[] {
    const regex = member.subscribedTopicRegex === null ? null : wholeName(member.subscribedTopicRegex);
    return this.settings.topics().filter((t) => member.subscribedTopicNames.includes(t.name) || (regex !== null && regex.test(t.name)));
  }

  /** The metadata of every subscribed topic, as one comparable string. */
  private computeSubscriptionMetadata(): string {
    const seen = new Map<string, GroupTopicView>();
    for (const m of this.members.values()) for (const t of this.subscribedTopics(m)) seen.set(t.id, t);
    return [...seen.values()]
      .map((t) => `${t.name}/${t.id}/${t.partitions}`)
      .sort()
      .join(',');
  }

  private computeTargetAssignment(): void {
    const members: AssignableMember[] = [...this.members.values()].map((m) => ({ id: m.id, instanceId: m.instanceId, topicIds: new Set(this.subscribedTopics(m).map((t) => t.id)) }));
    const topics = new Map<string, { id: string; partitions: number }>();
    for (const t of this.settings.topics()) if (members.some((m) => m.topicIds.has(t.id))) topics.set(t.id, { id: t.id, partitions: t.partitions });
    const assign = serverAssignor(this.assignorName) ?? serverAssignor('uniform');
    if (assign) this.target = assign(members, [...topics.values()], this.target);
    this.assignmentEpoch = this.groupEpoch;
  }

  /** The epoch of the member holding the partition (assigned or not yet revoked), or -1 when it is free. */
  private partitionEpoch(key: string, except: ConsumerGroupMember): number {
    for (const m of this.members.values()) {
      if (m === except) continue;
      if (m.assigned.has(key) || m.pendingRevocation.has(key)) return m.epoch;
    }
    return -1;
  }

  /** Moves a member towards the target assignment, as CurrentAssignmentBuilder does. */
  private reconcile(member: ConsumerGroupMember, owned: TopicIdPartitions[] | null): void {
    const targetEpoch = this.assignmentEpoch;
    if (member.epoch === targetEpoch && member.state === 'STABLE') return;
    const wasUnrevokedAt = member.state === 'UNREVOKED_PARTITIONS' ? member.epoch : null;
    if (member.state === 'UNREVOKED_PARTITIONS') {
      if (ownsAny(owned, member.pendingRevocation)) return;
      this.computeNext(member, member.epoch + 1, owned);
    } else {
      this.computeNext(member, member.epoch, owned);
    }
    // Revoking at a new epoch (re)starts the rebalance timeout; done revoking cancels it.
    if (member.state === 'UNREVOKED_PARTITIONS' && wasUnrevokedAt !== member.epoch) this.startRebalanceTimer(member);
    else if (member.state !== 'UNREVOKED_PARTITIONS') {
      member.cancelRebalance?.();
      member.cancelRebalance = undefined;
    }
  }

  private computeNext(member: ConsumerGroupMember, memberEpoch: number, owned: TopicIdPartitions[] | null): void {
    const targetEpoch = this.assignmentEpoch;
    const target = this.target.get(member.id) ?? new Set<string>();
    const kept = new Map([...member.assigned].filter(([key]) => target.has(key)));
    const revoke = new Map([...member.assigned].filter(([key]) => !target.has(key)));
    let unreleased = false;
    const pendingAssignment: string[] = [];
    for (const key of target) {
      if (kept.has(key)) continue;
      if (this.partitionEpoch(key, member) !== -1) unreleased = true;
      else pendingAssignment.push(key);
    }
    const setEpoch = (epoch: number): void => {
      if (epoch !== member.epoch) member.previousEpoch = member.epoch;
      member.epoch = epoch;
    };
    if (revoke.size > 0 && ownsAny(owned, revoke)) {
      // Revoke first, keeping the epoch; nothing new until the member reports them gone.
      member.state = 'UNREVOKED_PARTITIONS';
      setEpoch(memberEpoch);
      member.assigned = kept;
      member.pendingRevocation = revoke;
      return;
    }
    for (const key of pendingAssignment) kept.set(key, targetEpoch);
    member.state = unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE';
    setEpoch(targetEpoch);
    member.assigned = kept;
    member.pendingRevocation = new Map();
  }

  private startRebalanceTimer(member: ConsumerGroupMember): void {
    member.cancelRebalance?.();
    const epoch = member.epoch;
    // A member that does not revoke within its rebalance timeout is fenced, as Kafka does.
    member.cancelRebalance = this.settings.startTimer(member.rebalanceTimeoutMs, () => {
      member.cancelRebalance = undefined;
      if (this.members.get(member.id) === member && member.epoch === epoch) this.fence(member);
    });
  }

  private startSession(member: ConsumerGroupMember): void {
    member.cancelSession?.();
    member.cancelSession = this.settings.startTimer(this.settings.sessionTimeoutMs, () => {
      member.cancelSession = undefined;
      this.fence(member);
    });
  }

  /**
   * Whether an OffsetCommit from this member at this epoch is accepted, as Kafka 4.4 checks it: an
   * error code for the whole request, or a check per partition. A commit at an older epoch passes
   * for the partitions the member has held since that epoch or earlier (assigned or being revoked).
   */
  commitCheck(memberId: string, memberEpoch: number, version: number): number | ((topicId: string, partition: number) => number) {
    if (this.dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (memberEpoch < 0 && this.members.size === 0) return ErrorCode.NONE; // an admin or a standalone consumer
    const member = this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (version < 9) return ErrorCode.UNSUPPORTED_VERSION;
    if (memberEpoch === member.epoch) return ErrorCode.NONE;
    if (memberEpoch > member.epoch) return ErrorCode.STALE_MEMBER_EPOCH;
    return (topicId, partition) => {
      const key = partitionKey(topicId, partition);
      const since = member.assigned.get(key) ?? member.pendingRevocation.get(key);
      return since !== undefined && since <= memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
    };
  }

  /** Whether an OffsetFetch from this member at this epoch is answered: the error code. */
  fetchError(memberId: string | null, memberEpoch: number): number {
    if (memberId === null && memberEpoch < 0) return ErrorCode.NONE; // an admin's fetch
    const member = memberId === null ? undefined : this.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.epoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** A new group epoch with nothing else changed, as a test's `forceRebalance` asks. */
  forceRebalance(): void {
    if (this.members.size > 0) this.groupEpoch++;
  }

  /** Ends a member's session now, as its session timeout passing would. False when there is no such member. */
  expire(memberId: string): boolean {
    const member = this.members.get(memberId);
    if (!member) return false;
    this.fence(member);
    return true;
  }

  /** The group moved to a new coordinator: every member's session clock starts over. */
  reload(): void {
    for (const member of this.members.values()) this.startSession(member);
  }

  /** No broker can coordinate the group: nobody expires meanwhile. */
  unload(): void {
    for (const member of this.members.values()) {
      member.cancelSession?.();
      member.cancelSession = undefined;
    }
  }

  /** Cancels every timer (the cluster stops, or the group is deleted). */
  shutdown(): void {
    for (const member of this.members.values()) {
      member.cancelSession?.();
      member.cancelRebalance?.();
    }
    this.dead = true;
  }
}

function newMember(memberId: string, request: ConsumerHeartbeat): ConsumerGroupMember {
  return {
    id: memberId,
    instanceId: request.instanceId,
    rackId: request.rackId,
    clientId: request.clientId,
    clientHost: request.clientHost,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    serverAssignor: null,
    epoch: 0,
    previousEpoch: 0,
    state: 'STABLE',
    assigned: new Map(),
    pendingRevocation: new Map(),
  };
}

/**
 * Kafka's epoch check: an epoch ahead of the member's is fenced; one behind is fenced unless it is
 * the previous epoch and the member owns nothing beyond its assignment (the answer that raised the
 * epoch may have been lost). Epoch 0 (a rejoin) is not checked.
 */
function checkEpoch(member: ConsumerGroupMember, received: number, owned: TopicIdPartitions[] | null): void {
  if (received === 0) return;
  if (received > member.epoch) {
    throw new Refused(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.epoch}). The member must abandon all its partitions and rejoin.`);
  }
  if (received < member.epoch && (received !== member.previousEpoch || !isSubset(owned, member.assigned))) {
    throw new Refused(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.epoch}). The member must abandon all its partitions and rejoin.`);
  }
}

function isSubset(owned: TopicIdPartitions[] | null, assigned: ReadonlyMap<string, number>): boolean {
  if (owned === null) return false;
  return owned.every((t) => t.partitions.every((p) => assigned.has(partitionKey(t.topicId, p))));
}

/** Whether the reported partitions include any of `keys`; not reporting (null) counts as still owning. */
function ownsAny(owned: TopicIdPartitions[] | null, keys: ReadonlyMap<string, number>): boolean {
  if (owned === null) return true;
  return owned.some((t) => t.partitions.some((p) => keys.has(partitionKey(t.topicId, p))));
}

function subscriptionOf(member: ConsumerGroupMember): string {
  return JSON.stringify([[...member.subscribedTopicNames].sort(), member.subscribedTopicRegex]);
}

/** Partition keys grouped by topic id, partitions in order, as the heartbeat answer carries them. */
function byTopic(keys: Iterable<string>): TopicIdPartitions[] {
  const topics = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = splitPartitionKey(key);
    topics.set(topicId, [...(topics.get(topicId) ?? []), partition]);
  }
  return [...topics].map(([topicId, partitions]) => ({ topicId, partitions: partitions.sort((a, b) => a - b) }));
}

/**
 * A subscription regex matching whole topic names, as Java's `Pattern.matches` (Kafka evaluates
 * RE2/J; the fake uses JavaScript's engine, which agrees on the common syntax).
 * @throws Error when the pattern does not compile
 */
export function wholeName(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}
