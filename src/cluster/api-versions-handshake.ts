/**
 * The ApiVersions exchange that opens every connection: which versions of each API a broker speaks.
 *
 * SKELETON (session 4): KIP-511 fallback to the version the broker names is being written.
 */
import { ApiVersions } from '../protocol/apis/api-versions.js';
import { kafkaError } from '../protocol/error-codes.js';
import type { Connection } from '../network/connection.js';
import type { BrokerApiVersions } from './versions.js';

/** Asks `conn`'s broker for its API ranges. */
export async function requestApiVersions(conn: Connection, address: string): Promise<BrokerApiVersions> {
  const response = await conn.request(ApiVersions, ApiVersions.maxVersion, {});
  const err = kafkaError(response.errorCode, { broker: address, api: 'ApiVersions' });
  if (err) throw err;
  return new Map(response.apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]));
}
