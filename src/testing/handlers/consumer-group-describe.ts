/**
 * ConsumerGroupDescribe (key 69): the fake's consumer (KIP-848) groups as Kafka's coordinator
 * describes them: state, epochs, assignor and per member its subscription, current assignment
 * (the partitions it holds, not those pending revocation) and target, topics by id and name. A
 * classic group, or none, is GROUP_ID_NOT_FOUND.
 */
import { ConsumerGroupDescribe, ConsumerGroupMemberType } from '../../protocol/apis/consumer-group-describe.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { splitPartitionKey } from '../assignors.js';
import type { ConsumerProtocolGroup } from '../consumer-group.js';
import { route, type HandlerContext } from '../dispatcher.js';
import { coordinates } from './lookup.js';

function assignment(context: HandlerContext, keys: Iterable<string>): { topicPartitions: { topicId: string; topicName: string; partitions: number[] }[] } {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = splitPartitionKey(key);
    byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), partition]);
  }
  return {
    topicPartitions: [...byTopic].map(([topicId, partitions]) => ({
      topicId,
      topicName: context.state.topics.byTopicId(topicId)?.name ?? '',
      partitions: partitions.sort((a, b) => a - b),
    })),
  };
}

function describe(context: HandlerContext, group: ConsumerProtocolGroup) {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId: group.id,
    groupState: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignorName: group.assignorName,
    members: [...group.members.values()].map((m) => ({
      memberId: m.id,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.epoch,
      clientId: m.clientId,
      clientHost: `/${m.clientHost}`,
      subscribedTopicNames: [...m.subscribedTopicNames],
      // Kafka answers an empty string for a member subscribed by names.
      subscribedTopicRegex: m.subscribedTopicRegex ?? '',
      assignment: assignment(context, m.assigned.keys()),
      targetAssignment: assignment(context, group.target.get(m.id) ?? []),
      memberType: ConsumerGroupMemberType.CONSUMER,
    })),
  };
}

/** The ConsumerGroupDescribe handler. */
export const consumerGroupDescribeRoute = route(ConsumerGroupDescribe, (request, context) => {
  const injected = context.claimError([]);
  // An error entry carries only the group id and the error; the rest keeps the spec's defaults, as Kafka's does.
  const failed = (groupId: string, errorCode: number, errorMessage: string | null) => ({
    errorCode,
    errorMessage,
    groupId,
    groupState: '',
    groupEpoch: 0,
    assignmentEpoch: 0,
    assignorName: '',
    members: [],
  });
  return {
    throttleTimeMs: 0,
    groups: request.groupIds.map((groupId) => {
      if (injected) return failed(groupId, injected.code, null);
      if (!coordinates(context, groupId)) return failed(groupId, ErrorCode.NOT_COORDINATOR, null);
      const group = context.state.consumerGroups.get(groupId);
      if (group) return describe(context, group);
      const classic = context.state.groups.has(groupId);
      return failed(groupId, ErrorCode.GROUP_ID_NOT_FOUND, classic ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`);
    }),
  };
});
