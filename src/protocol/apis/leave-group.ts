/**
 * LeaveGroup (key 13): members leave a classic group so that it rebalances at once instead of
 * after a session timeout. v0-v2 name one member; v3+ name a batch of members (static members by
 * `groupInstanceId`). Spec: LeaveGroupRequest.json / LeaveGroupResponse.json (Kafka 4.4).
 */
import { array, defineApi, field, int16, int32, nullableString, string, struct } from '../schema.js';

/** LeaveGroup: one member (v0-v2) or a batch of members (v3+) leave the group. */
export const LeaveGroup = defineApi({
  apiKey: 13,
  name: 'LeaveGroup',
  versions: '0-5',
  flexibleVersions: '4+',
  request: {
    groupId: field(string, '0+'),
    memberId: field(string, '0-2'),
    members: field(
      array(
        struct({
          memberId: field(string, '3+'),
          groupInstanceId: field(nullableString, '3+', { default: null }),
          reason: field(nullableString, '5+', { default: null }),
        }),
      ),
      '3+',
    ),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    errorCode: field(int16, '0+'),
    members: field(
      array(
        struct({
          memberId: field(string, '3+'),
          groupInstanceId: field(nullableString, '3+'),
          errorCode: field(int16, '3+'),
        }),
      ),
      '3+',
    ),
  },
});
