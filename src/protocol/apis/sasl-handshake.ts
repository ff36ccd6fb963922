/**
 * SaslHandshake (key 17): names the SASL mechanism a connection will authenticate with; the broker
 * answers with the mechanisms it has enabled. Spec: SaslHandshakeRequest.json /
 * SaslHandshakeResponse.json.
 *
 * Only v1 (KIP-152) is spoken: after it the SASL tokens travel inside SaslAuthenticate requests, so
 * every byte on the connection stays a Kafka frame. v0 (raw tokens on the socket) is gone from Kafka 4.
 */
import { array, defineApi, field, int16, string } from '../schema.js';

/** SaslHandshake: choose the mechanism of the SASL exchange that follows. */
export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  versions: '1-1',
  flexibleVersions: 'none',
  request: {
    mechanism: field(string, '0+'),
  },
  response: {
    errorCode: field(int16, '0+'),
    mechanisms: field(array(string), '0+'),
  },
});
