/**
 * The fetch scheduler's memory and liveness rules on the real PartitionStage (issue #8, defects 4,
 * 5 and 16): a partition passed over for any reason can still wake the scheduler; the budget holds
 * to its limit plus one batch per broker however many partitions fetch large batches; and an answer
 * far larger than asked for is cut to what was asked plus one batch before it is decoded.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, test } from 'node:test';
import { FETCH_CHANNEL } from '../../src/consumer/fetch-scheduler.js';
import { recordSizeInBytes } from '../../src/stage/buffered-size.js';
import { decodeRecordBatchesSync } from '../../src/protocol/records/decode-batches.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { ObservedStage } from './fetch-scheduler-stages.js';
import { askedOf, asksFrom, cleanUpWorlds, clusterWorld, makeLog, offsets, range, schedulerFor, TOPIC, world, type ClusterWorld } from './fetch-scheduler-world.js';
import { eventually } from '../helpers/eventually.js';

afterEach(cleanUpWorlds);

/** Lets every queued microtask and I/O callback run (the scheduler's pump after a response). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits (bounded) until no Fetch is in flight: the budget has no reservation left. */
async function idle(budget: ByteBudget, ms = 5000): Promise<void> {
  await eventually(() => budget.reservedBytes === 0, { what: 'no Fetch in flight', timeoutMs: ms, progress: () => `a reservation of ${budget.reservedBytes} B stayed` });
  await turns();
}

/** Buffered size of one encoded batch's records, as the stage and the budget count it. */
function heldSize(batch: Buffer): number {
  const decoded = decodeRecordBatchesSync(batch, { maxDecompressedBytes: Number.MAX_SAFE_INTEGER });
  let size = 0;
  for (const b of decoded.batches) for (const r of b.records) size += recordSizeInBytes(r);
  return size;
}

const settings = (minPartitionBytes: number) => ({
  maxWaitMs: 30,
  minBytes: 1,
  minPartitionBytes,
  isolationLevel: 'read_uncommitted' as const,
  verifyCrc: true,
  maxBytesPerPartition: 256 * 1024,
});

test('defect 4: a partition skipped at its share of the budget wakes the scheduler once its records leave (real stage)', async () => {
  // Eight partitions share a 64 KiB budget: 8 KiB each. Partition 0 alone has demand; its batches
  // (5 × 2 KB) are larger than its share, so once one is buffered the scheduler passes it over.
  const records = new Map<number, number>([[0, 200]]);
  for (let p = 1; p < 8; p++) records.set(p, 0); // known to metadata, never asked for
  const w = await clusterWorld({ records, pad: 2000 });
  const budget = new ByteBudget(64 * 1024);
  const scheduler = schedulerFor(w, budget, { options: settings(1024) });
  const stages = Array.from({ length: 8 }, (_, p) => new ObservedStage(TOPIC, p, 0, budget, scheduler, { maxBytes: 1024 * 1024, minFetchBytes: 1024 }, { taking: p !== 0 }));
  for (const s of stages) scheduler.add(s.target);
  const capped = stages[0] as ObservedStage;
  scheduler.start();
  capped.ask(200); // a stalled subscriber: demand outstanding, nothing taken yet
  await eventually(() => capped.bufferedRecords >= 5, { what: 'a batch buffered', timeoutMs: 5000 });
  await idle(budget);
  assert.ok(capped.stats().bufferedBytes > 8 * 1024, `over its share (${capped.stats().bufferedBytes} B)`);
  const fetchesBefore = askedOf(w, 0).length;
  capped.setTaking(); // the subscriber takes: the buffer empties, demand is left, the budget is free
  await eventually(() => capped.delivered.length === 200, { what: 'the rest of the demand after the buffer emptied', timeoutMs: 5000 });
  assert.ok(askedOf(w, 0).length > fetchesBefore, 'fetched again once below its share');
  assert.deepEqual(offsets(capped), range(0, 200));
  assert.equal(capped.ackedCount, 200);
});

test('defect 4: a partition parked on an error, then moved by seek(), is fetched again (real stage)', async () => {
  const w = await clusterWorld({ records: new Map([[0, 50]]) });
  // Every Fetch of partition 0 from offset 10: INVALID_RECORD, not retriable, parks.
  w.fake.fail('Fetch', 'INVALID_RECORD', { topic: TOPIC, partition: 0, times: Infinity, when: (request) => asksFrom(request, 0, 10) });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const t = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  scheduler.add(t.target);
  scheduler.start();
  t.ask(50);
  await eventually(() => t.errors.length === 1, { what: 'the error', timeoutMs: 5000 });
  await idle(budget);
  t.seek(15);
  t.resubscribe(35);
  await eventually(() => t.delivered.length === 45, { what: 'records after the seek', timeoutMs: 5000 });
  assert.deepEqual(offsets(t), [...range(0, 10), ...range(15, 50)]);
});

