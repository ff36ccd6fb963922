/**
 * The record accumulator: per-partition queues of batches waiting to be sent, as pure state (no
 * timers, no I/O; callers pass the time). The sender asks which partitions have a batch ready,
 * takes one batch per partition, and reports each batch back as completed or to be retried.
 *
 * A partition's head batch is ready when it is full (or another batch queues behind it), when it
 * has lingered `lingerMs`, or when the caller flushes. Order within a partition is kept across
 * retries: a partition with a batch to retry sends nothing new, and sends the retry only once
 * none of its batches is in flight, oldest first.
 */
import { RecordTooLargeError } from './errors.js';
import { ProducerBatch, type QueuedRecord } from './batch.js';
import { BATCH_HEADER_BYTES, recordSizeAt, recordSizeUpperBound } from './record-size.js';
import { CompressionRatios } from './compression-ratio.js';
import type { CompressionName } from '../protocol/records/types.js';

/** Settings of the accumulator (a subset of the producer options). */
export interface AccumulatorSettings {
  batchSize: number;
  lingerMs: number;
  maxRequestSize: number;
  /**
   * The codec batches are compressed with (default none). With a codec, `batchSize` bounds a
   * batch's expected compressed size (see {@link CompressionRatios}); its uncompressed size stays
   * within `maxRequestSize`.
   */
  compression?: CompressionName;
}

/** Bytes of a Produce request around its record batches, reserved when checking `maxRequestSize`. */
export const REQUEST_OVERHEAD_BYTES = 512;

/** The queues of one partition. */
export class PartitionQueue<T> {
  /** Batches never sent, oldest first; only the last one may still accept records. */
  readonly pending: ProducerBatch<T>[] = [];
  /** Batches to send again, ordered by id (the order they were first created in). */
  readonly retries: ProducerBatch<T>[] = [];
  /** Batches sent and not yet answered, ordered by id. */
  readonly inFlight: ProducerBatch<T>[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** True when nothing is queued, waiting for a retry or in flight. */
  get idle(): boolean {
    return this.pending.length === 0 && this.retries.length === 0 && this.inFlight.length === 0;
  }
}

/** Result of {@link RecordAccumulator.ready}. */
export interface ReadyResult<T> {
  /** Partitions whose next batch may be sent now. */
  ready: PartitionQueue<T>[];
  /** When the next not-yet-ready batch becomes ready (Infinity when none will by time alone). */
  nextReadyAt: number;
}

/** Per-partition batching of records. `T` is the handle kept per record (its send's promise). */
export class RecordAccumulator<T> {
  private readonly queues = new Map<string, Map<number, PartitionQueue<T>>>();
  private buffered = 0;
  private appended = 0;
  /** Null without compression: batches are sized by their uncompressed bytes. */
  private readonly ratios: CompressionRatios | null;

  constructor(private readonly settings: AccumulatorSettings) {
    this.ratios = settings.compression === undefined || settings.compression === 'none' ? null : new CompressionRatios();
  }

  /**
   * Bytes the last {@link RecordAccumulator.append} added to its batch, as expected on the wire
   * (compressed when a codec is set): what the sticky partitioner counts, as in Java.
   */
  get lastAppendedBytes(): number {
    return this.appended;
  }

  /** Estimated bytes of records held (queued, waiting for a retry or in flight). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True when no record is held anywhere. */
  get isEmpty(): boolean {
    for (const byPartition of this.queues.values()) for (const q of byPartition.values()) if (!q.idle) return false;
    return true;
  }

  /** Bytes `record` will take in a batch; throws {@link RecordTooLargeError} if it can never be sent. */
  sizeOf(record: QueuedRecord, topic: string, partition?: number): number {
    const size = recordSizeUpperBound(record);
    const limit = this.settings.maxRequestSize - REQUEST_OVERHEAD_BYTES;
    if (size + BATCH_HEADER_BYTES > limit) {
      throw new RecordTooLargeError(size + BATCH_HEADER_BYTES, this.settings.maxRequestSize, 'maxRequestSize', { topic, partition });
    }
    return size;
  }

