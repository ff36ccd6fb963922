/** Deterministic inputs for the micro-benchmarks, so runs compare like with like. */
import type { RecordInput } from '../../src/protocol/records/types.js';

/** A small linear congruential generator: same sequence on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * `count` records with 8-byte-ish keys and values of `valueBytes` random uppercase letters, the
 * payload Kafka's ProducerPerformance sends (compressible roughly as real text is).
 */
export function benchRecords(count: number, valueBytes: number, seed = 42): RecordInput[] {
  const random = seededRandom(seed);
  const base = 1_700_000_000_000;
  return Array.from({ length: count }, (_, i) => {
    const value = Buffer.allocUnsafe(valueBytes);
    for (let j = 0; j < valueBytes; j++) value[j] = 65 + Math.floor(random() * 26);
    return { key: `key-${i}`, value, timestamp: base + i };
  });
}
