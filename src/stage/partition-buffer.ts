/**
 * The demand and buffer bookkeeping of one partition stage. Pure state, no I/O.
 *
 * The demand contract: the stage never delivers more records than the subscriber's
 * outstanding demand; demand accumulates across asks (it is never overwritten); the buffer is
 * bounded in records and bytes; a full buffer asks for no fetch; the bytes a fetch may bring follow
 * the remaining demand and the free room, not a fixed size.
 *
 * Worked numbers: maxRecords 1000, maxBytes 1 MiB, average record 200 B. A subscriber asks 100:
 * nothing is buffered, so the fetch wants 100 × 200 B = 20 KB (at least `minFetchBytes`). Later the
 * buffer holds 1000 records: it is full, so {@link PartitionBuffer.fetchBytesWanted} is 0 whatever the
 * demand.
 */

import { MovingHeadQueue } from '../util/moving-head-queue.js';

/** What a partition asks for before it has seen a record: a few batch headers' worth of bytes. */
export const FIRST_FETCH_BYTES = 512;

/** Bounds of one partition's buffer. */
export interface PartitionBufferLimits {
  /** Most records held undelivered. */
  maxRecords: number;
  /** Most bytes (decompressed record sizes) held undelivered. */
  maxBytes: number;
  /** Smallest fetch worth sending, bytes: tiny fetches cost more than they save. */
  minFetchBytes: number;
}

/** A buffered item: whatever the stage hands out, with the bytes it accounts for. */
export interface Sized {
  readonly sizeInBytes: number;
}

/** Bytes an item accounts for, when the item does not carry its own `sizeInBytes`. */
export type SizeOf<T> = (item: T) => number;

const ownSize = (item: Sized): number => item.sizeInBytes;

/**
 * The buffer holds items of type `T`: either {@link Sized} items, or any items with a {@link SizeOf}
 * function given to the constructor (so records need no wrapper object each just to carry a size).
 */
export class PartitionBuffer<T = Sized> {
  private readonly sizeOf: SizeOf<T>;
  private readonly items = new MovingHeadQueue<T>();
  private bytes = 0;
  private demand = 0;
  /** Running average of record size, to turn demand in records into fetch bytes. */
  private averageRecordBytes = 256;
  /** False until the first records were pushed: until then the average is a guess. */
  private sampled = false;
  /** What a fetch asks before any record was seen: {@link FIRST_FETCH_BYTES}, doubled per answer that brought none. */
  private firstAsk = FIRST_FETCH_BYTES;

  constructor(
    readonly limits: PartitionBufferLimits,
    ...sizeOf: T extends Sized ? [sizeOf?: SizeOf<T>] : [sizeOf: SizeOf<T>]
  ) {
    // Without a function T is Sized (the rest-parameter type makes the function required otherwise).
    this.sizeOf = (sizeOf[0] as SizeOf<T> | undefined) ?? (ownSize as SizeOf<T>);
  }