  /**
   * Appends a record to its partition's open batch, or to a new batch when it does not fit (a
   * record larger than `batchSize` gets a batch of its own). Returns the batch it joined.
   */
  append(topic: string, partition: number, record: QueuedRecord, handle: T, now: number, size = this.sizeOf(record, topic, partition)): ProducerBatch<T> {
    const queue = this.queue(topic, partition);
    const last = queue.pending[queue.pending.length - 1];
    let batch: ProducerBatch<T> | undefined;
    let encoded = 0;
    // Batches fill by the records' exact encoded sizes (offset and timestamp deltas known here),
    // as Java's do, not by upper bounds: about 10% more 100 B records per batch.
    if (last && !last.closed) {
      encoded = recordSizeAt(record, last.count, record.timestamp - (last.records[0] as QueuedRecord).timestamp);
      if (this.fits(last, encoded)) batch = last;
      else last.closed = true;
    }
    if (!batch) {
      batch = new ProducerBatch<T>(topic, partition, now);
      queue.pending.push(batch);
      encoded = recordSizeAt(record, 0, 0);
    }
    const before = this.expectedBytes(batch, batch.sizeBytes);
    batch.add(record, size, handle, encoded);
    this.buffered += size;
    const after = this.expectedBytes(batch, batch.sizeBytes);
    this.appended = after - before;
    if (after >= this.settings.batchSize) batch.closed = true;
    return batch;
  }

  /** An encoded batch of `topic` showed how its codec shrinks the records: later batches are sized by it. */
  observeCompression(topic: string, estimatedBytes: number, encodedBytes: number): void {
    this.ratios?.observe(topic, estimatedBytes - BATCH_HEADER_BYTES, encodedBytes - BATCH_HEADER_BYTES);
  }

  /** True when `size` more bytes keep `batch` within batchSize (expected on the wire) and its request. */
  private fits(batch: ProducerBatch<T>, size: number): boolean {
    const bytes = batch.sizeBytes + size;
    if (this.ratios && bytes > this.settings.maxRequestSize - REQUEST_OVERHEAD_BYTES) return false;
    return this.expectedBytes(batch, bytes) <= this.settings.batchSize;
  }

  /** A batch's expected bytes on the wire when it holds `bytes` estimated uncompressed bytes. */
  private expectedBytes(batch: ProducerBatch<T>, bytes: number): number {
    return this.ratios ? BATCH_HEADER_BYTES + this.ratios.expectedBytes(batch.topic, bytes - BATCH_HEADER_BYTES) : bytes;
  }

  /**
   * Partitions with a batch that may be sent at `now`. `flush` makes every pending batch ready at
   * once (flush, close, or senders waiting for buffer room).
   */
  ready(now: number, flush: boolean): ReadyResult<T> {
    const ready: PartitionQueue<T>[] = [];
    let nextReadyAt = Infinity;
    for (const byPartition of this.queues.values()) {
      for (const queue of byPartition.values()) {
        const at = this.readyAt(queue, flush);
        if (at <= now) ready.push(queue);
        else if (at < nextReadyAt) nextReadyAt = at;
      }
    }
    return { ready, nextReadyAt };
  }

  /** Takes the partition's next batch to send (a retry first) and counts it in flight. */
  take(queue: PartitionQueue<T>): ProducerBatch<T> | null {
    const batch = queue.retries.length > 0 ? queue.retries.shift() : queue.pending.shift();
    if (!batch) return null;
    batch.closed = true;
    batch.attempts++;
    insertById(queue.inFlight, batch);
    return batch;
  }

  /** Puts back a batch that was taken but not sent (for example its leader was unknown), as if never taken. */
  untake(batch: ProducerBatch<T>): void {
    const queue = this.queue(batch.topic, batch.partition);
    remove(queue.inFlight, batch);
    batch.attempts--;
    if (batch.attempts === 0 && batch.baseSequence < 0) queue.pending.unshift(batch);
    else insertById(queue.retries, batch);
  }

  /** The batch was acknowledged (or failed for good): it leaves the accumulator. */
  complete(batch: ProducerBatch<T>): void {
    const queue = this.queue(batch.topic, batch.partition);
    if (remove(queue.inFlight, batch) || remove(queue.retries, batch) || remove(queue.pending, batch)) {
      this.buffered -= batch.heldBytes;
    }
    this.prune(queue);
  }

  /** The batch failed retriably: it is sent again, in order, no sooner than `retryAt`. */
  retry(batch: ProducerBatch<T>, retryAt: number, error: unknown): void {
    const queue = this.queue(batch.topic, batch.partition);
    remove(queue.inFlight, batch);
    batch.retryAt = retryAt;
    batch.lastError = error;
    insertById(queue.retries, batch);
  }

