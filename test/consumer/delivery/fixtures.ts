/**
 * Test doubles for partition stages, without sockets: records and batches built directly, a
 * recording commit sink, a counting waker, and a fake fetcher that answers a stage's
 * fetchBytesWanted from an in-memory log, as the fetch scheduler would.
 */
import type { CommitSink } from '../../../src/consumer/contracts.js';
import type { FetchedPartitionInfo, FetchWaker } from '../../../src/consumer/fetch-target.js';
import { PartitionStage, type PartitionStageOptions, fetchTargetOf } from '../../../src/consumer/partition-stage.js';
import { RECORD_OVERHEAD_BYTES } from '../../../src/stage/buffered-size.js';
import type { KafkaRecord, RecordBatch } from '../../../src/protocol/records/types.js';
import { ByteBudget } from '../../../src/stage/byte-budget.js';

/** Value bytes of test records: with no key and no headers, a record counts 100 B. */
export const VALUE_BYTES = 100 - RECORD_OVERHEAD_BYTES;
/** Bytes each test record counts for in buffers and the budget. */
export const RECORD_BYTES = 100;

/** A record of `topic`/`partition` (default t/0, the partition of {@link makeStage}) at `offset`, its value its offset as text (padded to {@link VALUE_BYTES}). */
export function makeRecord(offset: number, topic = 't', partition = 0): KafkaRecord {
  const value = Buffer.alloc(VALUE_BYTES, 0x20);
  value.write(String(offset));
  return { topic, partition, offset, timestamp: 1_700_000_000_000 + offset, key: null, value, headers: [], attempt: 1 };
}

/** Options of {@link makeBatch}. */
export interface BatchShape {
  /** Offsets the batch holds records for (default: baseOffset..lastOffset, all of them). */
  offsets?: number[];
  isControl?: boolean;
  isTransactional?: boolean;
  producerId?: bigint;
  /** Control batches: the marker type, 0 abort, 1 commit (default 1). */
  marker?: 0 | 1;
  /** Bytes the batch took on the wire (default: as many as its records count in the buffer). */
  wireBytes?: number;
  /** Partition its records were fetched from (default t/0, that of {@link makeStage}). */
  topic?: string;
  partition?: number;
}

/** A decoded batch spanning [baseOffset, lastOffset], built directly (compaction gaps allowed). */
export function makeBatch(baseOffset: number, lastOffset: number, shape: BatchShape = {}): RecordBatch {
  let records: KafkaRecord[];
  if (shape.isControl) {
    const key = Buffer.alloc(4);
    key.writeInt16BE(0, 0);
    key.writeInt16BE(shape.marker ?? 1, 2);
    records = [{ topic: shape.topic ?? 't', partition: shape.partition ?? 0, offset: baseOffset, timestamp: 0, key, value: Buffer.alloc(6), headers: [], attempt: 1 }];
  } else {
    const offsets = shape.offsets ?? Array.from({ length: lastOffset - baseOffset + 1 }, (_, i) => baseOffset + i);
    records = offsets.map((offset) => makeRecord(offset, shape.topic, shape.partition));
  }
  return {
    baseOffset,
    lastOffset,
    partitionLeaderEpoch: 0,
    compression: 'none',
    logAppendTime: false,
    isTransactional: shape.isTransactional ?? shape.isControl ?? false,
    isControl: shape.isControl ?? false,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: shape.producerId ?? -1n,
    producerEpoch: 0,
    baseSequence: 0,
    records,
    // As if uncompressed, with a batch header as large as a record's overhead: wire bytes equal
    // buffered bytes, so fetch sizes in tests read in whole records.
    sizeInBytes: shape.wireBytes ?? records.length * (shape.isControl ? 0 : RECORD_BYTES),
  };
}

/** Fetch response facts with high watermark `hw`. */
export function fetchInfo(hw: number, extra: Partial<FetchedPartitionInfo> = {}): FetchedPartitionInfo {
  return { highWatermark: hw, lastStableOffset: hw, logStartOffset: 0, abortedTransactions: null, ...extra };
}

/** A commit sink that records what it hears and resolves at once. */
export class RecordingSink implements CommitSink {
  /** Each call: newly acked count and the stage's committable offset then. */
  readonly calls: { newlyAcked: number; committable: number }[] = [];
  /** What {@link committedOffset} answers: set it to play a commit that succeeded. */
  committed: number | null = null;

  committedOffset(): number | null {
    return this.committed;
  }

  acked(stage: PartitionStage, newlyAcked: number): Promise<void> {
    this.calls.push({ newlyAcked, committable: stage.committableOffset });
    return Promise.resolve();
  }

  /** Acks reported in total. */
  get total(): number {
    return this.calls.reduce((sum, c) => sum + c.newlyAcked, 0);
  }
}

/** A waker that counts its calls and optionally runs a callback. */
export class CountingWaker implements FetchWaker {
  wakes = 0;
  onWake: (() => void) | null = null;

  wake(): void {
    this.wakes++;
    this.onWake?.();
  }
}

/** A stage with recording doubles; limits default to 50 records / 100 KiB, minimum fetch 100 B. */
export function makeStage(over: Partial<PartitionStageOptions> = {}): {
  stage: PartitionStage;
  budget: ByteBudget;
  waker: CountingWaker;
  sink: RecordingSink;
} {
  const budget = over.budget ?? new ByteBudget(1024 * 1024);
  const waker = new CountingWaker();
  const sink = new RecordingSink();
  const stage = new PartitionStage({
    topic: 't',
    partition: 0,
    startOffset: 0,
    leaderEpoch: -1,
    limits: { maxRecords: 50, maxBytes: 100 * 1024, minFetchBytes: RECORD_BYTES },
    budget,
    waker,
    commitSink: sink,
    maxProcessingMs: 0,
    ...over,
  });
  return { stage, budget, waker, sink };
}

/** Lets queued microtasks and immediates run (stage notifications are microtasks). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A fake fetcher over an unbounded log of plain records, one batch per fetch: answers what the
 * stage wants (whole records of {@link RECORD_BYTES}, at least one), reserving and settling budget
 * as the fetch scheduler does. Returns how many records it handed over.
 */
export function fetchOnce(stage: PartitionStage, budget: ByteBudget, hw = 1_000_000): number {
  const wanted = fetchTargetOf(stage).fetchBytesWanted(budget.free);
  if (wanted <= 0) return 0;
  const reserved = budget.reserve(wanted);
  const count = Math.max(1, Math.floor(wanted / RECORD_BYTES));
  const from = stage.fetchOffset;
  fetchTargetOf(stage).onFetched([makeBatch(from, from + count - 1)], fetchInfo(hw, { fetchOffset: from }));
  budget.settle(reserved, 0);
  return count;
}

/** Fetches until the stage wants nothing (or `maxFetches`); returns the records handed over. */
export function fetchUntilSatisfied(stage: PartitionStage, budget: ByteBudget, maxFetches = 1000): number {
  let total = 0;
  for (let i = 0; i < maxFetches; i++) {
    const n = fetchOnce(stage, budget);
    if (n === 0) break;
    total += n;
  }
  return total;
}
