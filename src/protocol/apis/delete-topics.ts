/**
 * DeleteTopics (key 20): deletes topics by name (v1-v5) or by name or id (v6+).
 * Spec: DeleteTopicsRequest.json / DeleteTopicsResponse.json (Kafka 4.4). v0 is gone since Kafka 4.0 (KIP-896).
 */
import { array, defineApi, field, int16, int32, nullableString, string, struct, uuid } from '../schema.js';

/** DeleteTopics: removes topics. */
export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  versions: '1-6',
  flexibleVersions: '4+',
  request: {
    topics: field(
      array(
        struct({
          name: field(nullableString, '6+', { default: null }),
          topicId: field(uuid, '6+'),
        }),
      ),
      '6+',
    ),
    topicNames: field(array(string), '0-5'),
    timeoutMs: field(int32, '0+'),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    responses: field(
      array(
        struct({
          // Null (v6+) for a topic deleted by an id the broker does not know.
          name: field(nullableString, '0+', { nullableVersions: '6+' }),
          topicId: field(uuid, '6+'),
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '5+', { default: null }),
        }),
      ),
      '0+',
    ),
  },
});
