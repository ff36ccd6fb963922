/**
 * Reading a Fetch answer ahead (fetch-ahead.ts): from batch headers, where the position will be,
 * and the scheduler sending the broker's next Fetch from there as soon as an answer arrives, before
 * the answer is decoded and handed to the stage — while every record is still delivered once, in
 * order, and a wrong guess costs a Fetch, never a record.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, test } from 'node:test';
import { readAhead } from '../../src/consumer/fetch-ahead.js';
import { FETCH_CHANNEL, type FetchSentEvent } from '../../src/consumer/fetch-scheduler.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { ObservedStage } from './fetch-scheduler-stages.js';
import { BATCH, cleanUpWorlds, fetchesOf, makeLog, offsets, range, schedulerFor, TOPIC, world } from './fetch-scheduler-world.js';
import { eventually } from '../helpers/eventually.js';

afterEach(cleanUpWorlds);

const records = (n: number) => Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) }));

test('readAhead: the position after the whole batches, their records, their bytes', async () => {
  const a = await encodeRecordBatch({ records: records(3), compression: 'none', baseOffset: 10 });
  const b = await encodeRecordBatch({ records: records(4), compression: 'none', baseOffset: 13 });
  const both = Buffer.concat([a, b]);
  assert.deepEqual(readAhead(both, 10), { offset: 17, records: 7, wireBytes: both.length });
  // A cut second batch is not counted: the answer ends where the whole batches end.
  const cut = both.subarray(0, a.length + 20);
  assert.deepEqual(readAhead(cut, 10), { offset: 13, records: 3, wireBytes: a.length });
  // Fetched from inside the first batch: the position still moves past it.
  assert.deepEqual(readAhead(both, 12), { offset: 17, records: 7, wireBytes: both.length });
});

test('readAhead declines what it cannot be sure of: compressed, no whole batch, no progress, another format', async () => {
  const gzip = await encodeRecordBatch({ records: records(3), compression: 'gzip', baseOffset: 0 });
  assert.equal(readAhead(gzip, 0), null, 'compressed: decoding may be asynchronous, its size unknown');
  const plain = await encodeRecordBatch({ records: records(3), compression: 'none', baseOffset: 0 });
  assert.equal(readAhead(plain.subarray(0, 40), 0), null, 'only a cut batch');
  assert.equal(readAhead(plain, 3), null, 'every batch below the fetch offset: no progress');
  const magic1 = Buffer.from(plain);
  magic1[16] = 1;
  assert.equal(readAhead(magic1, 0), null, 'record format 1');
  assert.equal(readAhead(Buffer.alloc(0), 0), null, 'empty');
});

test('the next Fetch leaves when an answer arrives, from where that answer ends, before the answer reaches the stage', async () => {
  const logs = new Map([[0, await makeLog(0, 400)]]);
  const w = await world({ logs });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  // Room for 100 records: each Fetch asks for half, so one can be out while the other is taken.
  const stage = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { maxRecords: 100, minFetchBytes: 256 });
  const sent: { fetchOffset: number; answersHanded: number }[] = [];
  const onFetch = (message: unknown) => {
    const event = message as FetchSentEvent;
    sent.push({ fetchOffset: event.partitions[0]?.fetchOffset ?? -1, answersHanded: stage.responses });
  };
  subscribe(FETCH_CHANNEL, onFetch);
  try {
    scheduler.add(stage.target);
    scheduler.start();
    stage.ask(400);
    await eventually(() => stage.delivered.length === 400, { what: 'all 400 records', timeoutMs: 10_000 });
  } finally {
    unsubscribe(FETCH_CHANNEL, onFetch);
  }
  assert.deepEqual(offsets(stage), range(0, 400), 'every record once, in order');
  const ahead = sent.filter((f, i) => i > 0 && f.answersHanded < i);
  assert.ok(ahead.length > 0, `some Fetch left before the previous answer was handed over (${JSON.stringify(sent)})`);
  for (const f of ahead) assert.ok(f.fetchOffset > 0, 'read ahead: from where the previous answer ends');
  assert.equal(budget.reservedBytes, 0, 'no reservation left behind');
  assert.ok(w.fetches.every((f) => !f.overlapped), 'still one Fetch out per broker at a time');
});

test('a guess that turns out wrong (the stage moved elsewhere meanwhile) costs a Fetch, never a record', async () => {
  const logs = new Map([[0, await makeLog(0, 300)]]);
  const w = await world({ logs });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const stage = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { maxRecords: 100, minFetchBytes: 256 });
  let seeked = false;
  // At the first answer, seek back to 0: the Fetch already sent from the guessed position is stale.
  stage.afterFetched = () => {
    if (seeked) return;
    seeked = true;
    stage.seek(0);
  };
  scheduler.add(stage.target);
  scheduler.start();
  stage.ask(300);
  await eventually(() => stage.delivered.length >= 300 && stage.delivered.at(-1)?.offset === 299, { what: 'the log read to its end', timeoutMs: 10_000 });
  const delivered = offsets(stage);
  const restart = delivered.lastIndexOf(0);
  assert.deepEqual(delivered.slice(restart), range(0, 300), 'after the seek: every offset once, in order');
  assert.equal(budget.reservedBytes, 0);
});

/**
 * Partition 0's log: a batch of 5 records of 3000 B values (the stage learns a growth near 1), then
 * one batch of 600 empty records (about 5 KB on the wire, 38 KB held at 64 B a record: more than the
 * whole budget, so only a Fetch's one-batch licence admits it). Read ahead at the growth learnt,
 * that answer seems to fit its reservation, and the licence would pass to the next Fetch.
 */
