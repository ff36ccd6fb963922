/**
 * The classic group APIs: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, and the
 * admin's ListGroups, DescribeGroups and DeleteGroups. The group logic is {@link ClassicGroup}'s;
 * these handlers check the coordinator and the request, and shape the answers per version.
 */
import { DeleteGroups } from '../../protocol/apis/delete-groups.js';
import { DescribeGroups } from '../../protocol/apis/describe-groups.js';
import { CoordinatorType, FindCoordinator } from '../../protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../protocol/apis/heartbeat.js';
import { JoinGroup } from '../../protocol/apis/join-group.js';
import { LeaveGroup } from '../../protocol/apis/leave-group.js';
import { ListGroups } from '../../protocol/apis/list-groups.js';
import { SyncGroup } from '../../protocol/apis/sync-group.js';
import type { JoinOutcome } from '../classic-group.js';
import { route, type HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { coordinates } from './lookup.js';

/** FindCoordinator batches keys from this version on. */
const FIRST_BATCHED_VERSION = 4;
/** JoinGroup hands a new member its id with MEMBER_ID_REQUIRED from this version on (KIP-394). */
const FIRST_MEMBER_ID_REQUIRED_VERSION = 4;
/** JoinGroup's protocol name may be null from this version on. */
const FIRST_NULLABLE_PROTOCOL_VERSION = 7;
/** LeaveGroup names members in a list from this version on. */
const FIRST_BATCHED_LEAVE_VERSION = 3;
/** DescribeGroups answers GROUP_ID_NOT_FOUND for an unknown group from this version on. */
const FIRST_GROUP_NOT_FOUND_VERSION = 6;

/** The error a group request gets before the group is consulted, or null. */
function groupRequestError(context: HandlerContext, groupId: string): number | null {
  const injected = context.claimError([]);
  if (injected) return injected.code;
  if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
  return coordinates(context, groupId) ? null : ErrorCode.NOT_COORDINATOR;
}

/** The FindCoordinator handler: groups only (the fake has no transaction coordinator). */
export const findCoordinatorRoute = route(FindCoordinator, (request, context) => {
  const keys = context.version >= FIRST_BATCHED_VERSION ? request.coordinatorKeys : [request.key];
  const injected = context.claimError([]);
  const coordinators = keys.map((key) => {
    const node = request.keyType === CoordinatorType.GROUP ? context.state.coordinatorFor(key) : undefined;
    const errorCode = injected?.code ?? (node ? ErrorCode.NONE : ErrorCode.COORDINATOR_NOT_AVAILABLE);
    const found = errorCode === ErrorCode.NONE && node;
    return {
      key,
      nodeId: found ? node.nodeId : -1,
      host: found ? node.host : '',
      port: found ? node.port : -1,
      errorCode,
      errorMessage: errorCode === ErrorCode.NONE ? null : 'The coordinator is not available.',
    };
  });
  const first = coordinators[0];
  return { throttleTimeMs: 0, coordinators, errorCode: first?.errorCode ?? ErrorCode.NONE, errorMessage: first?.errorMessage ?? null, nodeId: first?.nodeId ?? -1, host: first?.host ?? '', port: first?.port ?? -1 };
});

/** The JoinGroup handler. */
export const joinGroupRoute = route(JoinGroup, async (request, context) => {
  const { state, version } = context;
  const answer = (outcome: JoinOutcome): ReturnType<typeof shape> => shape(outcome, version);
  const refused = groupRequestError(context, request.groupId);
  const fail = (errorCode: number): ReturnType<typeof shape> =>
    answer({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: request.memberId, members: [] });
  if (refused !== null) return fail(refused);
  const { minSessionTimeoutMs, maxSessionTimeoutMs } = state.settings;
  if (request.sessionTimeoutMs < minSessionTimeoutMs || request.sessionTimeoutMs > maxSessionTimeoutMs) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
  // An empty consumer group turns classic for a classic member, as Kafka does; one with members
  // refuses it (the fake does not mix protocols in one group).
  if (!state.convertToClassic(request.groupId)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const group = state.group(request.groupId, request.memberId === '');
  if (!group) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
  return answer(
    await group.join({
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: context.clientId,
      clientHost: context.clientHost,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      requireKnownMemberId: version >= FIRST_MEMBER_ID_REQUIRED_VERSION && request.groupInstanceId === null,
    }),
  );
});

function shape(outcome: JoinOutcome, version: number) {
  return {
    throttleTimeMs: 0,
    ...outcome,
    // Before v7 the protocol name is a plain string: "" stands for none.
    protocolName: outcome.protocolName ?? (version >= FIRST_NULLABLE_PROTOCOL_VERSION ? null : ''),
  };
}

/** The SyncGroup handler. */
export const syncGroupRoute = route(SyncGroup, async (request, context) => {
  const refused = groupRequestError(context, request.groupId);
  const empty = Buffer.alloc(0);
  if (refused !== null) return { throttleTimeMs: 0, errorCode: refused, assignment: empty };
  const group = context.state.group(request.groupId, false);
  if (!group) return { throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: empty };
  const outcome = await group.sync(
    request.memberId,
    request.generationId,
    { type: request.protocolType, name: request.protocolName },
    request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
  );
  return { throttleTimeMs: 0, ...outcome };
});

/** The Heartbeat handler. */
export const heartbeatRoute = route(Heartbeat, (request, context) => {
  const refused = groupRequestError(context, request.groupId);
  if (refused !== null) return { throttleTimeMs: 0, errorCode: refused };
  const group = context.state.group(request.groupId, false);
  return { throttleTimeMs: 0, errorCode: group ? group.heartbeat(request.memberId, request.generationId) : ErrorCode.UNKNOWN_MEMBER_ID };
});

/** The LeaveGroup handler. */
export const leaveGroupRoute = route(LeaveGroup, (request, context) => {
  const batched = context.version >= FIRST_BATCHED_LEAVE_VERSION;
  const ids = batched ? request.members.map((m) => m.memberId) : [request.memberId];
  const refused = groupRequestError(context, request.groupId);
  if (refused !== null) return { throttleTimeMs: 0, errorCode: refused, members: [] };
  const group = context.state.group(request.groupId, false);
  const members = ids.map((memberId, i) => ({
    memberId,
    groupInstanceId: request.members[i]?.groupInstanceId ?? null,
    errorCode: group ? group.leave(memberId) : ErrorCode.UNKNOWN_MEMBER_ID,
  }));
  // Before v3 the one member's error is the request's.
  return { throttleTimeMs: 0, errorCode: batched ? ErrorCode.NONE : (members[0]?.errorCode ?? ErrorCode.NONE), members };
});

/** The ListGroups handler: the groups this broker coordinates. */
export const listGroupsRoute = route(ListGroups, (request, context) => {
  const injected = context.claimError([]);
  if (injected) return { throttleTimeMs: 0, errorCode: injected.code, groups: [] };
  const states = new Set(request.statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(request.typesFilter.map((t) => t.toLowerCase()));
  const all = [
    ...[...context.state.groups.values()].map((g) => ({ groupId: g.id, protocolType: g.protocolType ?? '', groupState: g.state as string, groupType: 'classic' })),
    ...[...context.state.consumerGroups.values()].map((g) => ({ groupId: g.id, protocolType: 'consumer', groupState: g.state as string, groupType: 'consumer' })),
  ];
  const groups = all.filter(
    (g) =>
      coordinates(context, g.groupId) &&
      g.groupState !== 'Dead' &&
      (states.size === 0 || states.has(g.groupState.toLowerCase())) &&
      (types.size === 0 || types.has(g.groupType)),
  );
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups };
});

/** The DescribeGroups handler. */
export const describeGroupsRoute = route(DescribeGroups, (request, context) => {
  const injected = context.claimError([]);
  return {
    throttleTimeMs: 0,
    groups: request.groups.map((groupId) => {
      const unknown = { groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
      if (injected) return { ...unknown, errorCode: injected.code };
      if (!coordinates(context, groupId)) return { ...unknown, errorCode: ErrorCode.NOT_COORDINATOR };
      const group = context.state.group(groupId, false);
      if (!group) {
        const notFound = context.version >= FIRST_GROUP_NOT_FOUND_VERSION;
        // A consumer group is not described here (Kafka answers ConsumerGroupDescribe for it).
        const kind = context.state.consumerGroups.has(groupId) ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`;
        return { ...unknown, errorCode: notFound ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE, errorMessage: notFound ? kind : null };
      }
      const stable = group.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? '',
        protocolData: stable ? (group.protocolName ?? '') : '',
        members: [...group.members.values()].map((m) => ({
          memberId: m.id,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: `/${m.clientHost}`,
          memberMetadata: stable ? (m.protocols.find((p) => p.name === group.protocolName)?.metadata ?? Buffer.alloc(0)) : Buffer.alloc(0),
          memberAssignment: stable ? m.assignment : Buffer.alloc(0),
        })),
      };
    }),
  };
});

/** The DeleteGroups handler: only empty groups go. */
export const deleteGroupsRoute = route(DeleteGroups, (request, context) => {
  const injected = context.claimError([]);
  return {
    throttleTimeMs: 0,
    results: request.groupsNames.map((groupId) => {
      if (injected) return { groupId, errorCode: injected.code };
      if (!coordinates(context, groupId)) return { groupId, errorCode: ErrorCode.NOT_COORDINATOR };
      const consumer = context.state.consumerGroups.get(groupId);
      if (consumer) {
        if (consumer.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
        consumer.shutdown();
        context.state.consumerGroups.delete(groupId);
        return { groupId, errorCode: ErrorCode.NONE };
      }
      const group = context.state.group(groupId, false);
      if (!group) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (group.state !== 'Empty') return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      group.shutdown();
      context.state.groups.delete(groupId);
      return { groupId, errorCode: ErrorCode.NONE };
    }),
  };
});
