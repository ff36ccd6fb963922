/**
 * JoinGroup (key 11): a member joins (or rejoins) a classic group and, once every member has
 * joined, learns the generation, the chosen protocol and, if it leads, every member's metadata.
 * Spec: JoinGroupRequest.json / JoinGroupResponse.json (Kafka 4.4).
 */
import { array, bool, bytes, defineApi, field, int16, int32, nullableString, string, struct } from '../schema.js';

/** The member id of a first join (Java's `JoinGroupRequest.UNKNOWN_MEMBER_ID`): at v4+ the coordinator answers MEMBER_ID_REQUIRED with the id to rejoin with. */
export const NEW_MEMBER_ID = '';

/** JoinGroup: join a classic group; v4+ needs a second join with the member id the first one returned. */
export const JoinGroup = defineApi({
  apiKey: 11,
  name: 'JoinGroup',
  versions: '0-9',
  flexibleVersions: '6+',
  request: {
    groupId: field(string, '0+'),
    sessionTimeoutMs: field(int32, '0+'),
    // v0 has no rebalance timeout: the coordinator uses the session timeout instead.
    rebalanceTimeoutMs: field(int32, '1+', { default: -1 }),
    memberId: field(string, '0+'),
    groupInstanceId: field(nullableString, '5+', { default: null }),
    protocolType: field(string, '0+'),
    protocols: field(
      array(
        struct({
          name: field(string, '0+'),
          metadata: field(bytes, '0+'),
        }),
      ),
      '0+',
    ),
    reason: field(nullableString, '8+', { default: null }),
  },
  response: {
    throttleTimeMs: field(int32, '2+'),
    errorCode: field(int16, '0+'),
    generationId: field(int32, '0+', { default: -1 }),
    protocolType: field(nullableString, '7+', { default: null }),
    // Null only in v7+ (the coordinator had no protocol to choose); earlier versions send a string.
    protocolName: field(nullableString, '0+', { nullableVersions: '7+' }),
    leader: field(string, '0+'),
    skipAssignment: field(bool, '9+', { default: false }),
    memberId: field(string, '0+'),
    members: field(
      array(
        struct({
          memberId: field(string, '0+'),
          groupInstanceId: field(nullableString, '5+', { default: null }),
          metadata: field(bytes, '0+'),
        }),
      ),
      '0+',
    ),
  },
});