/** Peak of held + reserved bytes, sampled at every Fetch sent and every response taken in. */
function watchPeak(budget: ByteBudget, stages: readonly ObservedStage[]): { peak: () => number; stop: () => void } {
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(peak, budget.heldBytes + budget.reservedBytes);
  };
  subscribe(FETCH_CHANNEL, sample);
  for (const s of stages) s.afterFetched = sample;
  return { peak: () => peak, stop: () => unsubscribe(FETCH_CHANNEL, sample) };
}

async function bigBatchWorld(partitions: number, records: number, pad: number): Promise<{ w: ClusterWorld; batchHeld: number }> {
  const counts = new Map<number, number>();
  for (let p = 0; p < partitions; p++) counts.set(p, records);
  const first = (await makeLog(0, records, pad))[0] as Buffer; // the cluster's first batch of partition 0, encoded alike
  return { w: await clusterWorld({ records: counts, pad }), batchHeld: heldSize(first) };
}

test('defect 5: 8 partitions of large batches: held + reserved never pass the limit by more than one batch per broker', async () => {
  const PARTITIONS = 8;
  const RECORDS = 40;
  const { w, batchHeld } = await bigBatchWorld(PARTITIONS, RECORDS, 2000);
  const limit = 64 * 1024;
  const budget = new ByteBudget(limit);
  const scheduler = schedulerFor(w, budget, { options: settings(1024) });
  // Stalled subscribers with buffers far larger than the budget: only the budget stops the fetching.
  const stages = Array.from({ length: PARTITIONS }, (_, p) => new ObservedStage(TOPIC, p, 0, budget, scheduler, { maxRecords: 100_000, maxBytes: 1024 * 1024, minFetchBytes: 1024 }, { taking: false }));
  const watch = watchPeak(budget, stages);
  try {
    for (const s of stages) {
      scheduler.add(s.target);
      s.ask(RECORDS);
    }
    scheduler.start();
    await eventually(() => budget.free === 0, { what: 'the budget to fill', timeoutMs: 10_000 });
    await idle(budget);
    assert.ok(watch.peak() <= limit + batchHeld, `held + reserved peaked at ${watch.peak()} B: limit ${limit} B + one batch ${batchHeld} B`);
    for (const s of stages) s.setTaking();
    await eventually(() => stages.every((s) => s.delivered.length === RECORDS), { what: 'every record once the subscribers take', timeoutMs: 20_000 });
    for (const s of stages) assert.deepEqual(offsets(s), range(0, RECORDS), `partition ${s.partition} complete and in order`);
    assert.ok(watch.peak() <= limit + batchHeld, `held + reserved peaked at ${watch.peak()} B: limit ${limit} B + one batch ${batchHeld} B`);
    assert.ok(watch.peak() >= limit * 0.6, `the budget was used (${watch.peak()} B)`);
  } finally {
    watch.stop();
  }
});

test('defect 5: two brokers, 16 partitions: the peak stays within the limit plus one batch per broker', async () => {
  const PARTITIONS = 16;
  const RECORDS = 20;
  const records = new Map<number, number>();
  const leaders = new Map<number, number>();
  for (let p = 0; p < PARTITIONS; p++) {
    records.set(p, RECORDS);
    leaders.set(p, (p % 2) + 1);
  }
  const w = await clusterWorld({ brokers: 2, records, leaders, pad: 3000 });
  const batchHeld = heldSize((await makeLog(0, RECORDS, 3000))[0] as Buffer);
  const limit = 96 * 1024;
  const budget = new ByteBudget(limit);
  const scheduler = schedulerFor(w, budget, { options: settings(1024) });
  const stages = Array.from({ length: PARTITIONS }, (_, p) => new ObservedStage(TOPIC, p, 0, budget, scheduler, { maxRecords: 100_000, maxBytes: 1024 * 1024, minFetchBytes: 1024 }, { taking: false }));
  const watch = watchPeak(budget, stages);
  try {
    for (const s of stages) {
      scheduler.add(s.target);
      s.ask(RECORDS);
    }
    scheduler.start();
    await eventually(() => budget.free === 0, { what: 'the budget to fill', timeoutMs: 10_000 });
    await idle(budget);
    for (const s of stages) s.setTaking();
    await eventually(() => stages.every((s) => s.delivered.length === RECORDS), { what: 'every record', timeoutMs: 20_000 });
    for (const s of stages) assert.deepEqual(offsets(s), range(0, RECORDS));
    assert.ok(watch.peak() <= limit + 2 * batchHeld, `peak ${watch.peak()} B: limit ${limit} B + 2 batches of ${batchHeld} B`);
  } finally {
    watch.stop();
  }
});

