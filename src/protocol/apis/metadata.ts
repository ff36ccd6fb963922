/**
 * Metadata (key 3): brokers, topics, partitions and their leaders.
 * Spec: MetadataRequest.json / MetadataResponse.json (Kafka 4.4).
 */
import { array, bool, defineApi, field, int16, int32, nullableArray, nullableString, string, struct, uuid } from '../schema.js';

/** The value of `topicAuthorizedOperations` / `clusterAuthorizedOperations` when not requested. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;

/** Metadata: which brokers exist and which one leads each partition of the topics asked for. */
export const Metadata = defineApi({
  apiKey: 3,
  name: 'Metadata',
  versions: '0-13',
  flexibleVersions: '9+',
  request: {
    // v0: an empty array means every topic. v1+: null means every topic, empty means none.
    topics: field(
      nullableArray(
        struct({
          topicId: field(uuid, '10+'),
          // Null (v10+) when the topic is named by id only.
          name: field(nullableString, '0+', { nullableVersions: '10+' }),
        }),
      ),
      '0+',
      { nullableVersions: '1+' },
    ),
    allowAutoTopicCreation: field(bool, '4+', { default: true }),
    includeClusterAuthorizedOperations: field(bool, '8-10'),
    includeTopicAuthorizedOperations: field(bool, '8+'),
  },
  response: {
    throttleTimeMs: field(int32, '3+'),
    brokers: field(
      array(
        struct({
          nodeId: field(int32, '0+'),
          host: field(string, '0+'),
          port: field(int32, '0+'),
          rack: field(nullableString, '1+', { default: null }),
        }),
      ),
      '0+',
    ),
    clusterId: field(nullableString, '2+', { default: null }),
    controllerId: field(int32, '1+', { default: -1 }),
    topics: field(
      array(
        struct({
          errorCode: field(int16, '0+'),
          // Null (v12+) for a topic asked for by an id the broker does not know.
          name: field(nullableString, '0+', { nullableVersions: '12+' }),
          topicId: field(uuid, '10+'),
          isInternal: field(bool, '1+', { default: false }),
          partitions: field(
            array(
              struct({
                errorCode: field(int16, '0+'),
                partitionIndex: field(int32, '0+'),
                leaderId: field(int32, '0+'),
                leaderEpoch: field(int32, '7+', { default: -1 }),
                replicaNodes: field(array(int32), '0+'),
                isrNodes: field(array(int32), '0+'),
                offlineReplicas: field(array(int32), '5+'),
              }),
            ),
            '0+',
          ),
          topicAuthorizedOperations: field(int32, '8+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
        }),
      ),
      '0+',
    ),
    clusterAuthorizedOperations: field(int32, '8-10', { default: AUTHORIZED_OPERATIONS_OMITTED }),
    errorCode: field(int16, '13+'),
  },
});
