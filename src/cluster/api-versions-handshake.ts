/**
 * The ApiVersions exchange that opens every connection: which versions of each API a broker speaks.
 *
 * KIP-511: we ask at the highest ApiVersions version we speak. A broker that does not know it
 * answers in the v0 format with UNSUPPORTED_VERSION and, since Kafka 2.4, lists its own ApiVersions
 * range in `apiKeys` (the connection decodes that answer as v0 and keeps the socket open). We then ask
 * once more, on the same connection, at the highest version both sides speak — or at v0, which every
 * broker knows, when it names no usable range. A second refusal is a typed error: one fallback, never
 * a loop.
 */
import { ApiVersions } from '../protocol/apis/api-versions.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { ProtocolError } from '../protocol/errors.js';
import type { Connection } from '../network/connection.js';
import { UnsupportedVersionError, type BrokerApiRange, type BrokerApiVersions } from '../protocol/versions.js';
import { ErrorCode } from '../protocol/error-codes.js';


/** One entry of an ApiVersions answer's `apiKeys`. */
interface AdvertisedRange extends BrokerApiRange {
  apiKey: number;
}

/**
 * Asks `conn`'s broker for its API ranges, falling back once as KIP-511 says.
 *
 * @throws UnsupportedVersionError when the broker refuses the fallback version too.
 * @throws ProtocolError when the ranges it lists do not make sense (min above max, negative, repeated keys).
 * @throws KafkaError for any other error code in the answer.
 */
export async function requestApiVersions(conn: Connection, address: string): Promise<BrokerApiVersions> {
  const first = ApiVersions.maxVersion;
  let response = await conn.request(ApiVersions, first, {});
  if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
    const retry = fallbackVersion(brokerRanges(response.apiKeys, address), first);
    response = await conn.request(ApiVersions, retry, {});
    if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      throw new UnsupportedVersionError('ApiVersions', address, `the broker refused v${first} and then v${retry}`);
    }
  }
  const err = kafkaError(response.errorCode, { broker: address, api: 'ApiVersions' });
  if (err) throw err;
  return brokerRanges(response.apiKeys, address);
}

/**
 * The ApiVersions version to ask after the broker refused `refused`: the top of the overlap of our
 * range and the one it names, or 0 when it names none below `refused` (a broker naming a range that
 * still holds the version it just refused contradicts itself; v0 is the version every broker speaks).
 */
export function fallbackVersion(broker: BrokerApiVersions, refused: number): number {
  const theirs = broker.get(ApiVersions.apiKey);
  if (!theirs || theirs.maxVersion >= refused) return 0;
  const version = Math.min(theirs.maxVersion, ApiVersions.maxVersion);
  return version >= Math.max(theirs.minVersion, ApiVersions.minVersion) ? version : 0;
}

/**
 * The ranges of an ApiVersions answer as a map, checked: a broker that lists a key twice or a range
 * that is empty or negative sent bytes we must not negotiate from.
 */
export function brokerRanges(apiKeys: readonly AdvertisedRange[], address: string): BrokerApiVersions {
  const ranges = new Map<number, BrokerApiRange>();
  for (const { apiKey, minVersion, maxVersion } of apiKeys) {
    if (apiKey < 0 || minVersion < 0 || maxVersion < minVersion) {
      throw new ProtocolError(`ApiVersions lists key ${apiKey} with the range ${minVersion}-${maxVersion}`, { broker: address, api: 'ApiVersions' });
    }
    if (ranges.has(apiKey)) {
      throw new ProtocolError(`ApiVersions lists key ${apiKey} twice`, { broker: address, api: 'ApiVersions' });
    }
    ranges.set(apiKey, { minVersion, maxVersion });
  }
  return ranges;
}
