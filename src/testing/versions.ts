/**
 * Which versions of an API the fake advertises and accepts: our schema's range, capped where a
 * test lowered it (`FakeKafkaCluster.maxVersion`) to play an older broker.
 */
import type { AnyApi } from '../protocol/schema.js';
import type { ClusterState } from './cluster-state.js';

/** One API's advertised range, as ApiVersions lists it. */
export interface AdvertisedRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** The range of `api` this cluster advertises and accepts. */
export function advertisedRange(state: ClusterState, api: AnyApi): AdvertisedRange {
  const cap = state.maxVersions.get(api.apiKey) ?? api.maxVersion;
  return { apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: Math.max(api.minVersion, Math.min(api.maxVersion, cap)) };
}