test('defect 4/5 at scale: 64 partitions, batches larger than a share: the budget holds and every partition delivers in turn', async () => {
  const PARTITIONS = 64;
  const RECORDS = 15;
  const { w, batchHeld } = await bigBatchWorld(PARTITIONS, RECORDS, 1500);
  const limit = 128 * 1024; // a share of 2 KiB: every batch (~7.8 KB) is larger than it
  const budget = new ByteBudget(limit);
  const scheduler = schedulerFor(w, budget, { options: settings(1024) });
  const stages = Array.from({ length: PARTITIONS }, (_, p) => new ObservedStage(TOPIC, p, 0, budget, scheduler, { maxRecords: 100_000, maxBytes: 1024 * 1024, minFetchBytes: 1024 }, { taking: false }));
  const watch = watchPeak(budget, stages);
  try {
    for (const s of stages) {
      scheduler.add(s.target);
      s.ask(RECORDS);
    }
    scheduler.start();
    await eventually(() => budget.free === 0, { what: 'the budget to fill', timeoutMs: 10_000 });
    await idle(budget);
    for (const s of stages) s.setTaking();
    await eventually(() => stages.every((s) => s.delivered.length === RECORDS), { what: 'every record', timeoutMs: 30_000 });
    for (const s of stages) assert.deepEqual(offsets(s), range(0, RECORDS), `partition ${s.partition}`);
    assert.ok(watch.peak() <= limit + batchHeld, `peak ${watch.peak()} B: limit ${limit} B + one batch ${batchHeld} B`);
  } finally {
    watch.stop();
  }
});

test('defect 16: an answer far larger than asked for is cut to what was asked plus one batch; the rest is fetched again', async () => {
  const RECORDS = 4000; // 800 batches of 5 × ~1 KB: about 4 MB in every answer
  const log = await makeLog(0, RECORDS, 1000);
  const w = await world({ logs: new Map([[0, log]]) });
  // A hostile broker: every answer carries the whole log from the batch holding the fetch offset, whatever was asked.
  w.override = (part) => ({ records: Buffer.concat(log.slice(Math.floor(part.fetchOffset / 5))) });
  const limit = 256 * 1024;
  const budget = new ByteBudget(limit);
  const batchHeld = heldSize(log[0] as Buffer);
  const scheduler = schedulerFor(w, budget, { options: settings(16 * 1024) });
  const t = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { maxRecords: 100_000, maxBytes: 1024 * 1024, minFetchBytes: 16 * 1024 }, { taking: false });
  const watch = watchPeak(budget, [t]);
  let worstOverAsk = 0;
  const asked: number[] = [];
  const onSent = (m: unknown): void => {
    asked.push((m as { reservedBytes: number }).reservedBytes);
  };
  subscribe(FETCH_CHANNEL, onSent);
  const before = { held: 0 };
  t.afterFetched = () => {
    // What one answer added to the buffer, against what was reserved for it plus one batch.
    const added = budget.heldBytes - before.held;
    worstOverAsk = Math.max(worstOverAsk, added - ((asked[asked.length - 1] ?? 0) + batchHeld));
    before.held = budget.heldBytes;
    watch.peak();
  };
  try {
    scheduler.add(t.target);
    t.ask(RECORDS);
    scheduler.start();
    await eventually(() => t.responses >= 1, { what: 'the first answer', timeoutMs: 5000 });
    assert.ok(t.stats().bufferedBytes <= (asked[0] ?? 0) + batchHeld, `the first answer buffered ${t.stats().bufferedBytes} B for ${asked[0]} B asked`);
    assert.ok(t.fetchOffset < RECORDS, `the position stayed where the kept batches end (${t.fetchOffset})`);
    await eventually(() => budget.free === 0 || t.fetchOffset === RECORDS, { what: 'the budget to fill', timeoutMs: 10_000 });
    await idle(budget);
    assert.ok(budget.heldBytes <= limit + batchHeld, `held ${budget.heldBytes} B for a ${limit} B budget`);
    t.afterFetched = null;
    t.setTaking();
    await eventually(() => t.delivered.length === RECORDS, { what: 'every record', timeoutMs: 30_000 });
    assert.deepEqual(offsets(t), range(0, RECORDS), 'the dropped batches came again: nothing skipped, nothing twice');
    assert.ok(worstOverAsk <= 0, `an answer buffered ${worstOverAsk} B more than asked plus one batch`);
  } finally {
    unsubscribe(FETCH_CHANNEL, onSent);
    watch.stop();
  }
});

