/**
 * The rebalance logic of a classic group member as a pure state machine:
 * `step(state, event) → { state, effects }`. {@link GroupMembership} feeds it responses and timer
 * events and performs the effects in order; this file decides what they are.
 *
 * Phases: `idle` → `joining` (a JoinGroup is due or in flight) → `syncing` (SyncGroup) → `stable`,
 * and back to `joining` on every rebalance; `stopped` and `failed` are final.
 *
 * Rules:
 * - Eager protocol: every owned partition is revoked (awaited) before the member rejoins.
 * - Cooperative protocol: the member rejoins keeping what it owns; after the new assignment it
 *   revokes only what it lost, adds only what is new, and rejoins at once if it revoked anything
 *   (the second phase, in which the revoked partitions reach their new owner). Kept partitions
 *   are never revoked.
 * - ILLEGAL_GENERATION and UNKNOWN_MEMBER_ID: the assignment is lost (no revoke, no commit); the
 *   member rejoins, as a new member after UNKNOWN_MEMBER_ID. FENCED_INSTANCE_ID: lost, and fatal
 *   (another process holds the static id; looping would fence it in turn).
 * - Coordinator errors and lost connections: back off and retry, keeping the assignment, however
 *   long they last (as the Java client): only the coordinator's answer (ILLEGAL_GENERATION,
 *   UNKNOWN_MEMBER_ID) says the member expired, since a coordinator that moved restarts the session
 *   clocks of the members it loads.
 *
 * - Session: the heartbeat timer's `tick` sends a heartbeat when one is due; a member that heard
 *   nothing from the coordinator for a session timeout looks the coordinator up again and keeps
 *   its assignment (see above). `tick` and `alive` are decided at once by the driver, never queued
 *   behind listener work, and their effects are fire-and-forget.
 *
 * A `join` or `sync` effect is always the last of its list: its response is the next event.
 */
import { ErrorCode, kafkaErrorInfo } from '../protocol/error-codes.js';
import { kafkaErrorOf } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import { diffAssignment, uniquePartitions } from './assignment-diff.js';
import type { JoinedMember } from './assignors/index.js';
import type { TopicPartition } from '../protocol/consumer-protocol.js';
import { isCoordinatorErrorCode } from './coordinator.js';


/** Where a member is in the group's life. */
export type MembershipPhase = 'idle' | 'joining' | 'syncing' | 'stable' | 'stopped' | 'failed';

/** A member's state. Immutable: {@link step} returns a new one. */
export interface MembershipState {
  readonly phase: MembershipPhase;
  /** Rebalance protocol: cooperative only when every configured assignor is. */
  readonly cooperative: boolean;
  /** Member id given by the coordinator; empty before the first join and after UNKNOWN_MEMBER_ID. */
  readonly memberId: string;
  /** Generation of the current assignment; -1 when none. */
  readonly generationId: number;
  /** Assignor the coordinator chose in the last join. */
  readonly protocol: string | null;
  /** Member id of the group leader in the last join. */
  readonly leaderId: string;
  /** Partitions owned now, sorted. */
  readonly owned: readonly TopicPartition[];
  /** ms the coordinator waits for a heartbeat before dropping the member. */
  readonly sessionTimeoutMs: number;
  /** When (driver's clock, ms) the coordinator last showed it knows the member; 0 before. */
  readonly aliveAt: number;
}

