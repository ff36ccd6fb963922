/**
 * ListGroups (key 16): the groups a broker coordinates, optionally filtered by state (v4+) and
 * type (v5+). Spec: ListGroupsRequest.json / ListGroupsResponse.json (Kafka 4.4).
 */
import { array, defineApi, field, int16, int32, string, struct } from '../schema.js';

/** ListGroups: every group this broker coordinates. */
export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  versions: '0-5',
  flexibleVersions: '3+',
  request: {
    // Empty: no filter.
    statesFilter: field(array(string), '4+'),
    typesFilter: field(array(string), '5+'),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    errorCode: field(int16, '0+'),
    groups: field(
      array(
        struct({
          groupId: field(string, '0+'),
          protocolType: field(string, '0+'),
          groupState: field(string, '4+'),
          groupType: field(string, '5+'),
        }),
      ),
      '0+',
    ),
  },
});
