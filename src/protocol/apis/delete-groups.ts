/**
 * DeleteGroups (key 42): deletes consumer groups that have no members, with their committed offsets.
 * Spec: DeleteGroupsRequest.json / DeleteGroupsResponse.json (Kafka 4.4; v3 adds a per-group error message).
 */
import { array, defineApi, field, int16, int32, nullableString, string, struct } from '../schema.js';

/** DeleteGroups: removes empty groups and their offsets; a group with members answers NON_EMPTY_GROUP. */
export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  versions: '0-3',
  flexibleVersions: '2+',
  request: {
    groupsNames: field(array(string), '0+'),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    results: field(
      array(
        struct({
          groupId: field(string, '0+'),
          errorCode: field(int16, '0+'),
          // v3+: why the deletion failed, when the broker says.
          errorMessage: field(nullableString, '3+', { default: null }),
        }),
      ),
      '0+',
    ),
  },
});
