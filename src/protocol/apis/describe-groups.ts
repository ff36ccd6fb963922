/**
 * DescribeGroups (key 15): state, protocol and members (with their metadata and assignment) of
 * classic groups. Spec: DescribeGroupsRequest.json / DescribeGroupsResponse.json (Kafka 4.4).
 */
import { AUTHORIZED_OPERATIONS_OMITTED } from './metadata.js';
import { array, bool, bytes, defineApi, field, int16, int32, nullableString, string, struct } from '../schema.js';

/** DescribeGroups: what a coordinator knows about some of its groups. */
export const DescribeGroups = defineApi({
  apiKey: 15,
  name: 'DescribeGroups',
  versions: '0-6',
  flexibleVersions: '5+',
  request: {
    groups: field(array(string), '0+'),
    includeAuthorizedOperations: field(bool, '3+'),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    groups: field(
      array(
        struct({
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '6+', { default: null }),
          groupId: field(string, '0+'),
          groupState: field(string, '0+'),
          protocolType: field(string, '0+'),
          // The chosen protocol (assignor) name; filled in only while the group is Stable.
          protocolData: field(string, '0+'),
          members: field(
            array(
              struct({
                memberId: field(string, '0+'),
                groupInstanceId: field(nullableString, '4+', { default: null }),
                clientId: field(string, '0+'),
                clientHost: field(string, '0+'),
                // Metadata and assignment are filled in only while the group is Stable.
                memberMetadata: field(bytes, '0+'),
                memberAssignment: field(bytes, '0+'),
              }),
            ),
            '0+',
          ),
          authorizedOperations: field(int32, '3+', { default: AUTHORIZED_OPERATIONS_OMITTED }),
        }),
      ),
      '0+',
    ),
  },
});