test('many partitions on a small budget, each batch a little larger than a share (60 topics x 50 partitions in little): batches come many per Fetch, not one, within the bound', async () => {
  // 600 partitions of 4 batches (5 records × 1000 B: about 5.2 KB held) and a 1 MiB budget: its
  // even split (1.7 KB) is below the 4 KiB floor share, and each batch is larger than that share.
  // Kafka (and the fake cluster) sends no bytes to a partition whose next batch is larger than its
  // ask unless it is the first with data in the response: served so, it took one batch per Fetch.
  const PARTITIONS = 600;
  const RECORDS = 20;
  const { w, batchHeld } = await bigBatchWorld(PARTITIONS, RECORDS, 1000);
  const limit = 1024 * 1024;
  assert.ok(batchHeld > 4096 && batchHeld <= 2 * 4096, `a batch (${batchHeld} B held) between one and two shares`);
  const budget = new ByteBudget(limit);
  const scheduler = schedulerFor(w, budget, { options: settings(4096) });
  const stages = Array.from({ length: PARTITIONS }, (_, p) => new ObservedStage(TOPIC, p, 0, budget, scheduler, { maxRecords: 2000, maxBytes: 1024 * 1024, minFetchBytes: 1024 }));
  const watch = watchPeak(budget, stages);
  let fetches = 0;
  const count = (): void => {
    fetches++;
  };
  subscribe(FETCH_CHANNEL, count);
  try {
    for (const s of stages) {
      scheduler.add(s.target);
      s.ask(RECORDS);
    }
    scheduler.start();
    await eventually(() => stages.every((s) => s.delivered.length === RECORDS), {
      what: 'every record',
      timeoutMs: 60_000,
      progress: () => `${stages.reduce((n, s) => n + s.delivered.length, 0)} records in ${fetches} Fetches`,
    });
    for (const s of stages) assert.deepEqual(offsets(s), range(0, RECORDS), `partition ${s.partition}`);
    const batches = PARTITIONS * (RECORDS / 5);
    assert.ok(fetches <= batches / 20, `${fetches} Fetches for ${batches} batches: at least 20 batches per Fetch on average`);
    assert.ok(watch.peak() <= limit + batchHeld, `peak ${watch.peak()} B: limit ${limit} B + one batch ${batchHeld} B`);
  } finally {
    unsubscribe(FETCH_CHANNEL, count);
    watch.stop();
  }
});

test('on a contended budget, partitions at their end leave it to those with records: 500 at their end, 100 with records placed last', async () => {
  // 600 partitions on a 1 MiB budget with a 4 KiB floor share: the shares add up to 2.4 MB. The
  // 500 read one batch each and are at their end; then the 100 with records start asking. Asking
  // their share, the 500 would reserve the whole budget every round ahead of the 100 (the order
  // rotates by one per Fetch), which then waited hundreds of rounds.
  const EMPTY = 500;
  const FULL = 100;
  const RECORDS = 20;
  const counts = new Map<number, number>();
  for (let p = 0; p < EMPTY + FULL; p++) counts.set(p, p < EMPTY ? 5 : RECORDS);
  const w = await clusterWorld({ records: counts, pad: 1000 });
  const limit = 1024 * 1024;
  const budget = new ByteBudget(limit);
  const scheduler = schedulerFor(w, budget, { options: settings(4096) });
  const stages = Array.from({ length: EMPTY + FULL }, (_, p) => new ObservedStage(TOPIC, p, 0, budget, scheduler, { maxRecords: 2000, maxBytes: 1024 * 1024, minFetchBytes: 1024 }));
  let fetches = 0;
  const count = (): void => {
    fetches++;
  };
  subscribe(FETCH_CHANNEL, count);
  try {
    for (const s of stages) scheduler.add(s.target);
    const atEnd = stages.slice(0, EMPTY);
    for (const s of atEnd) s.ask(RECORDS);
    scheduler.start();
    await eventually(() => atEnd.every((s) => s.delivered.length === 5), { what: 'the one batch of each of the 500', timeoutMs: 60_000 });
    const before = fetches;
    const full = stages.slice(EMPTY);
    for (const s of full) s.ask(RECORDS);
    await eventually(() => full.every((s) => s.delivered.length === RECORDS), {
      what: 'every record of the partitions with records',
      timeoutMs: 60_000,
      progress: () => `${full.reduce((n, s) => n + s.delivered.length, 0)} records in ${fetches} Fetches`,
    });
    for (const s of full) assert.deepEqual(offsets(s), range(0, RECORDS), `partition ${s.partition}`);
    assert.ok(fetches - before <= 60, `${fetches - before} Fetches for ${FULL * (RECORDS / 5)} batches of ${FULL} partitions placed after ${EMPTY} at their end`);
  } finally {
    unsubscribe(FETCH_CHANNEL, count);
  }
});
