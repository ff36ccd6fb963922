/**
 * ConsumerGroupHeartbeat (key 68): the KIP-848 group protocol. Checks the request's form as Kafka
 * 4.4's GroupCoordinatorService does (INVALID_REQUEST, UNSUPPORTED_ASSIGNOR,
 * INVALID_REGULAR_EXPRESSION), finds or creates the group, and leaves the rest to
 * {@link ConsumerProtocolGroup}.
 */
import { ConsumerGroupHeartbeat } from '../../protocol/apis/consumer-group-heartbeat.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { RequestOut } from '../../protocol/schema.js';
import { SERVER_ASSIGNORS } from '../assignors.js';
import { wholeName, type ConsumerHeartbeatOutcome } from '../consumer-group.js';
import { route, type HandlerContext } from '../dispatcher.js';
import { coordinates } from './lookup.js';

/** From this version on the client makes the member id (KIP-1082): an empty one is refused. */
const CLIENT_MEMBER_ID_VERSION = 1;

type HeartbeatRequest = RequestOut<typeof ConsumerGroupHeartbeat>;

function refused(errorCode: number, errorMessage: string | null): ConsumerHeartbeatOutcome {
  return { errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

/** The error a request gets for its form alone, or null (Kafka's order of checks). */
function formError(request: HeartbeatRequest, version: number): ConsumerHeartbeatOutcome | null {
  const invalid = (message: string): ConsumerHeartbeatOutcome => refused(ErrorCode.INVALID_REQUEST, message);
  const epoch = request.memberEpoch;
  if ((version >= CLIENT_MEMBER_ID_VERSION || epoch > 0 || epoch === -1) && request.memberId === '') return invalid("MemberId can't be empty.");
  if (request.groupId === '') return invalid("GroupId can't be empty.");
  if (request.instanceId === '') return invalid("InstanceId can't be empty.");
  if (request.rackId === '') return invalid("RackId can't be empty.");
  if (epoch === 0) {
    if (request.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.');
    if (request.topicPartitions !== null && request.topicPartitions.length > 0) return invalid('TopicPartitions must be empty when (re-)joining.');
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
      return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.');
    }
  } else if (epoch === -2) {
    if (request.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (epoch < -2) {
    return invalid('MemberEpoch is invalid.');
  }
  if (request.serverAssignor !== null && !SERVER_ASSIGNORS.includes(request.serverAssignor)) {
    return refused(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${request.serverAssignor} is not supported. Supported assignors: ${SERVER_ASSIGNORS.join(', ')}.`);
  }
  if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== '') {
    try {
      wholeName(request.subscribedTopicRegex);
    } catch {
      return refused(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${request.subscribedTopicRegex}\` is not a valid regular expression.`);
    }
  }
  return null;
}

function outcome(request: HeartbeatRequest, context: HandlerContext): ConsumerHeartbeatOutcome {
  const injected = context.claimError([]);
  if (injected) return refused(injected.code, null);
  const invalid = formError(request, context.version);
  if (invalid) return invalid;
  if (!coordinates(context, request.groupId)) return refused(ErrorCode.NOT_COORDINATOR, null);
  const group = context.state.consumerGroup(request.groupId, request.memberEpoch === 0);
  if (!group) {
    // A classic group with members is not converted (the fake plays `group.consumer.migration.policy=disabled`).
    const classic = context.state.groups.has(request.groupId);
    return refused(ErrorCode.GROUP_ID_NOT_FOUND, classic ? `Group ${request.groupId} is not a consumer group.` : `Consumer group ${request.groupId} not found.`);
  }
  return group.heartbeat({
    memberId: request.memberId,
    memberEpoch: request.memberEpoch,
    instanceId: request.instanceId,
    rackId: request.rackId,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    subscribedTopicNames: request.subscribedTopicNames,
    subscribedTopicRegex: request.subscribedTopicRegex,
    serverAssignor: request.serverAssignor,
    topicPartitions: request.topicPartitions,
    clientId: context.clientId,
    clientHost: context.clientHost,
  });
}

/** The ConsumerGroupHeartbeat handler. */
export const consumerGroupHeartbeatRoute = route(ConsumerGroupHeartbeat, (request, context) => {
  const answer = outcome(request, context);
  return { throttleTimeMs: 0, ...answer, assignment: answer.assignment === null ? null : { topicPartitions: answer.assignment } };
});
