/**
 * Idempotence bookkeeping, as pure state: the producer id and epoch, and the next sequence number
 * of every partition. A batch is stamped when first sent and keeps its stamp across retries, so
 * the broker recognises a resent batch as a duplicate; after an epoch bump every partition starts
 * again at sequence 0 and unacknowledged batches are stamped anew.
 */
import type { ProducerBatch } from './batch.js';

/** Largest producer epoch (int16). When reached, the producer needs a new producer id. */
export const MAX_PRODUCER_EPOCH = 32767;

/** Java's `DefaultRecordBatch.incrementSequence`: sequences wrap from 2^31-1 back to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  const max = 0x7fffffff;
  if (sequence > max - increment) return increment - (max - sequence) - 1;
  return sequence + increment;
}

/** Producer id, epoch and per-partition sequence numbers of an idempotent producer. */
export class SequenceState {
  private id = -1n;
  private epoch = -1;
  private readonly next = new Map<string, number>();
  /** Partitions with a batch written under the current producer id and epoch (see isConfirmed). */
  private readonly confirmed = new Set<string>();
  private bump = false;

  /** The producer id (-1 before InitProducerId). */
  get producerId(): bigint {
    return this.id;
  }

  /** The producer epoch (-1 before InitProducerId). */
  get producerEpoch(): number {
    return this.epoch;
  }

  /** True once a producer id is known. */
  get hasProducerId(): boolean {
    return this.id >= 0n;
  }

  /** True when a failure left a gap in some partition's sequence: no batch may be sent until the epoch is bumped. */
  get bumpNeeded(): boolean {
    return this.bump;
  }

  /** Adopts a producer id and epoch from InitProducerId; every partition starts again at sequence 0. */
  setProducer(producerId: bigint, producerEpoch: number): void {
    this.id = producerId;
    this.epoch = producerEpoch;
    this.next.clear();
    this.confirmed.clear();
    this.bump = false;
  }

  /** Asks for an epoch bump: a stamped batch failed without being written, so its partition has a gap. */
  requestBump(): void {
    this.bump = true;
  }

  /**
   * Bumps the epoch locally, as the Java idempotent producer does (KIP-360): the broker accepts a
   * higher epoch with sequence 0. Returns false when the epoch is exhausted and a new producer id
   * must be fetched instead.
   */
  bumpEpoch(): boolean {
    if (this.epoch >= MAX_PRODUCER_EPOCH) return false;
    this.setProducer(this.id, this.epoch + 1);
    return true;
  }

  /**
   * Stamps a batch about to be sent: a batch already stamped under the current producer id and
   * epoch keeps its sequence (a retry); any other gets the partition's next sequence.
   */
  stamp<T>(batch: ProducerBatch<T>): void {
    if (batch.baseSequence >= 0 && batch.producerId === this.id && batch.producerEpoch === this.epoch) return;
    const key = `${batch.partition}\u0000${batch.topic}`;
    const base = this.next.get(key) ?? 0;
    batch.producerId = this.id;
    batch.producerEpoch = this.epoch;
    batch.baseSequence = base;
    this.next.set(key, incrementSequence(base, batch.count));
  }

  /** A batch of `batch`'s partition stamped under the current producer id and epoch was written. */
  confirm<T>(batch: ProducerBatch<T>): void {
    if (this.isCurrent(batch)) this.confirmed.add(`${batch.partition}\u0000${batch.topic}`);
  }

  /**
   * True once a batch of the partition was written under the current producer id and epoch. Until
   * then the partition has one batch in flight at a time: a broker that holds no state for this
   * producer on the partition accepts any first sequence, so a later batch overtaking a refused
   * first one (a partition whose leader was not ready yet answers NOT_LEADER_OR_FOLLOWER to the
   * first request and takes the second) would be written ahead of it, and the first then gets
   * OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  isConfirmed(topic: string, partition: number): boolean {
    return this.confirmed.has(`${partition}\u0000${topic}`);
  }

  /** True when `batch` was stamped under the current producer id and epoch. */
  isCurrent<T>(batch: ProducerBatch<T>): boolean {
    return batch.producerId === this.id && batch.producerEpoch === this.epoch;
  }
}
