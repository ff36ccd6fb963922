/**
 * Describing a consumer group of the KIP-848 protocol with ConsumerGroupDescribe. A broker that
 * lacks the API (Kafka 3.7 and older) or refuses it (UNSUPPORTED_VERSION: 3.8 and 3.9 without the
 * protocol's preview), or a group it answers GROUP_ID_NOT_FOUND for (a classic group, or none),
 * gets `null`: the caller asks DescribeGroups then, as Kafka's own admin client does.
 */
import type { Cluster } from '../cluster/cluster.js';
import { comparePartitions } from '../group/assignors/member-order.js';
import { ConsumerGroupDescribe, ConsumerGroupMemberType } from '../protocol/apis/consumer-group-describe.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { kafkaError } from '../protocol/kafka-error.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { UnsupportedVersionError } from '../protocol/versions.js';
import type { ConsumerGroupDescription, ConsumerGroupMember } from './group-description.js';

/** Partitions by topic as the coordinator lists them (topic id, and the name it resolved). */
interface AssignedTopics {
  topicPartitions: { topicId: string; topicName: string; partitions: number[] }[];
}

/** Flat, sorted partitions; a topic the coordinator could not name (deleted meanwhile) goes by its id. */
function partitionsOf(assignment: AssignedTopics): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const t of assignment.topicPartitions) {
    const topic = t.topicName || t.topicId;
    for (const partition of t.partitions) out.push({ topic, partition });
  }
  return out.sort(comparePartitions);
}

function memberTypeOf(code: number): ConsumerGroupMember['memberType'] {
  if (code === ConsumerGroupMemberType.CONSUMER) return 'consumer';
  if (code === ConsumerGroupMemberType.CLASSIC) return 'classic';
  return null;
}

/**
 * The consumer group `groupId` as `coordinator` describes it, or null when it is no consumer group
 * there (unknown, classic) or the broker does not speak ConsumerGroupDescribe.
 * @throws KafkaError (typed: GroupAuthorizationError, NOT_COORDINATOR for the caller to retry, ...)
 *   for any other error the coordinator answers.
 */
export async function describeConsumerGroup(cluster: Cluster, coordinator: number, groupId: string): Promise<ConsumerGroupDescription | null> {
  let response;
  try {
    response = await cluster.request(coordinator, ConsumerGroupDescribe, () => ({ groupIds: [groupId], includeAuthorizedOperations: false }));
  } catch (err) {
    if (err instanceof UnsupportedVersionError) return null;
    throw err;
  }
  const group = response.groups.find((g) => g.groupId === groupId);
  // Kafka 3.8 and 3.9 list the API but answer UNSUPPORTED_VERSION per group unless the consumer
  // protocol's preview is on: they run classic groups only.
  if (!group || group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || group.errorCode === ErrorCode.UNSUPPORTED_VERSION) return null;
  const err = kafkaError(group.errorCode, { api: 'ConsumerGroupDescribe', group: groupId, broker: coordinator }, { brokerMessage: group.errorMessage });
  if (err) throw err;
  return {
    type: 'consumer',
    groupId,
    coordinator,
    state: group.groupState,
    protocolType: 'consumer',
    protocol: group.assignorName,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: partitionsOf(m.assignment),
      memberEpoch: m.memberEpoch,
      rackId: m.rackId,
      subscribedTopicNames: m.subscribedTopicNames,
      // Kafka answers an empty string, not null, for a member that subscribed by name.
      subscribedTopicRegex: m.subscribedTopicRegex || null,
      targetAssignment: partitionsOf(m.targetAssignment),
      memberType: memberTypeOf(m.memberType),
    })),
  };
}
