/**
 * The fetch scheduler against a broker whose answers make no progress or keep failing (issue #8,
 * defects 17 and 19), on the real PartitionStage: each case ends in a typed error on the partition
 * or a report through `onError` within a bounded number of rounds, spaced by backoff, while the
 * other partitions keep flowing.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { NO_PROGRESS_ROUNDS, CORRUPT_ROUNDS, MAX_THROTTLE_MS } from '../../src/consumer/fetch-error-policy.js';
import { NoProgressError } from '../../src/consumer/fetch-errors.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { KafkaStageError } from '../../src/errors.js';
import { ResponseTooLargeError } from '../../src/network/errors.js';
import { BATCH_LENGTH_AT, LOG_OVERHEAD } from '../../src/protocol/records/batch-layout.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { ObservedStage, type ObservedTarget } from './fetch-scheduler-stages.js';
import { askedOf, asksFrom, cleanUpWorlds, clusterWorld, fetchesOf, makeLog, offsets, range, schedulerFor, TOPIC, world, type World } from './fetch-scheduler-world.js';
import { eventually } from '../helpers/eventually.js';

afterEach(cleanUpWorlds);

/** Times (Date.now) of the Fetches that asked `partition` from `offset`. */
function timesOf(w: World, times: Map<number, number>, partition: number, offset: number): number[] {
  return w.fetches
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => f.parts.some((p) => p.partition === partition && p.fetchOffset === offset))
    .map(({ i }) => times.get(i) as number);
}

/** Records when each Fetch arrived, by its index in `w.fetches`. */
function clockFetches(w: World): Map<number, number> {
  const times = new Map<number, number>();
  const seen = w.fetches;
  const push = seen.push.bind(seen);
  seen.push = (...items) => {
    for (let i = 0; i < items.length; i++) times.set(seen.length + i, Date.now());
    return push(...items);
  };
  return times;
}

/** Two partitions: 0 answered by `override`, 1 a healthy log of 300 records that must flow throughout. */
async function twoPartitions(): Promise<{ w: World; budget: ByteBudget; times: Map<number, number> }> {
  const w = await world({
    logs: new Map([
      [0, await makeLog(0, 100)],
      [1, await makeLog(1, 300)],
    ]),
  });
  return { w, budget: new ByteBudget(1024 * 1024), times: clockFetches(w) };
}

/** Asserts the no-progress rounds at `offset` were bounded and, from the second on, spaced by backoff (initial 5 ms here). */
function assertBoundedAndSpaced(w: World, times: Map<number, number>, offset: number): void {
  const at = timesOf(w, times, 0, offset);
  assert.equal(at.length, NO_PROGRESS_ROUNDS, `${NO_PROGRESS_ROUNDS} rounds at offset ${offset}, then parked (${at.length} seen)`);
  // Backoff after round n ≥ 2 waits at least half of min(20, 5 · 2^(n−2)) ms: 2.5 + 5 + 10 = 17.5 ms over rounds 2..5.
  const spread = (at[at.length - 1] as number) - (at[1] as number);
  assert.ok(spread >= 17, `rounds 2..${NO_PROGRESS_ROUNDS} took ${spread} ms: not at full speed`);
}

test('defect 17: batches all below the fetch offset: a NoProgressError after a bounded number of rounds, with backoff', async () => {
  const { w, budget, times } = await twoPartitions();
  const log0 = await makeLog(0, 100);
  // From offset 10 on, the broker answers with the first batch (offsets 0..4) again and again.
  w.override = (part) => (part.partition === 0 && part.fetchOffset >= 10 ? { records: log0[0] as Buffer } : undefined);
  const scheduler = schedulerFor(w, budget);
  const stuck = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(stuck.target);
  scheduler.add(fine.target);
  scheduler.start();
  stuck.ask(100);
  fine.ask(300);
  await eventually(() => stuck.errors.length === 1 && fine.delivered.length === 300, { what: 'the error and the other partition', timeoutMs: 10_000 });
  const err = stuck.errors[0];
  assert.ok(err instanceof NoProgressError, String(err));
  assert.equal(err.code, 'ERR_NO_PROGRESS');
  assert.deepEqual(
    { topic: err.context.topic, partition: err.context.partition, offset: err.context.offset, broker: err.context.broker },
    { topic: TOPIC, partition: 0, offset: 10, broker: 1 },
  );
  assert.deepEqual(offsets(stuck), range(0, 10), 'everything before the stuck offset was delivered');
  assertBoundedAndSpaced(w, times, 10);
  assert.equal(scheduler.stats().parked, 1);
  assert.deepEqual(offsets(fine), range(0, 300));
});

