/**
 * ApiVersions (key 18): which API versions a broker speaks. Spec: ApiVersionsRequest.json /
 * ApiVersionsResponse.json (Kafka 4.4).
 *
 * Kafka 4.4 adds v5 (KIP-1242: the client names the cluster and node it expects). Connections open
 * with `ApiVersions.maxVersion`; a broker that does not know it answers in the v0 format with
 * UNSUPPORTED_VERSION and its own range, and the connection's handshake asks again lower (KIP-511;
 * Kafka 3.7/3.8 speak only v0-v3). We stay at v4 for now: v5
 * brings nothing we use. Its fields are declared so that raising `versions` is the only change needed.
 */
import { array, bool, defineApi, field, int16, int32, int64, nullableString, string, struct } from '../schema.js';

/** ApiVersions: the version ranges and features a broker supports. */
export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  versions: '0-4',
  flexibleVersions: '3+',
  request: {
    clientSoftwareName: field(string, '3+', { default: 'kafka-stage' }),
    clientSoftwareVersion: field(string, '3+', { default: '0.1.0' }),
    clusterId: field(nullableString, '5+', { default: null }),
    nodeId: field(int32, '5+', { default: -1 }),
  },
  response: {
    errorCode: field(int16, '0+'),
    apiKeys: field(
      array(struct({ apiKey: field(int16, '0+'), minVersion: field(int16, '0+'), maxVersion: field(int16, '0+') })),
      '0+',
    ),
    throttleTimeMs: field(int32, '1+'),
    supportedFeatures: field(
      array(struct({ name: field(string, '3+'), minVersion: field(int16, '3+'), maxVersion: field(int16, '3+') })),
      '3+',
      { tag: 0 },
    ),
    finalizedFeaturesEpoch: field(int64, '3+', { tag: 1, default: -1n }),
    finalizedFeatures: field(
      array(struct({ name: field(string, '3+'), maxVersionLevel: field(int16, '3+'), minVersionLevel: field(int16, '3+') })),
      '3+',
      { tag: 2 },
    ),
    zkMigrationReady: field(bool, '3+', { tag: 3, default: false }),
  },
});
