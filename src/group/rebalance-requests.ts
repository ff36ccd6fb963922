/**
 * The bodies of a member's JoinGroup, SyncGroup and LeaveGroup, and the state-machine events their
 * answers make: pure, so what the member asks for is decided (and tested) apart from sending it.
 */
import { isRetriable, RetriesExhaustedError } from '../cluster/retry.js';
import type { JoinGroup } from '../protocol/apis/join-group.js';
import type { LeaveGroup } from '../protocol/apis/leave-group.js';
import type { SyncGroup } from '../protocol/apis/sync-group.js';
import { KafkaStageError } from '../errors.js';
import type { RequestIn, ResponseOut } from '../protocol/schema.js';
import { CONSUMER_PROTOCOL_TYPE } from '../protocol/consumer-protocol.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { readAssignment } from './member-protocol.js';
import type { MembershipEvent } from './membership-state.js';

/** Extra time JoinGroup's response may take beyond the rebalance timeout (Java adds 5 s too). */
export const JOIN_TIMEOUT_MARGIN_MS = 5_000;
/** First JoinGroup / SyncGroup / Heartbeat / LeaveGroup versions carrying `groupInstanceId`. */
export const STATIC_VERSIONS = { join: 5, sync: 3, heartbeat: 3, leave: 3 } as const;

/** Who the member is, as every group request names it. */
export interface MemberIdentity {
  groupId: string;
  /** Static member id (Java `group.instance.id`), or null. */
  groupInstanceId: string | null;
  /** Member id given by the coordinator; empty before the first join. */
  memberId: string;
}

/** What a JoinGroup carries besides the member's identity. */
export interface JoinRequestInputs {
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** The assignors offered, with this member's subscription metadata (see member-protocol.ts). */
  protocols: { name: string; metadata: Buffer }[];
  /** Why the member joins, for the broker's log (v8+). */
  reason: string;
}

/** A body builder for the version the coordinator speaks, as GroupCoordinator.request takes it. */
export type BodyFor<A> = (version: number) => RequestIn<A>;

/** The JoinGroup body; a static member refuses versions that cannot carry its instance id. */
export function joinGroupBody(member: MemberIdentity, inputs: JoinRequestInputs): BodyFor<typeof JoinGroup> {
  const { groupId, groupInstanceId, memberId } = member;
  const { sessionTimeoutMs, rebalanceTimeoutMs, protocols, reason } = inputs;
  return (v) => {
    if (groupInstanceId !== null && v < STATIC_VERSIONS.join) throw unsupportedStatic('JoinGroup', v);
    return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE, protocols, reason };
  };
}

/** JoinGroup's response timeout: the broker holds the request until the group rejoined, up to the rebalance timeout. */
export function joinTimeoutMs(requestTimeoutMs: number, rebalanceTimeoutMs: number): number {
  return Math.max(requestTimeoutMs, rebalanceTimeoutMs + JOIN_TIMEOUT_MARGIN_MS);
}

/** The SyncGroup body of `generationId`; `assignments` empty unless the member leads. */
export function syncGroupBody(
  member: MemberIdentity,
  generationId: number,
  protocolName: string | null,
  assignments: { memberId: string; assignment: Buffer }[],
): BodyFor<typeof SyncGroup> {
  const { groupId, groupInstanceId, memberId } = member;
  return (v) => {
    if (groupInstanceId !== null && v < STATIC_VERSIONS.sync) throw unsupportedStatic('SyncGroup', v);
    return { groupId, generationId, memberId, groupInstanceId, protocolType: CONSUMER_PROTOCOL_TYPE, protocolName, assignments };
  };
}

/** The LeaveGroup body: v3+ names the member in a batch (with its instance id), older versions alone. */
export function leaveGroupBody(member: MemberIdentity): BodyFor<typeof LeaveGroup> {
  const { groupId, groupInstanceId, memberId } = member;
  return (v) => (v >= STATIC_VERSIONS.leave ? { groupId, members: [{ memberId, groupInstanceId, reason: 'the consumer is stopping' }] } : { groupId, memberId });
}

/** The state-machine event a JoinGroup response makes. */
export function joinResponseEvent(response: ResponseOut<typeof JoinGroup>): MembershipEvent {
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
}

/** The state-machine event a SyncGroup response makes (the assignment decoded only on success). */
export function syncResponseEvent(response: ResponseOut<typeof SyncGroup>): MembershipEvent {
  const assignment = response.errorCode === ErrorCode.NONE ? readAssignment(response.assignment) : [];
  return { type: 'sync-response', errorCode: response.errorCode, assignment };
}

/**
 * The event of a JoinGroup or SyncGroup that failed without a response. Worth retrying: anything
 * transient, a coordinator not found in time included.
 */
export function requestFailedEvent(request: 'join' | 'sync', error: unknown): MembershipEvent {
  return { type: 'request-failed', request, error, retriable: isRetriable(error) || error instanceof RetriesExhaustedError };
}

/** The error of a static member whose coordinator speaks only versions without `groupInstanceId`. */
export function unsupportedStatic(api: string, version: number): KafkaStageError {
  return new KafkaStageError('ERR_UNSUPPORTED_VERSION', `static membership needs a newer ${api} than v${version}, the newest this broker speaks`, {
    context: { api },
    retriable: false,
  });
}
