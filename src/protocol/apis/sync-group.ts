/**
 * SyncGroup (key 14): after a join, the leader sends every member's assignment and every member
 * receives its own. Spec: SyncGroupRequest.json / SyncGroupResponse.json (Kafka 4.4).
 */
import { array, bytes, defineApi, field, int16, int32, nullableString, string, struct } from '../schema.js';

/** SyncGroup: the leader hands out assignments; every member gets its own back. */
export const SyncGroup = defineApi({
  apiKey: 14,
  name: 'SyncGroup',
  versions: '0-5',
  flexibleVersions: '4+',
  request: {
    groupId: field(string, '0+'),
    generationId: field(int32, '0+'),
    memberId: field(string, '0+'),
    groupInstanceId: field(nullableString, '3+', { default: null }),
    // v5+: the coordinator rejects the request when these differ from what it chose at join time.
    protocolType: field(nullableString, '5+', { default: null }),
    protocolName: field(nullableString, '5+', { default: null }),
    // Only the leader sends assignments; followers send an empty array.
    assignments: field(
      array(
        struct({
          memberId: field(string, '0+'),
          assignment: field(bytes, '0+'),
        }),
      ),
      '0+',
    ),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    errorCode: field(int16, '0+'),
    protocolType: field(nullableString, '5+', { default: null }),
    protocolName: field(nullableString, '5+', { default: null }),
    assignment: field(bytes, '0+'),
  },
});
