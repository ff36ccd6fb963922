/** One producer batch: the records bound for one partition in one record batch, and their senders' handles. */
import { BATCH_HEADER_BYTES, type RecordBytes } from './record-size.js';

/** A record as the accumulator holds it: bytes plus its create timestamp. */
export interface QueuedRecord extends RecordBytes {
  timestamp: number;
}

let nextBatchId = 1;

/**
 * Records for one partition, sent as one record batch. `T` is what the producer keeps per record
 * to settle its `send()` promise. Once sent, a batch accepts no more records; a retry sends the
 * same records again (under the same sequence numbers while the producer epoch holds).
 */
export class ProducerBatch<T> {
  /** Increases with creation: orders the batches of a partition (and so their sequence numbers). */
  readonly id = nextBatchId++;
  readonly records: QueuedRecord[] = [];
  readonly handles: T[] = [];
  /** Encoded size before compression, header included: what batchSize and maxRequestSize are judged by. */
  sizeBytes = BATCH_HEADER_BYTES;
  /** The records' upper-bound sizes (see recordSizeUpperBound): what they count against bufferMemory. */
  heldBytes = 0;
  /** True once the batch accepts no more records (full, or drained for sending). */
  closed = false;
  /** Sends so far. */
  attempts = 0;
  /** Not sent again before this time (backoff after a retriable failure). */
  retryAt = 0;
  /** The error of the last failed attempt, reported if the batch finally times out. */
  lastError: unknown = null;
  /**
   * The last attempt got no answer that settles it (the connection failed, the request timed out, or
   * the broker said it may have appended): the records may be in the log. Under its current stamp a
   * resend is recognised as a duplicate; restamped after an epoch bump it would be written twice.
   */
  fateUnknown = false;
  /** Idempotence stamp: -1 until the batch is first sent by an idempotent producer. */
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = -1;
  /** The encoded record batch, kept for retries while its stamp holds. */
  encoded: Buffer | null = null;
  /** The stamp `encoded` was made with (`producerId/epoch/sequence`). */
  encodedStamp = '';

  constructor(
    readonly topic: string,
    readonly partition: number,
    /** Date.now() when the first record arrived: lingering and the delivery timeout count from here. */
    readonly createdAt: number,
  ) {}

  /** Number of records. */
  get count(): number {
    return this.records.length;
  }

  /** Adds a record of `size` upper-bound bytes that encodes to `encodedSize` bytes in this batch. */
  add(record: QueuedRecord, size: number, handle: T, encodedSize = size): void {
    this.records.push(record);
    this.handles.push(handle);
    this.sizeBytes += encodedSize;
    this.heldBytes += size;
  }
}