test('defect 17: a first batch always longer than the bytes sent (the ask growing one byte a round): a NoProgressError', async () => {
  const { w, budget, times } = await twoPartitions();
  const log0 = await makeLog(0, 100);
  // The broker cuts a batch to exactly the size asked, with a length claiming one byte more.
  w.override = (part) => {
    if (part.partition !== 0) return undefined;
    const cut = Buffer.from((log0[0] as Buffer).subarray(0, Math.min(part.maxBytes, (log0[0] as Buffer).length - 1)));
    cut.writeInt32BE(part.maxBytes + 1 - LOG_OVERHEAD, BATCH_LENGTH_AT);
    return { records: cut };
  };
  const scheduler = schedulerFor(w, budget);
  const stuck = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(stuck.target);
  scheduler.add(fine.target);
  scheduler.start();
  stuck.ask(100);
  fine.ask(300);
  await eventually(() => stuck.errors.length === 1 && fine.delivered.length === 300, { what: 'the error and the other partition', timeoutMs: 10_000 });
  const err = stuck.errors[0];
  assert.ok(err instanceof NoProgressError, String(err));
  assert.equal(err.context.offset, 0);
  assert.equal(err.context.broker, 1);
  const asks = fetchesOf(w, 0).map((p) => p.maxBytes);
  assert.ok(
    asks.slice(1).every((m, i) => m === (asks[i] as number) + 1),
    `each ask one byte more than the last: ${asks.join(', ')}`,
  );
  assertBoundedAndSpaced(w, times, 0);
  assert.deepEqual(stuck.delivered, []);
});

