/**
 * The fetch scheduler against scripted fake brokers: demand decides which partitions a Fetch covers,
 * one Fetch per broker in flight, and the faults a healthy single broker rarely shows on demand
 * (moved leaders, offsets out of range, a broker that stops answering, corrupt batches, batches
 * larger than the size asked for).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { OutOfRangeInfo } from '../../src/consumer/fetch-scheduler.js';
import { CorruptRecordError } from '../../src/protocol/errors.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import type { FakeBroker } from '../helpers/fake-broker.js';
import { ObservedStage, type ObservedTarget } from './fetch-scheduler-stages.js';
import { askedOf, cleanUpWorlds, fetchesSeen, clusterWorld, fetchesOf, makeLog, offsets, range, schedulerFor, TOPIC, world } from './fetch-scheduler-world.js';
import { eventually } from '../helpers/eventually.js';

afterEach(cleanUpWorlds);

test('records of two partitions arrive in order; every Fetch covers both; never two Fetches in flight to a broker', async () => {
  const logs = new Map([
    [0, await makeLog(0, 200)],
    [1, await makeLog(1, 200)],
  ]);
  const w = await world({ logs });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const a = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 1024, maxBytes: 4096 });
  const b = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 1024, maxBytes: 4096 });
  scheduler.add(a.target);
  scheduler.add(b.target);
  scheduler.start();
  a.ask(200);
  b.ask(200);
  await eventually(() => a.delivered.length === 200 && b.delivered.length === 200, { what: 'both partitions read', timeoutMs: 10_000 });
  assert.deepEqual(offsets(a), range(0, 200));
  assert.deepEqual(offsets(b), range(0, 200));
  assert.deepEqual(a.delivered.map((r) => r.value?.toString().replace(/\.+$/, '')).slice(0, 3), ['p0-0', 'p0-1', 'p0-2']);
  assert.ok(w.fetches.length > 2, `small fetches take several rounds (${w.fetches.length})`);
  assert.ok(w.fetches.every((f) => !f.overlapped), 'one Fetch in flight per broker');
  const both = w.fetches.filter((f) => f.parts.length === 2).length;
  assert.ok(both >= w.fetches.length - 2, `Fetches cover every partition with demand (${both} of ${w.fetches.length})`);
  assert.ok(
    w.fetches.every((f) => f.parts.every((p) => p.epoch === 5)),
    'the leader epoch from metadata is sent',
  );
  const stats = scheduler.stats();
  assert.equal(stats.fetches, w.fetches.length);
  assert.equal(stats.fetchesByBroker.get(1), w.fetches.length);
  assert.equal(stats.fetchesByPartition.get(`${TOPIC}:0`), fetchesOf(w, 0).length);
});

test('a partition without demand is left out of every Fetch while another keeps flowing; demand brings it in', async () => {
  const w = await clusterWorld({
    records: new Map([
      [0, 100],
      [1, 2000],
    ]),
  });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const idle = new ObservedStage(TOPIC, 0, 0, budget, scheduler);
  const busy = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512, maxBytes: 8192 });
  scheduler.add(idle.target);
  scheduler.add(busy.target);
  scheduler.start();
  busy.ask(2000);
  await eventually(() => busy.delivered.length >= 500, { what: '500 records of the busy partition', timeoutMs: 10_000 });
  assert.equal(askedOf(w, 0).length, 0, 'no Fetch covered the partition nobody asked for');
  assert.ok(askedOf(w, 1).length >= 3, `the busy partition took several Fetches (${askedOf(w, 1).length})`);
  idle.ask(7);
  await eventually(() => idle.delivered.length === 7, { what: 'the late demand', timeoutMs: 5_000 });
  assert.deepEqual(offsets(idle), range(0, 7));
  assert.equal(askedOf(w, 0)[0]?.fetchOffset, 0);
});

test('an idle scheduler sends nothing: no demand, no Fetch', async () => {
  const w = await clusterWorld({ records: new Map([[0, 50]]) });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const t = new ObservedStage(TOPIC, 0, 0, budget, scheduler);
  scheduler.add(t.target);
  scheduler.start();
  t.ask(10);
  await eventually(() => t.delivered.length === 10, { what: '10 records', timeoutMs: 5_000 });
  const sent = fetchesSeen(w).length;
  // What the first Fetch brought covers the rest of the demand; a negative observation needs some
  // time to pass: ten of the broker's wait periods.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fetchesSeen(w).length, sent, 'no Fetch without uncovered demand');
  assert.equal(t.delivered.length, 10, 'never more than asked for');
  assert.equal(budget.reservedBytes, 0, 'no reservation left behind');
});

test('NOT_LEADER_OR_FOLLOWER: the partition moves to its new leader and continues at the same offset', async () => {
  const w = await clusterWorld({
    brokers: 2,
    records: new Map([
      [0, 300],
      [1, 300],
    ]),
  });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const moving = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 256, maxBytes: 2048 });
  const staying = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 256, maxBytes: 2048 });
  scheduler.add(moving.target);
  scheduler.add(staying.target);
  scheduler.start();
  moving.ask(300);
  staying.ask(300);
  await eventually(() => moving.delivered.length >= 40, { what: 'the first records from broker 1', timeoutMs: 5_000 });
  const newEpoch = w.fake.moveLeader(TOPIC, 0, 2);
  await eventually(() => moving.delivered.length === 300 && staying.delivered.length === 300, { what: 'everything', timeoutMs: 10_000 });
  assert.deepEqual(offsets(moving), range(0, 300), 'no offset skipped or repeated across the move');
  assert.deepEqual(offsets(staying), range(0, 300));
  const onTwo = fetchesSeen(w).filter((f) => f.broker === 2);
  assert.ok(onTwo.length > 0, 'broker 2 was asked');
  const firstOnTwo = onTwo[0]?.partitions.find((p) => p.partition === 0);
  assert.ok(firstOnTwo && firstOnTwo.fetchOffset >= 40, `broker 2 was first asked from the position reached (${firstOnTwo?.fetchOffset})`);
  assert.equal(firstOnTwo.currentLeaderEpoch, newEpoch, 'with the new leader epoch');
  const refused = askedOf(w, 0).filter((p) => p.broker === 1 && p.fetchOffset === firstOnTwo.fetchOffset);
  assert.ok(refused.length >= 1, 'the old leader refused that same offset first');
  assert.ok(onTwo.every((f) => f.partitions.every((p) => p.partition === 0)), 'partition 1 stayed on broker 1');
});

test('OFFSET_OUT_OF_RANGE goes to the callback; the partition waits for the reset and resumes there', async () => {
  const w = await clusterWorld({
    records: new Map([
      [0, 100],
      [1, 100],
    ]),
  });
  // The partition's first Fetch (from 500, past its end) answered as a broker answers an error: no log offsets (-1).
  w.fake.fail('Fetch', 'OFFSET_OUT_OF_RANGE', { topic: TOPIC, partition: 0 });
  const budget = new ByteBudget(1024 * 1024);
  const calls: OutOfRangeInfo[] = [];
  let target: ObservedStage | null = null;
  const scheduler = schedulerFor(w, budget, {
    onOffsetOutOfRange: async (t, info) => {
      calls.push(info);
      assert.equal((t as ObservedTarget).stage, target);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the group asks ListOffsets
      (t as ObservedTarget).stage.seek(30);
    },
  });
  const lost = new ObservedStage(TOPIC, 0, 500, budget, scheduler);
  target = lost;
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler);
  scheduler.add(lost.target);
  scheduler.add(fine.target);
  scheduler.start();
  lost.ask(20);
  fine.ask(100);
  await eventually(() => lost.delivered.length === 20 && fine.delivered.length === 100, { what: 'reset and flow', timeoutMs: 5_000 });
  assert.equal(calls.length, 1);
  assert.deepEqual({ ...calls[0] }, { offset: 500, logStartOffset: -1, highWatermark: -1, broker: 1 });
  assert.deepEqual(offsets(lost), range(30, 50), 'resumed exactly at the reset offset');
  assert.equal(askedOf(w, 0).filter((p) => p.fetchOffset === 500).length, 1, 'the bad offset was not fetched again');
  assert.deepEqual(offsets(fine), range(0, 100));
});

test('a failing reset goes to the target as its error and the partition stays out of Fetches', async () => {
  // Partition 0 holds 50 records and is read from 70: OFFSET_OUT_OF_RANGE with its log start 0 and end 50.
  const w = await clusterWorld({
    records: new Map([
      [0, 50],
      [1, 2000],
    ]),
  });
  const budget = new ByteBudget(1024 * 1024);
  const refusal = new Error("autoOffsetReset is 'none'");
  const scheduler = schedulerFor(w, budget, { onOffsetOutOfRange: () => Promise.reject(refusal) });
  const lost = new ObservedStage(TOPIC, 0, 70, budget, scheduler);
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(lost.target);
  scheduler.add(fine.target);
  scheduler.start();
  lost.ask(10);
  fine.ask(2000);
  await eventually(() => lost.errors.length === 1, { what: 'the error', timeoutMs: 5_000 });
  assert.equal(lost.errors[0], refusal);
  await eventually(() => fine.delivered.length === 2000, { what: 'the other partition', timeoutMs: 10_000 });
  assert.equal(askedOf(w, 0).length, 1, 'parked after the error');
  assert.equal(scheduler.stats().parked, 1);
});

test('a broker that stops answering: the Fetch times out, the client reconnects and resumes at the same offset', async () => {
  const logs = new Map([[0, await makeLog(0, 200)]]);
  const w = await world({ logs, requestTimeoutMs: 300 });
  w.whole = (_broker, seq) => (seq === 2 ? 'stall' : undefined);
  const budget = new ByteBudget(1024 * 1024);
  const errors: Error[] = [];
  const scheduler = schedulerFor(w, budget, { onError: (e) => errors.push(e) });
  const t = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 256, maxBytes: 1024 });
  scheduler.add(t.target);
  scheduler.start();
  t.ask(200);
  await eventually(() => t.delivered.length === 200, { what: 'all records across the stall', timeoutMs: 10_000 });
  assert.deepEqual(offsets(t), range(0, 200));
  const broker = w.brokers.get(1) as FakeBroker;
  assert.ok(broker.connectionCount >= 2, 'a new connection after the timeout');
  const stalled = w.fetches[2];
  const next = w.fetches[3];
  assert.ok(stalled && next, `a Fetch after the stalled one (${w.fetches.length} Fetches)`);
  assert.notEqual(next.connection, stalled.connection, 'the retry went on a new connection');
  assert.equal(next.parts[0]?.fetchOffset, stalled.parts[0]?.fetchOffset, 'the retry asked for the same offset');
  assert.equal(scheduler.stats().failedFetches, 1);
  assert.deepEqual(errors, [], 'one timeout is absorbed, not reported');
});

test('a corrupt batch is a typed error for its partition only; the others keep flowing', async () => {
  const bad = await makeLog(0, 50);
  const flipped = Buffer.from(bad[2] as Buffer);
  flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0xff; // a byte of the last value, under the CRC
  bad[2] = flipped;
  const logs = new Map([
    [0, bad],
    [1, await makeLog(1, 1000)],
  ]);
  const w = await world({ logs });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const broken = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64, maxBytes: 4096 });
  const fine = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 512 });
  scheduler.add(broken.target);
  scheduler.add(fine.target);
  scheduler.start();
  broken.ask(50);
  fine.ask(1000);
  await eventually(() => broken.errors.length === 1, { what: 'the corrupt batch error', timeoutMs: 5_000 });
  const err = broken.errors[0];
  assert.ok(err instanceof CorruptRecordError, String(err));
  assert.equal(err.code, 'ERR_CORRUPT_RECORD');
  assert.equal(err.context.topic, TOPIC);
  assert.equal(err.context.partition, 0);
  assert.equal(err.context.broker, 1);
  assert.equal(err.context.offset, 10, 'the position the batch was fetched at');
  assert.deepEqual(offsets(broken), range(0, 10), 'records before the corrupt batch were delivered');
  await eventually(() => fine.delivered.length === 1000, { what: 'the healthy partition', timeoutMs: 10_000 });
  assert.deepEqual(offsets(fine), range(0, 1000));
  assert.equal(fetchesOf(w, 0).filter((p) => p.fetchOffset === 10).length, 1, 'the corrupt batch is not fetched again in a loop');
  broken.seek(15); // the user skips the bad batch, and subscribes again (the error ended the subscription)
  broken.resubscribe(35);
  await eventually(() => broken.delivered.length === 45, { what: 'after the seek', timeoutMs: 5_000 });
  assert.deepEqual(offsets(broken), [...range(0, 10), ...range(15, 50)]);
});

test('a batch larger than the size asked for (Kafka answers no bytes): the partition is owed a larger ask, first in a later request, and gets the batch whole', async () => {
  const big = await makeLog(0, 40, 2000); // batches of 5 × 2 KB, as the cluster's log holds them
  const w = await clusterWorld({
    records: new Map([
      [0, 40],
      [1, 400],
    ]),
    pad: new Map([
      [0, 2000],
      [1, 10],
    ]),
  });
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const large = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 1024, maxBytes: 64 * 1024 });
  const other = new ObservedStage(TOPIC, 1, 0, budget, scheduler, { minFetchBytes: 1024 });
  scheduler.add(other.target);
  scheduler.add(large.target);
  scheduler.start();
  large.ask(1); // one record's worth of demand: far less than its 10 KB batch
  other.ask(400);
  await eventually(() => large.delivered.length === 1 && other.delivered.length === 400, { what: 'both', timeoutMs: 5_000 });
  const asked = askedOf(w, 0);
  const batchSize = (big[0] as Buffer).length;
  assert.ok((asked[0]?.maxBytes ?? Infinity) < batchSize, 'the first ask was smaller than the batch');
  const firstAsk = asked[0]?.maxBytes ?? 0;
  const retry = fetchesSeen(w).find((f) => f.partitions.some((p) => p.partition === 0 && p.maxBytes > firstAsk));
  assert.ok(retry, 'a later Fetch asked for more than the first');
  assert.equal(retry.partitions[0]?.partition, 0, 'the owed partition goes first (where Kafka returns the batch whole)');
  assert.deepEqual(offsets(large), [0]);
});

test('stop() ends a Fetch the broker is holding and returns its reservation', async () => {
  const w = await clusterWorld({ records: new Map([[0, 5]]) });
  w.fake.hold('Fetch'); // the broker sits on the Fetch (a long maxWaitMs); released when the cluster stops
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const t = new ObservedStage(TOPIC, 0, 5, budget, scheduler);
  scheduler.add(t.target);
  scheduler.start();
  t.ask(10);
  await eventually(() => w.fake.requests('Fetch').length >= 1, { what: 'the Fetch at the broker', timeoutMs: 5_000 });
  assert.ok(budget.reservedBytes > 0, 'the held Fetch has a reservation');
  const started = Date.now();
  await scheduler.stop();
  assert.ok(Date.now() - started < 2000, 'stop did not wait for the broker');
  assert.equal(budget.reservedBytes, 0);
});

test('a position moved while its Fetch was out: the stale answer is dropped, the next Fetch asks from the new one', async () => {
  const w = await clusterWorld({ records: new Map([[0, 50]]) });
  const release = w.fake.hold('Fetch');
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const t = new ObservedStage(TOPIC, 0, 20, budget, scheduler);
  scheduler.add(t.target);
  scheduler.start();
  t.ask(10);
  await eventually(() => w.fake.requests('Fetch').length >= 1, { what: 'the Fetch at the broker', timeoutMs: 5_000 });
  t.seek(5); // the user seeks back while the Fetch from 20 is held by the broker
  release();
  await eventually(() => t.delivered.length === 10, { what: '10 records from the new position', timeoutMs: 5_000 });
  assert.deepEqual(offsets(t), range(5, 15), 'nothing from the answer asked for 20');
  const asked = askedOf(w, 0).map((p) => p.fetchOffset);
  assert.deepEqual(asked.slice(0, 2), [20, 5], 'the held Fetch from 20, then one from the new position');
  // A first small ask (the stage has not seen a record yet) may take more than one Fetch to bring 10.
  assert.ok(asked.slice(1).every((o, i, all) => o >= 5 && o < 20 && (i === 0 || o >= (all[i - 1] as number))), `later fetches move forward from 5: ${asked}`);
  assert.equal(budget.reservedBytes, 0);
});

test('a target removed while its Fetch is out gets nothing; the others in the same Fetch do', async () => {
  const w = await clusterWorld({
    records: new Map([
      [0, 50],
      [1, 50],
    ]),
  });
  const release = w.fake.hold('Fetch');
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const gone = new ObservedStage(TOPIC, 0, 0, budget, scheduler);
  const kept = new ObservedStage(TOPIC, 1, 0, budget, scheduler);
  scheduler.add(gone.target);
  scheduler.add(kept.target);
  scheduler.start();
  gone.ask(10);
  kept.ask(10);
  await eventually(() => w.fake.requests('Fetch').length >= 1, { what: 'the Fetch at the broker', timeoutMs: 5_000 });
  scheduler.remove(gone.target);
  release();
  await eventually(() => kept.delivered.length === 10, { what: 'the kept partition', timeoutMs: 5_000 });
  assert.equal(fetchesSeen(w)[0]?.partitions.length, 2, 'both were in the Fetch');
  assert.equal(gone.responses, 0, 'the removed target heard nothing');
  assert.equal(scheduler.stats().targets, 1);
});
