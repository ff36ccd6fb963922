/**
 * FindCoordinator (key 10): which broker coordinates a group, a transactional id or a share group.
 * Spec: FindCoordinatorRequest.json / FindCoordinatorResponse.json (Kafka 4.4). v4+ batches several keys.
 */
import { array, defineApi, field, int16, int32, int8, nullableString, string, struct } from '../schema.js';

/** `keyType` values of FindCoordinator. */
export const CoordinatorType = {
  GROUP: 0,
  TRANSACTION: 1,
  SHARE: 2,
} as const;

/** FindCoordinator: the coordinator broker of a key (v0-v3 one key, v4+ many). */
export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  versions: '0-6',
  flexibleVersions: '3+',
  request: {
    key: field(string, '0-3'),
    keyType: field(int8, '1+', { default: 0 }),
    coordinatorKeys: field(array(string), '4+'),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    errorCode: field(int16, '0-3'),
    errorMessage: field(nullableString, '1-3'),
    nodeId: field(int32, '0-3'),
    host: field(string, '0-3'),
    port: field(int32, '0-3'),
    coordinators: field(
      array(
        struct({
          key: field(string, '4+'),
          nodeId: field(int32, '4+'),
          host: field(string, '4+'),
          port: field(int32, '4+'),
          errorCode: field(int16, '4+'),
          errorMessage: field(nullableString, '4+'),
        }),
      ),
      '4+',
    ),
  },
});
