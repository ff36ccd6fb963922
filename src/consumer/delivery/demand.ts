/**
 * GenStage's demand rule for one subscriber: ask `maxDemand` at start, and ask again — for
 * `maxDemand − outstanding` — once outstanding demand has fallen to `minDemand`. Records arrive in
 * chunks of at most `maxDemand − minDemand`, so while the subscriber works on one chunk the stage
 * still has `minDemand` records of demand to fetch against: fetching overlaps processing.
 *
 * Worked numbers, defaults: maxDemand 2000, minDemand 1500. The subscriber starts: demand 2000. A
 * batch of 500 is handed out: demand 1500. The subscriber asks for its next batch: 1500 ≤ 1500, so
 * it asks 500 more (demand 2000) and takes the next 500 records already buffered.
 */
import { InvalidOptionError } from '../../errors.js';
import type { DemandOptions } from '../types.js';

/**
 * Default `maxDemand` (twice GenStage's 1000). Fetch sizes follow demand, so this sets how much one
 * round trip brings: a larger demand carries more records per Fetch for the same round-trip cost,
 * up to the point where the Fetch is no longer the limit. A partition asks for at most half its
 * buffer (1000 records) per Fetch; with 1000 that one answer covered all of its demand, so it sat
 * out the Fetch that left as the answer landed, then asked for what its subscriber had taken since:
 * a 6-partition drain of 15M × 100 B took 4338 Fetches of about 3 partitions and 400 KB. With 2000,
 * 2276 Fetches of all 6 partitions and 780 KB, and the drain 1.6× faster at the same CPU per
 * record. 4000 and 8000 (with buffers to match) were no faster (BENCHMARKS.md, "Demand and round
 * trips").
 */
export const DEFAULT_MAX_DEMAND = 2000;

/** Demand options after defaults and validation. */
export interface DemandPolicy {
  maxDemand: number;
  minDemand: number;
  /** Most records handed out at once: `maxDemand − minDemand`. */
  chunk: number;
}

/** Applies defaults and validates; throws InvalidOptionError naming `maxDemand` or `minDemand`. */
export function resolveDemand(options: DemandOptions = {}): DemandPolicy {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object of demand options');
  const maxDemand = options.maxDemand ?? DEFAULT_MAX_DEMAND;
  if (!Number.isSafeInteger(maxDemand) || maxDemand < 1) {
    throw new InvalidOptionError('maxDemand', `expected an integer ≥ 1, got ${String(maxDemand)}`);
  }
  const minDemand = options.minDemand ?? Math.floor((maxDemand * 3) / 4);
  if (!Number.isSafeInteger(minDemand) || minDemand < 0 || minDemand >= maxDemand) {
    throw new InvalidOptionError('minDemand', `expected an integer in [0, maxDemand ${maxDemand}), got ${String(minDemand)}`);
  }
  return { maxDemand, minDemand, chunk: maxDemand - minDemand };
}

/** How much to ask now, given what is outstanding: 0 unless demand fell to `minDemand`. */
export function refill(policy: DemandPolicy, outstanding: number): number {
  return outstanding <= policy.minDemand ? policy.maxDemand - outstanding : 0;
}