async function underestimatedLog(): Promise<Buffer[]> {
  const big = await encodeRecordBatch({ records: Array.from({ length: BATCH }, () => ({ key: null, value: Buffer.alloc(3000, 1) })), compression: 'none', baseOffset: 0 });
  const tiny = await encodeRecordBatch({ records: Array.from({ length: 600 }, () => ({ key: null, value: null })), compression: 'none', baseOffset: BATCH });
  return [big, tiny];
}

/** Records in {@link underestimatedLog}. */
const UNDERESTIMATED = BATCH + 600;

test('a batch read ahead that holds more than its estimate, refused while the licence went to the next Fetch, comes on a later licence', async () => {
  // Partition 1 always wants bytes, so a Fetch takes the licence at every read-ahead.
  const logs = new Map([
    [0, await underestimatedLog()],
    [1, await makeLog(1, 2000)],
  ]);
  const w = await world({ logs });
  const budget = new ByteBudget(32 * 1024);
  const scheduler = schedulerFor(w, budget);
  const first = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { maxRecords: 1000, maxBytes: 1024 * 1024, minFetchBytes: 256 });
  const other = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { maxRecords: 100, maxBytes: 1024 * 1024, minFetchBytes: 256 });
  scheduler.add(first.target);
  scheduler.add(other.target);
  scheduler.start();
  first.ask(UNDERESTIMATED);
  other.ask(2000);
  await eventually(() => first.delivered.length === UNDERESTIMATED, { what: "all of partition 0's records", timeoutMs: 10_000 });
  assert.deepEqual(offsets(first), range(0, UNDERESTIMATED), 'every record once, in order');
});

test('a batch larger than the budget, read ahead when no other Fetch wants the licence, keeps it', async () => {
  const logs = new Map([[0, await underestimatedLog()]]);
  const w = await world({ logs });
  const budget = new ByteBudget(32 * 1024);
  const scheduler = schedulerFor(w, budget);
  const stage = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { maxRecords: 1000, maxBytes: 1024 * 1024, minFetchBytes: 256 });
  scheduler.add(stage.target);
  scheduler.start();
  stage.ask(UNDERESTIMATED);
  await eventually(() => stage.delivered.length === UNDERESTIMATED, { what: 'every record', timeoutMs: 10_000 });
  assert.deepEqual(offsets(stage), range(0, UNDERESTIMATED));
  // Kept on the answer's own licence at once: no answer refused and fetched again.
  assert.equal(fetchesOf(w, 0).filter((f) => f.fetchOffset === BATCH).length, 1, `one Fetch from offset ${BATCH} (${JSON.stringify(fetchesOf(w, 0))})`);
});
