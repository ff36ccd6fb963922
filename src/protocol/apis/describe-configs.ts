/**
 * DescribeConfigs (key 32): configuration entries of topics, brokers and other resources.
 * Spec: DescribeConfigsRequest.json / DescribeConfigsResponse.json (Kafka 4.4). v0 is gone since Kafka 4.0 (KIP-896).
 */
import { array, bool, defineApi, field, int16, int32, int8, nullableArray, nullableString, string, struct } from '../schema.js';

/** `resourceType` values of DescribeConfigs. */
export const ConfigResourceType = {
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

/** DescribeConfigs: the configuration of resources, optionally with synonyms and documentation. */
export const DescribeConfigs = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  versions: '1-4',
  flexibleVersions: '4+',
  request: {
    resources: field(
      array(
        struct({
          resourceType: field(int8, '0+'),
          resourceName: field(string, '0+'),
          /** Null for every key. */
          configurationKeys: field(nullableArray(string), '0+'),
        }),
      ),
      '0+',
    ),
    includeSynonyms: field(bool, '1+', { default: false }),
    includeDocumentation: field(bool, '3+', { default: false }),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    results: field(
      array(
        struct({
          errorCode: field(int16, '0+'),
          errorMessage: field(nullableString, '0+'),
          resourceType: field(int8, '0+'),
          resourceName: field(string, '0+'),
          configs: field(
            array(
              struct({
                name: field(string, '0+'),
                value: field(nullableString, '0+'),
                readOnly: field(bool, '0+'),
                configSource: field(int8, '1+', { default: -1 }),
                isSensitive: field(bool, '0+'),
                synonyms: field(
                  array(
                    struct({
                      name: field(string, '1+'),
                      value: field(nullableString, '1+'),
                      source: field(int8, '1+'),
                    }),
                  ),
                  '1+',
                ),
                configType: field(int8, '3+', { default: 0 }),
                documentation: field(nullableString, '3+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
  },
});
