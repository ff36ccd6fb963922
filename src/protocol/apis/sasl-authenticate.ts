/**
 * SaslAuthenticate (key 36): carries one SASL token each way. Spec: SaslAuthenticateRequest.json /
 * SaslAuthenticateResponse.json.
 *
 * v1 adds `sessionLifetimeMs` (KIP-368: the client must re-authenticate before it runs out, or the
 * broker closes the connection); v2 is the flexible encoding of v1.
 */
import { bytes, defineApi, field, int16, int64, nullableString } from '../schema.js';

/** SaslAuthenticate: one step of the SASL exchange. */
export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  versions: '0-2',
  flexibleVersions: '2+',
  request: {
    authBytes: field(bytes, '0+'),
  },
  response: {
    errorCode: field(int16, '0+'),
    errorMessage: field(nullableString, '0+'),
    authBytes: field(bytes, '0+'),
    sessionLifetimeMs: field(int64, '1+', { default: 0n }),
  },
});
