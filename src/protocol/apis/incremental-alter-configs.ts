/**
 * IncrementalAlterConfigs (key 44): sets, deletes, appends to or subtracts from single config
 * entries of topics and brokers, leaving the others as they are (KIP-339).
 * Spec: IncrementalAlterConfigsRequest.json / IncrementalAlterConfigsResponse.json (Kafka 4.4).
 */
import { array, bool, defineApi, field, int16, int32, int8, nullableString, string, struct } from '../schema.js';

/** `configOperation` values of IncrementalAlterConfigs (Java `AlterConfigOp.OpType`). */
export const AlterConfigOperation = {
  SET: 0,
  DELETE: 1,
  APPEND: 2,
  SUBTRACT: 3,
} as const;

/** IncrementalAlterConfigs: changes named config entries of resources. */
export const IncrementalAlterConfigs = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  versions: '0-1',
  flexibleVersions: '1+',
  request: {
    resources: field(
      array(
        struct({
          resourceType: field(int8, '0+'),
          resourceName: field(string, '0+'),
          configs: field(
            array(
              struct({
                name: field(string, '0+'),
                configOperation: field(int8, '0+'),
                /** Null for a delete. */
                value: field(nullableString, '0+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
    validateOnly: field(bool, '0+'),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    responses: field(
      array(
        struct({
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '0+'),
          resourceType: field(int8, '0+'),
          resourceName: field(string, '0+'),
        }),
      ),
      '0+',
    ),
  },
});
