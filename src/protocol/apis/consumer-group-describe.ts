/**
 * ConsumerGroupDescribe (key 69): state, epochs, server-side assignor and members (with their
 * subscriptions, current and target assignments) of consumer (KIP-848) groups. A classic group, or
 * none, is answered with GROUP_ID_NOT_FOUND: DescribeGroups describes those.
 * Spec: ConsumerGroupDescribeRequest.json / ConsumerGroupDescribeResponse.json (Kafka 4.4).
 * v1 adds each member's type (KIP-1099): a classic member of a group being migrated, or a consumer one.
 */
import { AUTHORIZED_OPERATIONS_OMITTED } from './metadata.js';
import { array, bool, defineApi, field, int16, int32, int8, nullableString, string, struct, uuid } from '../schema.js';

/** Partitions of one topic, by id and (resolved by the coordinator) name. */
const topicPartitions = struct({
  topicId: field(uuid, '0+'),
  topicName: field(string, '0+'),
  partitions: field(array(int32), '0+'),
});

const assignment = struct({ topicPartitions: field(array(topicPartitions), '0+') });

/** Member types of v1 (`MemberType`). */
export const ConsumerGroupMemberType = {
  /** A v0 answer, or a broker that does not say. */
  UNKNOWN: -1,
  /** Joined with JoinGroup (a classic member of a group converted to the consumer protocol). */
  CLASSIC: 0,
  /** Speaks ConsumerGroupHeartbeat. */
  CONSUMER: 1,
} as const;

/** ConsumerGroupDescribe: what a coordinator knows about some of its consumer groups. */
export const ConsumerGroupDescribe = defineApi({
  apiKey: 69,
  name: 'ConsumerGroupDescribe',
  versions: '0-1',
  flexibleVersions: '0+',
  request: {
    groupIds: field(array(string), '0+'),
    includeAuthorizedOperations: field(bool, '0+'),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    groups: field(
      array(
        struct({
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '0+', { default: null }),
          groupId: field(string, '0+'),
          groupState: field(string, '0+'),
          groupEpoch: field(int32, '0+'),
          assignmentEpoch: field(int32, '0+'),
          assignorName: field(string, '0+'),
          members: field(
            array(
              struct({
                memberId: field(string, '0+'),
                instanceId: field(nullableString, '0+', { default: null }),
                rackId: field(nullableString, '0+', { default: null }),
                memberEpoch: field(int32, '0+'),
                clientId: field(string, '0+'),
                clientHost: field(string, '0+'),
                subscribedTopicNames: field(array(string), '0+'),
                subscribedTopicRegex: field(nullableString, '0+', { default: null }),
                assignment: field(assignment, '0+'),
                targetAssignment: field(assignment, '0+'),
                memberType: field(int8, '1+', { default: ConsumerGroupMemberType.UNKNOWN }),
              }),
            ),
            '0+',
          ),
          authorizedOperations: field(int32, '0+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
        }),
      ),
      '0+',
    ),
  },
});
