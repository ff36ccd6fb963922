/** ApiVersions (key 18): which API versions a broker speaks. Spec: ApiVersionsRequest.json / ApiVersionsResponse.json. */
import { array, bool, defineApi, field, int16, int32, int64, string, struct } from '../schema.js';

export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  versions: '0-4',
  flexibleVersions: '3+',
  request: {
    clientSoftwareName: field(string, '3+', { default: 'kafka-stage' }),
    clientSoftwareVersion: field(string, '3+', { default: '0.1.0' }),
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