/** Something that happened to the member. */
export type MembershipEvent =
  | { type: 'start' }
  /** The member must rejoin (e.g. the subscribed topics' partition counts changed). */
  | { type: 'rejoin'; reason: string }
  | {
      type: 'join-response';
      errorCode: number;
      memberId: string;
      generationId: number;
      protocol: string | null;
      leaderId: string;
      skipAssignment: boolean;
      members: readonly JoinedMember[];
    }
  | { type: 'sync-response'; errorCode: number; assignment: readonly TopicPartition[] }
  /**
   * A JoinGroup or SyncGroup failed without a response (connection lost, timeout, coordinator not
   * found, protocol error). `retriable`: whether trying again may help.
   */
  | { type: 'request-failed'; request: 'join' | 'sync'; error: unknown; retriable: boolean }
  /**
   * A heartbeat sent with `generationId` and `memberId` was answered with `errorCode` (also posted
   * when a commit of that generation is fenced: the member learns it without waiting for the next
   * heartbeat).
   */
  | { type: 'heartbeat-response'; generationId: number; memberId: string; errorCode: number }
  | { type: 'stop'; leave: boolean }
  /**
   * The heartbeat timer fired at `now`. `rebalancing`: a JoinGroup or SyncGroup is in flight (the
   * coordinator expects no heartbeat then); `heartbeatInFlight`: the last heartbeat is unanswered.
   */
  | { type: 'tick'; now: number; rebalancing: boolean; heartbeatInFlight: boolean }
  /** The coordinator showed at `at` that it knows the member: a join or sync succeeded, or a heartbeat was answered 0 or REBALANCE_IN_PROGRESS. */
  | { type: 'alive'; at: number };

/** Something the driver must do, in order. */
export type MembershipEffect =
  | { type: 'join' }
  /** Send SyncGroup; `members` (the leader's, unless the coordinator said to skip assignment) are to be assigned. */
  | { type: 'sync'; members: readonly JoinedMember[] | null }
  /** Wait before retrying after a transient failure. */
  | { type: 'backoff' }
  /** Give partitions up cleanly (the listener drains and commits); awaited. */
  | { type: 'revoke'; partitions: readonly TopicPartition[] }
  /** Partitions already lost: the listener stops them without committing; awaited. */
  | { type: 'lose'; partitions: readonly TopicPartition[] }
  /** Newly assigned partitions (possibly none) of a generation; awaited. */
  | { type: 'assign'; partitions: readonly TopicPartition[]; generationId: number }
  /** Tell observers the member joined a generation. */
  | { type: 'joined'; generationId: number; memberId: string; leaderId: string; protocol: string | null }
  | { type: 'leave' }
  | { type: 'fail'; error: KafkaStageError }
  | { type: 'stopped' }
  /** Send a heartbeat as this generation and member; not awaited. */
  | { type: 'heartbeat'; generationId: number; memberId: string }
  /** Nothing heard from the coordinator for a session timeout: forget it and look it up again (it may have moved); the assignment is kept. */
  | { type: 'find-coordinator' }
  /** A stable leader's periodic look at the partition counts of the topics it assigned; not awaited. */
  | { type: 'check-partitions' };

/** The result of one {@link step}. */
export interface Transition {
  state: MembershipState;
  effects: MembershipEffect[];
}

/** Kafka's default `session.timeout.ms`. */
const DEFAULT_SESSION_TIMEOUT_MS = 45_000;

/** The state of a member that has not started; `sessionTimeoutMs` as the member joins with. */
export function initialMembershipState(cooperative: boolean, sessionTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS): MembershipState {
  return { phase: 'idle', cooperative, memberId: '', generationId: -1, protocol: null, leaderId: '', owned: [], sessionTimeoutMs, aliveAt: 0 };
}

type ErrorKind = 'none' | 'member-id-required' | 'rebalance' | 'illegal-generation' | 'unknown-member' | 'fenced-instance' | 'transient' | 'fatal';

/** How a member reacts to an error code of JoinGroup, SyncGroup or Heartbeat. */
export function classifyGroupError(code: number): ErrorKind {
  switch (code) {
    case ErrorCode.NONE:
      return 'none';
    case ErrorCode.MEMBER_ID_REQUIRED:
      return 'member-id-required';
    case ErrorCode.REBALANCE_IN_PROGRESS:
      return 'rebalance';
    case ErrorCode.ILLEGAL_GENERATION:
      return 'illegal-generation';
    case ErrorCode.UNKNOWN_MEMBER_ID:
      return 'unknown-member';
    case ErrorCode.FENCED_INSTANCE_ID:
      return 'fenced-instance';
    default:
      return isCoordinatorErrorCode(code) || kafkaErrorInfo(code).retriable ? 'transient' : 'fatal';
  }
}

