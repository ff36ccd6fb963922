/**
 * ConsumerGroupHeartbeat (key 68): the one request of the KIP-848 consumer group protocol. A
 * member joins (epoch 0), stays alive, reports the partitions it owns and leaves (epoch -1, or -2
 * for a static member that will come back) with it; the broker answers with the member epoch, the
 * heartbeat interval and, when it changed, the assignment (partitions by topic id).
 * Spec: ConsumerGroupHeartbeatRequest.json / ConsumerGroupHeartbeatResponse.json (Kafka 4.4).
 * v1 adds the broker-evaluated subscription regex and client-generated member ids (KIP-1082).
 */
import { array, defineApi, field, int16, int32, nullableArray, nullableString, nullableStruct, string, struct, uuid } from '../schema.js';

/** Partitions of one topic, named by topic id. */
const topicPartitions = struct({
  topicId: field(uuid, '0+'),
  partitions: field(array(int32), '0+'),
});

/** ConsumerGroupHeartbeat: join, heartbeat, reconcile and leave a consumer (KIP-848) group. */
export const ConsumerGroupHeartbeat = defineApi({
  apiKey: 68,
  name: 'ConsumerGroupHeartbeat',
  versions: '0-1',
  flexibleVersions: '0+',
  request: {
    groupId: field(string, '0+'),
    memberId: field(string, '0+'),
    // 0 joins, -1 leaves, -2 leaves as a static member that will come back.
    memberEpoch: field(int32, '0+'),
    // The fields below are null (or -1) when unchanged since the last heartbeat.
    instanceId: field(nullableString, '0+', { default: null }),
    rackId: field(nullableString, '0+', { default: null }),
    rebalanceTimeoutMs: field(int32, '0+', { default: -1 }),
    subscribedTopicNames: field(nullableArray(string), '0+', { default: null }),
    subscribedTopicRegex: field(nullableString, '1+', { default: null }),
    serverAssignor: field(nullableString, '0+', { default: null }),
    topicPartitions: field(nullableArray(topicPartitions), '0+', { default: null }),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    errorCode: field(int16, '0+'),
    errorMessage: field(nullableString, '0+', { default: null }),
    memberId: field(nullableString, '0+', { default: null }),
    memberEpoch: field(int32, '0+'),
    heartbeatIntervalMs: field(int32, '0+'),
    // Null when the assignment did not change since the last answer.
    assignment: field(nullableStruct(struct({ topicPartitions: field(array(topicPartitions), '0+') })), '0+', { default: null }),
  },
});
