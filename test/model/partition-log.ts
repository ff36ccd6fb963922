/**
 * The log of one partition in the model cluster: record batches at broker-assigned offsets, with
 * the oddities a real log has: gaps between batches (as compaction leaves), control batches
 * (transaction markers), transactional batches whose transaction commits or aborts. Batches are
 * encoded once, with the library's real encoder, so the consumer's real decoder reads them.
 *
 * It also answers, for the oracle, which offsets a subscriber must see: data records, plus the
 * records of aborted transactions under read_uncommitted.
 */
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import { RECORD_OVERHEAD_BYTES } from '../../src/stage/buffered-size.js';

/** One batch of the log. */
export interface LogBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly control: boolean;
  readonly transactional: boolean;
  readonly producerId: bigint;
  /** Data of a transaction that was aborted (false for control batches). */
  readonly aborted: boolean;
  /** The batch as the broker stores it. */
  readonly bytes: Buffer;
  /** Bytes the consumer counts its records for once buffered (record size + per-record overhead). */
  readonly bufferedBytes: number;
}

/** An aborted transaction as a Fetch response lists it. */
export interface AbortedTxn {
  readonly producerId: bigint;
  readonly firstOffset: number;
  /** Offset of the ABORT marker that ended it. */
  readonly markerOffset: number;
}

/** A shape of data to append: `records` records of `valueBytes` bytes each. */
export interface AppendShape {
  records: number;
  valueBytes: number;
}

const CONTROL_VALUE = Buffer.from([0, 0, 0, 0, 0, 0]);
/** Encoded plain batches by `records:valueBytes`, copied with another base offset (encoding 10 000s of records per run is slow). */
const TEMPLATES = new Map<string, Buffer>();

/** See the module documentation. */
export class PartitionLog {
  readonly batches: LogBatch[] = [];
  readonly abortedTxns: AbortedTxn[] = [];
  /** Offsets a read_committed subscriber sees, ascending. */
  private readonly committedView: number[] = [];
  /** Offsets a read_uncommitted subscriber sees, ascending. */
  private readonly uncommittedView: number[] = [];
  private next = 0;
  private pendingGap = 0;
  private nextProducerId = 1000n;
  /** Largest buffered size of one batch so far. */
  maxBatchBufferedBytes = 0;
  /** Most records in one batch so far. */
  maxBatchRecords = 0;

  constructor(readonly logStartOffset = 0) {
    this.next = logStartOffset;
  }

  /** One past the last offset (the high watermark: every append is replicated at once). */
  get logEndOffset(): number {
    return this.next;
  }

  /**
   * Leaves `n` offsets unused before the next batch, as compaction leaves gaps between the batches
   * it keeps (never after the last one: compaction keeps a log's last batch).
   */
  gap(n: number): void {
    this.pendingGap += n;
  }

  /** Appends a plain data batch. */
  async appendData(shape: AppendShape): Promise<void> {
    await this.push(shape, { transactional: false, producerId: -1n, aborted: false });
  }

  /**
   * Appends a transaction of one producer: its data batches, then the commit or abort marker (a
   * control batch). Transactions complete at once here, so the last stable offset is the log end.
   */
  async appendTransaction(shapes: readonly AppendShape[], abort: boolean): Promise<void> {
    const producerId = this.nextProducerId++;
    this.closeGap();
    const first = this.next;
    for (const shape of shapes) await this.push(shape, { transactional: true, producerId, aborted: abort });
    this.closeGap();
    const markerOffset = this.next;
    const bytes = await encodeRecordBatch({
      records: [{ key: Buffer.from([0, 0, 0, abort ? 0 : 1]), value: CONTROL_VALUE, timestamp: 0 }],
      compression: 'none',
      baseOffset: markerOffset,
      producerId,
      producerEpoch: 0,
      isTransactional: true,
      isControl: true,
      baseTimestamp: 0,
    });
    this.batches.push({ baseOffset: markerOffset, lastOffset: markerOffset, control: true, transactional: true, producerId, aborted: false, bytes, bufferedBytes: 0 });
    this.next = markerOffset + 1;
    if (abort && shapes.length > 0) this.abortedTxns.push({ producerId, firstOffset: first, markerOffset });
  }

  /** Offsets the subscriber must be given, ascending. */
  deliverable(readCommitted: boolean): readonly number[] {
    return readCommitted ? this.committedView : this.uncommittedView;
  }

  /** The first offset ≥ `from` a subscriber must be given, or null when none (yet). */
  nextDeliverable(from: number, readCommitted: boolean): number | null {
    const view = this.deliverable(readCommitted);
    const i = lowerBound(view, from);
    return i < view.length ? (view[i] as number) : null;
  }

  /** Index of the first batch whose last offset is ≥ `offset` (batches.length when none). */
  batchIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid] as LogBatch).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private closeGap(): void {
    this.next += this.pendingGap;
    this.pendingGap = 0;
  }

  private async push(shape: AppendShape, txn: { transactional: boolean; producerId: bigint; aborted: boolean }): Promise<void> {
    const count = Math.max(1, shape.records);
    this.closeGap();
    const baseOffset = this.next;
    let bytes: Buffer;
    const template = txn.transactional ? undefined : TEMPLATES.get(`${count}:${shape.valueBytes}`);
    if (template) {
      // The base offset lies outside the CRC (it covers attributes onwards): a copy with its own offset is a valid batch.
      bytes = Buffer.from(template);
      bytes.writeBigInt64BE(BigInt(baseOffset), 0);
    } else {
      const value = Buffer.alloc(shape.valueBytes, 0x61);
      const records = Array.from({ length: count }, () => ({ key: null, value, timestamp: 0 }));
      bytes = await encodeRecordBatch({
        records,
        compression: 'none',
        baseOffset,
        producerId: txn.producerId,
        producerEpoch: txn.transactional ? 0 : -1,
        isTransactional: txn.transactional,
        baseTimestamp: 0,
      });
      if (!txn.transactional) TEMPLATES.set(`${count}:${shape.valueBytes}`, bytes);
    }
    const bufferedBytes = count * (RECORD_OVERHEAD_BYTES + shape.valueBytes);
    const lastOffset = baseOffset + count - 1;
    this.batches.push({ baseOffset, lastOffset, control: false, transactional: txn.transactional, producerId: txn.producerId, aborted: txn.aborted, bytes, bufferedBytes });
    for (let o = baseOffset; o <= lastOffset; o++) {
      this.uncommittedView.push(o);
      if (!txn.aborted) this.committedView.push(o);
    }
    this.next = lastOffset + 1;
    this.maxBatchBufferedBytes = Math.max(this.maxBatchBufferedBytes, bufferedBytes);
    this.maxBatchRecords = Math.max(this.maxBatchRecords, count);
  }
}

/** Index of the first element ≥ `value` in a sorted array. */
export function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