function asStageError(error: unknown, api: string): KafkaStageError {
  if (error instanceof KafkaStageError) return error;
  return new KafkaStageError('ERR_PROTOCOL', `${api} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, context: { api } });
}

const same = (state: MembershipState): Transition => ({ state, effects: [] });

/** Starts a rebalance from `state` (rejoin requested or the group is rebalancing). */
function rejoin(state: MembershipState): Transition {
  if (state.phase !== 'stable') return same(state);
  if (state.cooperative) return { state: { ...state, phase: 'joining' }, effects: [{ type: 'join' }] };
  const effects: MembershipEffect[] = state.owned.length > 0 ? [{ type: 'revoke', partitions: state.owned }] : [];
  effects.push({ type: 'join' });
  return { state: { ...state, phase: 'joining', owned: [] }, effects };
}

/**
 * The assignment is lost (fenced or expired): lose what is owned, forget the generation (and the
 * member id unless `keepMemberId`), and rejoin. Always a join: this follows an answer (heartbeat,
 * JoinGroup or SyncGroup), so no join of ours is in flight. (It once skipped the join when the
 * member was already 'joining', which is exactly when a JoinGroup's own answer is UNKNOWN_MEMBER_ID:
 * the member then waited for ever. The chaos suite's sigstop-zombie hit it when the group moved to
 * a coordinator that knew only the members' previous ids.)
 */
function lost(state: MembershipState, keepMemberId: boolean): Transition {
  const effects: MembershipEffect[] = state.owned.length > 0 ? [{ type: 'lose', partitions: state.owned }] : [];
  effects.push({ type: 'join' });
  return {
    state: { ...state, phase: 'joining', owned: [], generationId: -1, memberId: keepMemberId ? state.memberId : '' },
    effects,
  };
}

/** A fatal error: lose what is owned and fail. */
function fail(state: MembershipState, error: KafkaStageError): Transition {
  const effects: MembershipEffect[] = state.owned.length > 0 ? [{ type: 'lose', partitions: state.owned }] : [];
  effects.push({ type: 'fail', error });
  return { state: { ...state, phase: 'failed', owned: [], generationId: -1 }, effects };
}

/** Retry the join after a backoff, keeping the assignment. */
function retryJoin(state: MembershipState): Transition {
  return { state: { ...state, phase: 'joining' }, effects: [{ type: 'backoff' }, { type: 'join' }] };
}

/** Reaction to a group error code that is not specific to one request. */
function onGroupError(state: MembershipState, code: number, api: string): Transition {
  switch (classifyGroupError(code)) {
    case 'illegal-generation':
      return lost(state, true);
    case 'unknown-member':
      return lost(state, false);
    case 'fenced-instance':
    case 'fatal':
    case 'member-id-required':
      return fail(state, kafkaErrorOf(code, { api }));
    default:
      return same(state);
  }
}

/** The events a driver decides at once, never queued behind listener work (a slow revoke must not starve heartbeats). */
export type SessionEvent = Extract<MembershipEvent, { type: 'tick' | 'alive' }>;

/** The effects of a {@link SessionEvent}: fire-and-forget, none awaited. */
export type SessionEffect = Extract<MembershipEffect, { type: 'heartbeat' | 'find-coordinator' | 'check-partitions' }>;

/**
 * The session clock. `alive` restarts it. A `tick` does nothing while the member has no
 * generation, is between a JoinGroup and its SyncGroup's answer, or is done; otherwise it sends a
 * heartbeat unless one is unanswered. No answer for a session timeout: the coordinator may have
 * moved (a broker failover takes ~9 s in KRaft, and the new coordinator restarts the session clocks
 * of the members it loads). As the Java client, look it up again and keep the assignment: only the
 * coordinator can say the member expired (UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION on the next
 * heartbeat, which loses it). The clock restarts so the look-up is not repeated at every tick.
 */
export function stepSession(state: MembershipState, event: SessionEvent): { state: MembershipState; effects: SessionEffect[] } {
  if (event.type === 'alive') return { state: { ...state, aliveAt: event.at }, effects: [] };
  const { phase } = state;
  if (phase === 'idle' || phase === 'stopped' || phase === 'failed' || event.rebalancing || state.generationId < 0) return { state, effects: [] };
  const effects: SessionEffect[] = [];
  let next = state;
  if (event.now - state.aliveAt > state.sessionTimeoutMs) {
    effects.push({ type: 'find-coordinator' });
    next = { ...state, aliveAt: event.now };
  }
  if (!event.heartbeatInFlight) effects.push({ type: 'heartbeat', generationId: state.generationId, memberId: state.memberId });
  const leader = state.memberId !== '' && state.leaderId === state.memberId;
  if (phase === 'stable' && leader) effects.push({ type: 'check-partitions' });
  return { state: next, effects };
}

/** The next state and the effects of `event` in `state`. */
export function step(state: MembershipState, event: MembershipEvent): Transition {
  switch (event.type) {
    case 'start':
      return state.phase === 'idle' ? { state: { ...state, phase: 'joining' }, effects: [{ type: 'join' }] } : same(state);

    case 'rejoin':
      return rejoin(state);

    case 'join-response': {
      if (state.phase !== 'joining') return same(state);
      const kind = classifyGroupError(event.errorCode);
      if (kind === 'none') {
        const leader = event.leaderId === event.memberId;
        return {
          state: {
            ...state,
            phase: 'syncing',
            memberId: event.memberId,
            generationId: event.generationId,
            protocol: event.protocol,
            leaderId: event.leaderId,
          },
          effects: [
            { type: 'joined', generationId: event.generationId, memberId: event.memberId, leaderId: event.leaderId, protocol: event.protocol },
            { type: 'sync', members: leader && !event.skipAssignment ? event.members : null },
          ],
        };
      }
      if (kind === 'member-id-required') return { state: { ...state, memberId: event.memberId }, effects: [{ type: 'join' }] };
      if (kind === 'rebalance') return { state, effects: [{ type: 'join' }] };
      if (kind === 'transient') return retryJoin(state);
      return onGroupError(state, event.errorCode, 'JoinGroup');
    }

    case 'sync-response': {
      if (state.phase !== 'syncing') return same(state);
      const kind = classifyGroupError(event.errorCode);
      if (kind === 'none') {
        const diff = diffAssignment(state.owned, event.assignment);
        const effects: MembershipEffect[] = [];
        if (diff.revoked.length > 0) effects.push({ type: 'revoke', partitions: diff.revoked });
        effects.push({ type: 'assign', partitions: diff.added, generationId: state.generationId });
        // Second phase of a cooperative rebalance: the partitions just given up go to their new
        // owner only in the next generation.
        const again = state.cooperative && diff.revoked.length > 0;
        if (again) effects.push({ type: 'join' });
        return { state: { ...state, phase: again ? 'joining' : 'stable', owned: uniquePartitions([...diff.kept, ...diff.added]) }, effects };
      }
      if (kind === 'rebalance') return rejoin({ ...state, phase: 'stable' });
      if (kind === 'transient') return retryJoin(state);
      return onGroupError(state, event.errorCode, 'SyncGroup');
    }

    case 'request-failed': {
      const expected = event.request === 'join' ? 'joining' : 'syncing';
      if (state.phase !== expected) return same(state);
      if (event.retriable) return retryJoin(state);
      return fail(state, asStageError(event.error, event.request === 'join' ? 'JoinGroup' : 'SyncGroup'));
    }

    case 'heartbeat-response': {
      if (state.phase !== 'stable' || event.generationId !== state.generationId || event.memberId !== state.memberId) return same(state);
      const kind = classifyGroupError(event.errorCode);
      if (kind === 'rebalance') return rejoin(state);
      if (kind === 'none' || kind === 'transient') return same(state);
      return onGroupError(state, event.errorCode, 'Heartbeat');
    }

    case 'stop': {
      if (state.phase === 'stopped') return same(state);
      if (state.phase === 'idle' || state.phase === 'failed') return { state: { ...state, phase: 'stopped' }, effects: [{ type: 'stopped' }] };
      const effects: MembershipEffect[] = state.owned.length > 0 ? [{ type: 'revoke', partitions: state.owned }] : [];
      if (event.leave && state.memberId !== '') effects.push({ type: 'leave' });
      effects.push({ type: 'stopped' });
      return { state: { ...state, phase: 'stopped', owned: [] }, effects };
    }

    case 'tick':
    case 'alive':
      return stepSession(state, event);
  }
}
