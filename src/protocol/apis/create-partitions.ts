/**
 * CreatePartitions (key 37): raises the partition count of topics.
 * Spec: CreatePartitionsRequest.json / CreatePartitionsResponse.json (Kafka 4.4).
 */
import { array, bool, defineApi, field, int16, int32, nullableArray, nullableString, string, struct } from '../schema.js';

/** CreatePartitions: grows topics to a new partition count, optionally with explicit assignments. */
export const CreatePartitions = defineApi({
  apiKey: 37,
  name: 'CreatePartitions',
  versions: '0-3',
  flexibleVersions: '2+',
  request: {
    topics: field(
      array(
        struct({
          name: field(string, '0+'),
          /** The new total partition count. */
          count: field(int32, '0+'),
          /** One entry per new partition, or null to let the controller place them. */
          assignments: field(nullableArray(struct({ brokerIds: field(array(int32), '0+') })), '0+'),
        }),
      ),
      '0+',
    ),
    timeoutMs: field(int32, '0+'),
    validateOnly: field(bool, '0+'),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    results: field(
      array(
        struct({
          name: field(string, '0+'),
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '0+', { default: null }),
        }),
      ),
      '0+',
    ),
  },
});