  /** Adds `n` to the outstanding demand (demand accumulates; it is never replaced). */
  ask(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`demand must be a non-negative integer, got ${n}`);
    this.demand += n;
  }

  /**
   * Adds fetched records. The caller sized the fetch from {@link fetchBytesWanted}; a fetch may
   * overshoot it by one batch (a batch the broker cannot split, or one asked for whole).
   */
  push(records: readonly T[]): void {
    let added = 0;
    for (const r of records) {
      this.items.push(r);
      added += this.sizeOf(r);
    }
    this.bytes += added;
    if (records.length > 0) {
      const observed = added / records.length;
      // The first sample replaces the guess; after it, an exponential moving average keeps the
      // estimate current without storing history.
      this.averageRecordBytes = Math.max(1, this.sampled ? 0.7 * this.averageRecordBytes + 0.3 * observed : observed);
      this.sampled = true;
    }
  }

  /** Takes as many records as demand and buffer allow, at most `limit`; demand drops by the number taken. */
  take(limit = Number.POSITIVE_INFINITY): T[] {
    const n = Math.min(this.demand, this.items.length, limit);
    if (n <= 0) return [];
    const out = this.items.take(n);
    this.demand -= n;
    for (const r of out) this.bytes -= this.sizeOf(r);
    return out;
  }

  /**
   * Takes the next record when there is demand for it and one is buffered, else `undefined`; demand
   * drops by one. The one-at-a-time path of an iterator: no array per call.
   */
  takeOne(): T | undefined {
    if (this.demand <= 0) return undefined;
    const item = this.items.shift();
    if (item === undefined) return undefined;
    this.demand--;
    this.bytes -= this.sizeOf(item);
    return item;
  }

  /** Drops everything buffered (revoke, seek) and returns how many records were dropped. Demand stays. */
  clear(): number {
    const dropped = this.items.length;
    this.items.clear();
    this.bytes = 0;
    return dropped;
  }

  /**
   * A fetch answer moved the position without bringing anything to buffer (control batches, aborted
   * transactions, compacted-away records). Before any record was seen, the first-fetch size doubles
   * (up to the buffer's byte bound): a log that starts with a long run of such offsets is crossed in
   * a few round trips instead of one first-fetch size per round trip. Once a record was seen, asks
   * follow the record sizes and this changes nothing.
   */
  noteSkippedAnswer(): void {
    if (!this.sampled) this.firstAsk = Math.min(this.firstAsk * 2, Math.max(FIRST_FETCH_BYTES, this.limits.maxBytes));
  }

  /** Drops the outstanding demand (the subscriber went away). */
  cancelDemand(): void {
    this.demand = 0;
  }

  /** Records buffered and not delivered. */
  get bufferedRecords(): number {
    return this.items.length;
  }

  /** Bytes buffered and not delivered. */
  get bufferedBytes(): number {
    return this.bytes;
  }

  /** Demand not yet met. */
  get outstandingDemand(): number {
    return this.demand;
  }

  /** True when the buffer may take no more records. */
  get isFull(): boolean {
    return this.bufferedRecords >= this.limits.maxRecords || this.bytes >= this.limits.maxBytes;
  }

  /**
   * Bytes a fetch for this partition should ask for now: 0 when the buffer is full or no demand is
   * left uncovered by buffered records; otherwise the uncovered demand's estimated size, at least
   * `minFetchBytes`, at most the free room (in bytes, and in records at the average record size) and
   * `budgetBytes` (the consumer-wide budget left), and at most half the buffer's bounds (in records and
   * bytes: double buffering, so the next fetch can leave as soon as one lands). `pendingRecords`
   * are records of an answer received and not yet pushed: they count as buffered. Before any record was seen the sizes are unknown
   * (a compressed topic may hold hundreds of records in a few KiB), so the first fetch asks for
   * {@link FIRST_FETCH_BYTES}: enough to read a batch header (and so learn a whole batch's size when
   * the broker cuts it), little enough not to overrun the record bound; later asks use the sizes seen.
   */
  fetchBytesWanted(budgetBytes: number, pendingRecords = 0): number {
    if (this.isFull) return 0;
    const held = this.bufferedRecords + pendingRecords;
    // Demand beyond the record bound cannot be buffered anyway.
    const uncovered = Math.min(this.demand, this.limits.maxRecords) - held;
    if (uncovered <= 0) return 0;
    const pendingBytes = pendingRecords > 0 ? Math.ceil(pendingRecords * this.averageRecordBytes) : 0;
    const room = Math.min(this.limits.maxBytes - this.bytes - pendingBytes, budgetBytes);
    if (room <= 0) return 0;
    if (!this.sampled) return Math.min(room, this.firstAsk);
    const recordRoom = Math.ceil((this.limits.maxRecords - held) * this.averageRecordBytes);
    // Half the buffer per fetch: when an answer lands there is still room to ask for the next
    // half at once, so the next round trip overlaps the subscriber's work on this one (a fetch
    // that fills the buffer leaves the next one waiting until the subscriber has taken records).
    const half = Math.ceil(Math.min(Math.ceil(this.limits.maxRecords / 2) * this.averageRecordBytes, this.limits.maxBytes / 2));
    const estimate = Math.min(Math.ceil(uncovered * this.averageRecordBytes), half);
    return Math.min(room, recordRoom, Math.max(this.limits.minFetchBytes, estimate));
  }
}
