/**
 * CreateTopics (key 19): creates topics, or validates their creation.
 * Spec: CreateTopicsRequest.json / CreateTopicsResponse.json (Kafka 4.4). v0-v1 are gone since Kafka 4.0 (KIP-896).
 */
import { array, bool, defineApi, field, int16, int32, int8, nullableArray, nullableString, string, struct, uuid } from '../schema.js';

/** CreateTopics: new topics with partition counts, replication factors, assignments and configs. */
export const CreateTopics = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  versions: '2-7',
  flexibleVersions: '5+',
  request: {
    topics: field(
      array(
        struct({
          name: field(string, '0+'),
          /** -1 for the broker default (or when `assignments` are given). */
          numPartitions: field(int32, '0+'),
          /** -1 for the broker default (or when `assignments` are given). */
          replicationFactor: field(int16, '0+'),
          assignments: field(
            array(
              struct({
                partitionIndex: field(int32, '0+'),
                brokerIds: field(array(int32), '0+'),
              }),
            ),
            '0+',
          ),
          configs: field(
            array(
              struct({
                name: field(string, '0+'),
                value: field(nullableString, '0+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
    timeoutMs: field(int32, '0+', { default: 60000 }),
    validateOnly: field(bool, '1+', { default: false }),
  },
  response: {
    throttleTimeMs: field(int32, '2+'),
    topics: field(
      array(
        struct({
          name: field(string, '0+'),
          topicId: field(uuid, '7+'),
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '1+'),
          topicConfigErrorCode: field(int16, '5+', { tag: 0 }),
          numPartitions: field(int32, '5+', { default: -1 }),
          replicationFactor: field(int16, '5+', { default: -1 }),
          configs: field(
            nullableArray(
              struct({
                name: field(string, '5+'),
                value: field(nullableString, '5+'),
                readOnly: field(bool, '5+'),
                configSource: field(int8, '5+', { default: -1 }),
                isSensitive: field(bool, '5+'),
              }),
            ),
            '5+',
          ),
        }),
      ),
      '0+',
    ),
  },
});
