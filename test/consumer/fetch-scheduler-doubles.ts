/**
 * A test double of a partition stage for the fetch scheduler's tests: a real PartitionBuffer and a
 * share of a real ByteBudget, demand under the test's control, and a log of everything delivered.
 * It follows the stage's side of the budget rule: `settle(0, bytes)` when it buffers decoded
 * records, `release(bytes)` when they leave.
 */
import type { FetchedPartitionInfo, FetchTarget, FetchWaker } from '../../src/consumer/contracts.js';
import type { KafkaRecord, RecordBatch } from '../../src/protocol/records/types.js';
import type { ByteBudget } from '../../src/stage/byte-budget.js';
import { PartitionBuffer, type PartitionBufferLimits } from '../../src/stage/partition-buffer.js';

/** Bytes a record accounts for: what it keeps alive of the fetched bytes, plus a fixed overhead. */
export function recordBytes(r: KafkaRecord): number {
  let size = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) size += h.key.length + (h.value?.length ?? 0);
  return size;
}

/** A stage stand-in with controllable demand. */
export class FakeTarget implements FetchTarget {
  fetchOffset: number;
  leaderEpoch = -1;
  active = true;
  readonly buffer: PartitionBuffer<KafkaRecord>;
  /** Every record handed to the "subscriber", in order. */
  readonly delivered: KafkaRecord[] = [];
  readonly errors: Error[] = [];
  readonly infos: FetchedPartitionInfo[] = [];
  /** Calls of onFetched (responses that named this partition without error). */
  responses = 0;
  /** When false the subscriber takes nothing (a stalled handler): demand stays, the buffer fills. */
  taking = true;
  /** Called after every delivery or error, for tests waiting on progress. */
  onProgress: (() => void) | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    fromOffset: number,
    private readonly budget: ByteBudget,
    private readonly waker: FetchWaker,
    limits: Partial<PartitionBufferLimits> = {},
  ) {
    this.fetchOffset = fromOffset;
    this.buffer = new PartitionBuffer<KafkaRecord>({ maxRecords: 1000, maxBytes: 256 * 1024, minFetchBytes: 4096, ...limits }, recordBytes);
  }

  get bufferedBytes(): number {
    return this.buffer.bufferedBytes;
  }

  /** Wire bytes per buffered byte seen so far (as the real stage: the contract asks in wire bytes). */
  private wirePerBuffered = 1;

  fetchBytesWanted(budgetBytes: number): number {
    const buffered = this.buffer.fetchBytesWanted(budgetBytes);
    return buffered > 0 ? Math.max(1, Math.ceil(buffered * this.wirePerBuffered)) : 0;
  }

  onFetched(batches: readonly RecordBatch[], info: FetchedPartitionInfo): void {
    this.responses++;
    this.infos.push(info);
    const fresh: KafkaRecord[] = [];
    let bytes = 0;
    let wire = 0;
    let grown = 0;
    for (const batch of batches) {
      wire += batch.sizeInBytes;
      for (const r of batch.records) grown += recordBytes(r);
      if (batch.lastOffset < this.fetchOffset) continue;
      if (!batch.isControl) {
        for (const r of batch.records) {
          if (r.offset < this.fetchOffset) continue;
          fresh.push(r);
          bytes += recordBytes(r);
        }
      }
      this.fetchOffset = Math.max(this.fetchOffset, batch.lastOffset + 1);
    }
    if (grown > 0) this.wirePerBuffered = Math.min(1, wire / grown);
    this.buffer.push(fresh);
    this.budget.settle(0, bytes);
    this.drain();
  }

  onFetchError(error: Error): void {
    this.errors.push(error);
    this.onProgress?.();
  }

  /** The subscriber asks for `n` more records. */
  ask(n: number): void {
    this.buffer.ask(n);
    this.drain();
    this.waker.wake();
  }

  /** Moves the position (a seek or an offset reset): the buffer is dropped. */
  seek(offset: number): void {
    const bytes = this.buffer.bufferedBytes;
    this.buffer.clear();
    this.budget.release(bytes);
    this.fetchOffset = offset;
    this.waker.wake();
  }

  /** Starts or stops the subscriber taking records. */
  setTaking(taking: boolean): void {
    this.taking = taking;
    this.drain();
    this.waker.wake();
  }

  private drain(): void {
    if (this.taking) {
      const out = this.buffer.take();
      if (out.length > 0) {
        let bytes = 0;
        for (const r of out) {
          bytes += recordBytes(r);
          this.delivered.push(r);
        }
        this.budget.release(bytes);
        // Records left the buffer: there may be room (and budget) for another fetch.
        this.waker.wake();
      }
    }
    this.onProgress?.();
  }

  /** Resolves once `predicate` holds after some progress (delivery or error), or rejects after `ms`. */
  until(predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return waitFor([this], predicate, ms, what);
  }
}

/** Resolves once `predicate` holds after progress of any of `targets`; rejects after `ms` with `what`. */
export function waitFor(targets: readonly FakeTarget[], predicate: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      for (const t of targets) t.onProgress = null;
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const check = (): void => {
      if (!predicate()) return;
      clearTimeout(timer);
      for (const t of targets) t.onProgress = null;
      resolve();
    };
    for (const t of targets) t.onProgress = check;
  });
}