test('defect 17: OFFSET_OUT_OF_RANGE naming the offset asked as the log start: the reset lands there again; a NoProgressError ends it', async () => {
  const { w, budget, times } = await twoPartitions();
  w.override = (part) => (part.partition === 0 ? { errorCode: 1, logStartOffset: BigInt(part.fetchOffset), highWatermark: 100n } : undefined);
  const resets: number[] = [];
  const scheduler = schedulerFor(w, budget, {
    // The earliest policy: seek to the log start the broker named.
    onOffsetOutOfRange: (t, info) => {
      resets.push(info.offset);
      (t as ObservedTarget).stage.seek(info.logStartOffset);
      return Promise.resolve();
    },
  });
  const stuck = new ObservedStage(TOPIC, 0, 40, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(stuck.target);
  scheduler.add(fine.target);
  scheduler.start();
  stuck.ask(10);
  fine.ask(300);
  await eventually(() => stuck.errors.length === 1 && fine.delivered.length === 300, { what: 'the error and the other partition', timeoutMs: 10_000 });
  const err = stuck.errors[0];
  assert.ok(err instanceof NoProgressError, String(err));
  assert.equal(err.context.offset, 40);
  assert.match(err.message, /OFFSET_OUT_OF_RANGE/);
  assert.deepEqual(resets, Array.from({ length: NO_PROGRESS_ROUNDS - 1 }, () => 40), 'the reset ran for each round but the last');
  assertBoundedAndSpaced(w, times, 40);
});

test('defect 19: CORRUPT_MESSAGE is reported once (rate-limited), retried with backoff, then parks the partition with that error', async () => {
  const { w, budget, times } = await twoPartitions();
  w.override = (part) => (part.partition === 0 && part.fetchOffset >= 20 ? { errorCode: 2 } : undefined);
  const reported: Error[] = [];
  const scheduler = schedulerFor(w, budget, { onError: (e) => reported.push(e) });
  const bad = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(bad.target);
  scheduler.add(fine.target);
  scheduler.start();
  bad.ask(100);
  fine.ask(300);
  await eventually(() => bad.errors.length === 1 && fine.delivered.length === 300, { what: 'the error and the other partition', timeoutMs: 10_000 });
  assert.equal(reported.length, 1, `one report for ${CORRUPT_ROUNDS} answers: ${reported.map((e) => e.message).join(' | ')}`);
  const report = reported[0];
  assert.ok(report instanceof KafkaError && report.errorCode === 2, String(report));
  assert.deepEqual({ topic: report.context.topic, partition: report.context.partition, broker: report.context.broker }, { topic: TOPIC, partition: 0, broker: 1 });
  const err = bad.errors[0];
  assert.ok(err instanceof KafkaError && err.errorCode === 2, String(err));
  assert.equal(timesOf(w, times, 0, 20).length, CORRUPT_ROUNDS, 'bounded');
  assert.deepEqual(offsets(bad), range(0, 20));
  assert.equal(scheduler.stats().parked, 1);
});

test('defect 19: KAFKA_STORAGE_ERROR is reported once and retried (re-routed) until the broker heals', async () => {
  // An ordinary broker fault: partition 0's first 8 Fetches from offset 30 answer KAFKA_STORAGE_ERROR.
  const w = await clusterWorld({
    records: new Map([
      [0, 100],
      [1, 300],
    ]),
  });
  const budget = new ByteBudget(1024 * 1024);
  w.fake.fail('Fetch', 'KAFKA_STORAGE_ERROR', { topic: TOPIC, partition: 0, times: 8, when: (request) => asksFrom(request, 0, 30) });
  const fetchesAtThirty = (): number => askedOf(w, 0).filter((p) => p.fetchOffset === 30).length;
  const reported: Error[] = [];
  const scheduler = schedulerFor(w, budget, { onError: (e) => reported.push(e) });
  const disk = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(disk.target);
  scheduler.add(fine.target);
  scheduler.start();
  disk.ask(100);
  fine.ask(300);
  await eventually(() => disk.delivered.length === 100 && fine.delivered.length === 300, { what: 'both partitions complete', timeoutMs: 10_000 });
  assert.equal(fetchesAtThirty(), 9, 'the broker failed 8 times, then answered');
  assert.equal(reported.length, 1, `one report: ${reported.map((e) => e.message).join(' | ')}`);
  const report = reported[0];
  assert.ok(report instanceof KafkaError && report.errorCode === 56, String(report));
  assert.deepEqual({ partition: report.context.partition, broker: report.context.broker, offset: report.context.offset }, { partition: 0, broker: 1, offset: 30 });
  assert.deepEqual(disk.errors, []);
  assert.deepEqual(offsets(disk), range(0, 100));
});

test('defect 19: a throttle time of 2^31 − 1 ms is honoured only up to the cap, and reported', async () => {
  const { w, budget, times } = await twoPartitions();
  w.throttle = (_broker, seq) => (seq === 1 ? 2 ** 31 - 1 : 0);
  const reported: Error[] = [];
  const cap = 300;
  const scheduler = schedulerFor(w, budget, {
    onError: (e) => reported.push(e),
    options: { maxWaitMs: 30, minBytes: 1, minPartitionBytes: 4096, isolationLevel: 'read_uncommitted', verifyCrc: true, maxBytesPerPartition: 256 * 1024, maxThrottleMs: cap },
  });
  const a = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 600 });
  const b = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(a.target);
  scheduler.add(b.target);
  scheduler.start();
  a.ask(100);
  b.ask(300);
  await eventually(() => a.delivered.length === 100 && b.delivered.length === 300, { what: 'every record despite the throttle', timeoutMs: 10_000 });
  assert.equal(reported.length, 1);
  const report = reported[0];
  assert.ok(report instanceof KafkaStageError && report.code === 'ERR_PROTOCOL', String(report));
  assert.equal(report.context.broker, 1);
  assert.equal(report.context.throttleTimeMs, 2 ** 31 - 1);
  const gap = (times.get(2) as number) - (times.get(1) as number);
  assert.ok(gap >= cap - 5, `the throttle was honoured up to the cap: the next Fetch came ${gap} ms later`);
  assert.equal(MAX_THROTTLE_MS, 30_000, 'the default cap is 30 s');
});

test('a batch larger than maxResponseBytes parks its partition with ERR_RESPONSE_TOO_LARGE (raise the limit), not ERR_PROTOCOL', async () => {
  const log = await makeLog(0, 20, 400);
  const first = log[0] as Buffer;
  assert.ok(first.length > 1024, `a batch of ${first.length} bytes`);
  const w = await world({ logs: new Map([[0, log]]), maxResponseBytes: 1024 });
  // The broker hands out the start of the batch only, as it does when the batch is cut at the size asked.
  w.override = () => ({ records: first.subarray(0, 200) });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const stage = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64 });
  scheduler.add(stage.target);
  scheduler.start();
  stage.ask(5);
  await eventually(() => stage.errors.length > 0, { what: 'the partition failed', timeoutMs: 10_000 });
  const [err] = stage.errors;
  assert.ok(err instanceof ResponseTooLargeError, String(err));
  assert.equal(err.code, 'ERR_RESPONSE_TOO_LARGE');
  assert.equal(err.retriable, false, 'the same batch will not fit next time either');
  assert.equal(err.context.option, 'maxResponseBytes');
  assert.deepEqual({ topic: err.context.topic, partition: err.context.partition, offset: err.context.offset }, { topic: TOPIC, partition: 0, offset: 0 });
  assert.equal(scheduler.stats().parked, 1);
});
