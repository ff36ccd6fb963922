/**
 * API version negotiation: the highest version both we and a broker speak. Pure, and kept with the
 * API definitions so that the network layer (the SASL exchange) and the cluster's links share it.
 */
import { KafkaStageError } from '../errors.js';

/** A broker's advertised range for one API key. */
export interface BrokerApiRange {
  minVersion: number;
  maxVersion: number;
}

/** Broker ranges by API key, from its ApiVersions response. */
export type BrokerApiVersions = ReadonlyMap<number, BrokerApiRange>;

/** Raised when a broker lacks an API or every version of it that we speak. */
export class UnsupportedVersionError extends KafkaStageError {
  static override readonly brand: string = 'UnsupportedVersionError';

  constructor(api: string, broker: string | number, detail: string) {
    super('ERR_UNSUPPORTED_VERSION', `broker ${broker} does not support ${api}: ${detail}`, { context: { api, broker } });
  }
}

/** Picks the version to speak: the highest in the overlap of our range and the broker's. */
export function negotiateVersion(
  api: { apiKey: number; name: string; minVersion: number; maxVersion: number },
  broker: BrokerApiVersions,
  brokerName: string | number,
): number {
  const theirs = broker.get(api.apiKey);
  if (!theirs) throw new UnsupportedVersionError(api.name, brokerName, 'the broker does not list the API');
  const version = Math.min(api.maxVersion, theirs.maxVersion);
  if (version < Math.max(api.minVersion, theirs.minVersion)) {
    throw new UnsupportedVersionError(
      api.name,
      brokerName,
      `we speak ${api.minVersion}-${api.maxVersion}, the broker ${theirs.minVersion}-${theirs.maxVersion}`,
    );
  }
  return version;
}
