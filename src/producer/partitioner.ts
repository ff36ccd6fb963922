/**
 * Partition choice, compatible with the Java client's built-in partitioner (Kafka 3.3+, KIP-794):
 *
 * - a record with a key goes to `toPositive(murmur2(keyBytes)) % numPartitions`, so the same key
 *   lands on the same partition whichever of kafka-stage or the Java producer wrote it;
 * - a record without a key is *sticky*: it joins the partition the previous keyless record of the
 *   topic went to, until `batchSize` bytes have been sent there; then a new partition is picked at
 *   random among the others. Batches fill up (fewer, larger requests) while load still spreads.
 *   Unlike Java we do not weigh partitions by their leader's queue depth (adaptive partitioning).
 */

/** Seed of Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2). */
const MURMUR2_SEED = 0x9747b28c;
const MURMUR2_M = 0x5bd1e995;

/**
 * Kafka's variant of 32-bit MurmurHash2 over `data`, as a signed 32-bit integer (as Java returns it).
 * Words are read little-endian; `Math.imul` gives Java's wrapping int multiplication.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = MURMUR2_SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, MURMUR2_M);
    k ^= k >>> 24;
    k = Math.imul(k, MURMUR2_M);
    h = Math.imul(h, MURMUR2_M);
    h ^= k;
  }
  // The tail: up to three bytes, mixed in the same order as Java's fall-through switch.
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= (data[whole + 2] as number) << 16;
    if (tail >= 2) h ^= (data[whole + 1] as number) << 8;
    h ^= data[whole] as number;
    h = Math.imul(h, MURMUR2_M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR2_M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not `Math.abs`, which fails for INT_MIN). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Java's default partitioner picks for a key among `numPartitions`. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/** What a partitioner sees of one record. */
export interface PartitionerInput {
  topic: string;
  /** Key bytes, or null for a keyless record. */
  key: Uint8Array | null;
  /** Number of partitions of the topic. */
  numPartitions: number;
}

/**
 * A user-supplied partitioner (Java `partitioner.class`). Returns a partition index in
 * [0, numPartitions), or `undefined` to defer to the default behaviour.
 */
export type PartitionerFunction = (input: PartitionerInput) => number | undefined;

/**
 * The default partitioner: murmur2 for keys, sticky for keyless records. Holds the sticky state of
 * each topic; `recordAppended` feeds it the bytes sent to the sticky partition.
 */
export class DefaultPartitioner {
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();

  /**
   * @param stickyBytes bytes after which a topic's sticky partition changes (Java: `batch.size`).
   * @param random source of randomness in [0, 1), replaceable in tests.
   */
  constructor(
    private readonly stickyBytes: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Picks the partition of a record. */
  partition(topic: string, key: Uint8Array | null, numPartitions: number): number {
    if (key !== null) return partitionForKey(key, numPartitions);
    return this.stickyPartition(topic, numPartitions);
  }

  /**
   * Counts `bytes` of a keyless record appended to `partition` of `topic`; once the sticky partition
   * has taken `stickyBytes`, the next keyless record moves on to another partition.
   */
  recordAppended(topic: string, partition: number, bytes: number): void {
    const state = this.sticky.get(topic);
    if (!state || state.partition !== partition) return;
    state.bytes += bytes;
  }

  private stickyPartition(topic: string, numPartitions: number): number {
    const state = this.sticky.get(topic);
    if (state && state.partition < numPartitions && state.bytes < this.stickyBytes) return state.partition;
    let next: number;
    if (state && state.partition < numPartitions && numPartitions > 1) {
      // Move away from the partition just left, as Java does, so a switch is a real switch.
      next = (state.partition + 1 + Math.floor(this.random() * (numPartitions - 1))) % numPartitions;
    } else {
      next = Math.floor(this.random() * numPartitions);
    }
    this.sticky.set(topic, { partition: next, bytes: 0 });
    return next;
  }
}