  /** True when some batch waiting for a retry satisfies `test`. */
  someRetry(test: (batch: ProducerBatch<T>) => boolean): boolean {
    for (const byPartition of this.queues.values()) for (const queue of byPartition.values()) if (queue.retries.some(test)) return true;
    return false;
  }

  /** True when an older batch of the same partition is in flight or waiting for a retry. */
  hasOlderUnresolved(batch: ProducerBatch<T>): boolean {
    const queue = this.queue(batch.topic, batch.partition);
    return queue.inFlight.some((b) => b.id < batch.id) || queue.retries.some((b) => b.id < batch.id);
  }

  /**
   * Removes and returns the batches not in flight that were created at or before `createdBefore`
   * (their delivery timeout passed). In-flight batches are left to their response or request timeout.
   */
  expire(createdBefore: number): ProducerBatch<T>[] {
    const out: ProducerBatch<T>[] = [];
    for (const byPartition of this.queues.values()) {
      for (const queue of byPartition.values()) {
        for (const list of [queue.retries, queue.pending]) {
          for (let i = 0; i < list.length; ) {
            const batch = list[i] as ProducerBatch<T>;
            if (batch.createdAt <= createdBefore) {
              list.splice(i, 1);
              this.buffered -= batch.heldBytes;
              out.push(batch);
            } else i++;
          }
        }
        this.prune(queue);
      }
    }
    return out;
  }

  /** The earliest creation time of a batch not in flight (Infinity when none): the next expiry to check. */
  oldestWaiting(): number {
    let oldest = Infinity;
    for (const byPartition of this.queues.values()) {
      for (const queue of byPartition.values()) {
        const first = [queue.retries[0], queue.pending[0]];
        for (const b of first) if (b && b.createdAt < oldest) oldest = b.createdAt;
      }
    }
    return oldest;
  }

  /** Removes and returns every batch not in flight (the producer is failing them all). */
  drainAll(): ProducerBatch<T>[] {
    return this.expire(Infinity);
  }

  /** Every batch that carries an idempotence stamp and is not in flight (to restamp after an epoch bump). */
  *waiting(): Generator<ProducerBatch<T>> {
    for (const byPartition of this.queues.values()) {
      for (const queue of byPartition.values()) {
        yield* queue.retries;
        yield* queue.pending;
      }
    }
  }

  /** Number of batches in flight across all partitions. */
  get inFlightCount(): number {
    let n = 0;
    for (const byPartition of this.queues.values()) for (const q of byPartition.values()) n += q.inFlight.length;
    return n;
  }

  private readyAt(queue: PartitionQueue<T>, flush: boolean): number {
    if (queue.retries.length > 0) {
      // Order across retries: resend only once nothing of this partition is in flight.
      return queue.inFlight.length === 0 ? (queue.retries[0] as ProducerBatch<T>).retryAt : Infinity;
    }
    const head = queue.pending[0];
    if (!head) return Infinity;
    if (flush || head.closed || queue.pending.length > 1) return -Infinity;
    return head.createdAt + this.settings.lingerMs;
  }

  private queue(topic: string, partition: number): PartitionQueue<T> {
    let byPartition = this.queues.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.queues.set(topic, byPartition);
    }
    let queue = byPartition.get(partition);
    if (!queue) {
      queue = new PartitionQueue<T>(topic, partition);
      byPartition.set(partition, queue);
    }
    return queue;
  }

  /** Forgets idle queues so a producer writing to many partitions over time does not grow without bound. */
  private prune(queue: PartitionQueue<T>): void {
    if (!queue.idle) return;
    const byPartition = this.queues.get(queue.topic);
    byPartition?.delete(queue.partition);
    if (byPartition && byPartition.size === 0) this.queues.delete(queue.topic);
  }
}

function insertById<T>(list: ProducerBatch<T>[], batch: ProducerBatch<T>): void {
  let i = list.length;
  while (i > 0 && (list[i - 1] as ProducerBatch<T>).id > batch.id) i--;
  list.splice(i, 0, batch);
}

function remove<T>(list: ProducerBatch<T>[], batch: ProducerBatch<T>): boolean {
  const i = list.indexOf(batch);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
