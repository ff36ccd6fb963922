/**
 * The fetch scheduler against the real broker, with real partition stages (ObservedStage: a real
 * PartitionStage, real ByteBudget, a CommitSink stub that records acks) on records our producer wrote: order and completeness, the demand rule at the scheduler level (a satisfied or
 * full partition gets no Fetch while another keeps flowing) and the memory budget.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { FETCH_CHANNEL, FetchScheduler, type FetchSentEvent } from '../../src/consumer/fetch-scheduler.js';
import { REQUEST_CHANNEL } from '../../src/network/request-report.js';
import type { RequestEvent } from '../../src/network/connection-options.js';
import { Producer, type RecordMetadata } from '../../src/producer/producer.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { ObservedStage } from '../consumer/fetch-scheduler-stages.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers();
const PARTITIONS = 3;
const PER_PARTITION = 4000;
const topic = uniqueTopic('sched');
let admin: Admin;
/** Value of each record by partition and offset, from the producer's acknowledgements. */
const expected = new Map<number, string[]>();
/** Largest batch the producer may have written (its batchSize): the one-batch slack of the budget rule. */
const BATCH_SIZE = 16 * 1024;

before(async () => {
  admin = new Admin({ brokers });
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const producer = new Producer({ brokers, lingerMs: 5, batchSize: BATCH_SIZE, compression: 'lz4' });
  try {
    const records: { partition: number; value: string }[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      // Hex noise compresses about 2:1, as real payloads do; repeated letters would compress 50:1.
      for (let i = 0; i < PER_PARTITION; i++) records.push({ partition: p, value: `p${p}-${i}-${randomBytes(50).toString('hex')}`.slice(0, 100) });
    }
    const sent: RecordMetadata[] = await producer.sendBatch(topic, records);
    sent.forEach((m, i) => {
      const list = expected.get(m.partition) ?? [];
      list[m.offset] = records[i]?.value as string;
      expected.set(m.partition, list);
    });
  } finally {
    await producer.close();
  }
});

after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

/** A scheduler on its own cluster client; `close()` stops both. */
function setUp(budgetBytes: number, errors: Error[] = []) {
  const cluster = new Cluster({ brokers });
  const budget = new ByteBudget(budgetBytes);
  const scheduler = new FetchScheduler({
    cluster,
    budget,
    options: { maxWaitMs: 100, minBytes: 1, minPartitionBytes: 16 * 1024, isolationLevel: 'read_uncommitted', verifyCrc: true, maxBytesPerPartition: 1024 * 1024 },
    onOffsetOutOfRange: (_t, info) => {
      errors.push(new Error(`unexpected OFFSET_OUT_OF_RANGE at ${info.offset}`));
    },
    onError: (err) => errors.push(err),
  });
  const close = async (): Promise<void> => {
    await scheduler.stop();
    await cluster.close();
  };
  return { cluster, budget, scheduler, close };
}

/** Records each Fetch the scheduler sends (partitions included) and each Fetch request that settles on the wire. */
function watchFetches() {
  const sent: FetchSentEvent[] = [];
  let onWire = 0;
  const onSent = (m: unknown): void => {
    sent.push(m as FetchSentEvent);
  };
  const onRequest = (m: unknown): void => {
    if ((m as RequestEvent).api === 'Fetch') onWire++;
  };
  subscribe(FETCH_CHANNEL, onSent);
  subscribe(REQUEST_CHANNEL, onRequest);
  return {
    sent,
    get onWire() {
      return onWire;
    },
    including: (partition: number) => sent.filter((f) => f.partitions.some((p) => p.partition === partition)).length,
    stop: () => {
      unsubscribe(FETCH_CHANNEL, onSent);
      unsubscribe(REQUEST_CHANNEL, onRequest);
    },
  };
}

test('every partition arrives complete and in order through one Fetch per broker', async () => {
  const errors: Error[] = [];
  const { budget, scheduler, close } = setUp(8 * 1024 * 1024, errors);
  const watch = watchFetches();
  try {
    const targets = Array.from({ length: PARTITIONS }, (_, p) => new ObservedStage(topic, p, 0, budget, scheduler, { maxRecords: 500, maxBytes: 64 * 1024 }));
    for (const t of targets) scheduler.add(t.target);
    scheduler.start();
    for (const t of targets) t.ask(PER_PARTITION);
    await eventually(() => targets.every((t) => t.delivered.length === PER_PARTITION), { what: 'every record', timeoutMs: 30_000 });
    for (const t of targets) {
      const want = expected.get(t.partition) as string[];
      assert.equal(t.delivered.length, want.length, `partition ${t.partition} count`);
      t.delivered.forEach((r, i) => {
        if (r.offset !== i || r.value?.toString() !== want[i]) assert.fail(`partition ${t.partition}: record ${i} is offset ${r.offset}, ${r.value?.toString()}`);
      });
      assert.deepEqual(t.errors, [], `no errors for partition ${t.partition}`);
      assert.equal(t.ackedCount, PER_PARTITION, `every record of partition ${t.partition} acked`);
    }
    assert.deepEqual(errors, []);
    assert.ok(watch.sent.length > 3, `bounded buffers took several Fetches (${watch.sent.length})`);
    const multi = watch.sent.filter((f) => f.partitions.length > 1).length;
    assert.ok(multi > watch.sent.length / 2, `most Fetches covered several partitions (${multi} of ${watch.sent.length})`);
    assert.equal(scheduler.stats().fetches, watch.sent.length);
  } finally {
    watch.stop();
    await close();
  }
});

test('demand: a partition asked for 10 gets exactly 10 and then no Fetch, while another keeps flowing', async () => {
  const { budget, scheduler, close } = setUp(8 * 1024 * 1024);
  const watch = watchFetches();
  const bound = { maxRecords: 300, maxBytes: 48 * 1024 };
  try {
    const ten = new ObservedStage(topic, 0, 0, budget, scheduler, bound);
    const flowing = new ObservedStage(topic, 1, 0, budget, scheduler, { ...bound, minFetchBytes: 4096 });
    scheduler.add(ten.target);
    scheduler.add(flowing.target);
    scheduler.start();
    ten.ask(10);
    flowing.ask(PER_PARTITION);
    await eventually(() => ten.delivered.length === 10, { what: '10 records', timeoutMs: 10_000 });
    await eventually(() => flowing.delivered.length >= 200, { what: 'the flowing partition started', timeoutMs: 10_000 });
    const fetchesOfTen = watch.including(0);
    const fetchesOfFlowing = watch.including(1);
    await eventually(() => flowing.delivered.length === PER_PARTITION, { what: 'the flowing partition drained', timeoutMs: 30_000 });
    assert.ok(watch.including(1) - fetchesOfFlowing >= 5, `the flowing partition kept being fetched (${watch.including(1) - fetchesOfFlowing} more)`);
    assert.equal(watch.including(0), fetchesOfTen, 'no Fetch included the satisfied partition since');
    assert.deepEqual(
      ten.delivered.map((r) => r.offset),
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.ok(ten.bufferedRecords <= bound.maxRecords, `its buffer stayed within the bound (${ten.bufferedRecords})`);
    assert.ok(watch.onWire >= watch.sent.length, 'the wire saw every Fetch');
  } finally {
    watch.stop();
    await close();
  }
});

test('a stalled subscriber: its buffer fills to the bound, then it is left out of every Fetch; the others flow', async () => {
  const { budget, scheduler, close } = setUp(8 * 1024 * 1024);
  const watch = watchFetches();
  const bound = { maxRecords: 400, maxBytes: 32 * 1024, minFetchBytes: 8 * 1024 };
  try {
    // Asks, takes nothing until told: demand outstanding, buffer filling.
    const stalled = new ObservedStage(topic, 0, 0, budget, scheduler, bound, { taking: false });
    const flowing = new ObservedStage(topic, 2, 0, budget, scheduler, bound);
    scheduler.add(stalled.target);
    scheduler.add(flowing.target);
    scheduler.start();
    stalled.ask(PER_PARTITION);
    flowing.ask(PER_PARTITION);
    await eventually(() => stalled.isFull, { what: 'the stalled buffer to fill', timeoutMs: 10_000 });
    const fetchesOfStalled = watch.including(0);
    const held = stalled.stats().bufferedBytes;
    await eventually(() => flowing.delivered.length === PER_PARTITION, { what: 'the flowing partition drained', timeoutMs: 30_000 });
    assert.equal(watch.including(0), fetchesOfStalled, 'no Fetch for the full partition');
    assert.ok(watch.including(2) > fetchesOfStalled, 'the other partition kept being fetched');
    assert.equal(stalled.stats().bufferedBytes, held);
    // A Fetch may overshoot the room by what one response brought: at most the size it asked for plus one batch.
    assert.ok(held <= bound.maxBytes + BATCH_SIZE * 2, `buffer ${held} B within the bound plus a batch`);
    assert.equal(stalled.delivered.length, 0);
    stalled.setTaking(); // the subscriber resumes: the partition is fetched again
    await eventually(() => stalled.delivered.length === PER_PARTITION, { what: 'the stalled partition after resuming', timeoutMs: 30_000 });
    assert.deepEqual(
      stalled.delivered.map((r) => r.offset),
      Array.from({ length: PER_PARTITION }, (_, i) => i),
    );
  } finally {
    watch.stop();
    await close();
  }
});

test('the byte budget holds: held plus reserved never passes the limit by more than one batch', async () => {
  // A share per partition (limit / 3) several batches large: a stalled partition holds at most its
  // share plus one batch, so what is left always fits a batch of the partition that flows.
  const limit = 256 * 1024;
  const { budget, scheduler, close } = setUp(limit);
  const watch = watchFetches();
  let worst = 0;
  const sample = (): void => {
    worst = Math.max(worst, budget.heldBytes + budget.reservedBytes);
  };
  const onSent = (): void => sample();
  subscribe(FETCH_CHANNEL, onSent);
  try {
    // Stalled subscribers with buffers bigger than the budget: only the budget stops the fetching.
    const targets = Array.from(
      { length: PARTITIONS },
      (_, p) => new ObservedStage(topic, p, 0, budget, scheduler, { maxRecords: 100_000, maxBytes: 1024 * 1024, minFetchBytes: 16 * 1024 }, { taking: false }),
    );
    for (const t of targets) {
      t.afterFetched = sample;
      scheduler.add(t.target);
      t.ask(PER_PARTITION);
    }
    scheduler.start();
    // Fetching stops short of the limit: when the room left is smaller than the next batch, that
    // batch waits for room rather than overshooting (or exactly at it).
    await eventually(() => budget.heldBytes >= limit * 0.6 && budget.reservedBytes === 0, { what: 'the budget to be mostly held', timeoutMs: 10_000 });
    assert.ok(
      targets.every((t) => t.bufferedRecords > 0),
      `every partition got a share (${targets.map((t) => t.stats().bufferedBytes).join(', ')} B)`,
    );
    const fetches = watch.sent.length;
    // Records leave partition 0 once its subscriber takes: the freed budget brings more Fetches.
    targets[0]?.setTaking();
    await eventually(() => (targets[0]?.delivered.length ?? 0) === PER_PARTITION, { what: 'partition 0 once it takes', timeoutMs: 30_000 });
    assert.ok(watch.sent.length > fetches, 'records leaving freed budget for more Fetches');
    assert.ok(worst <= limit + BATCH_SIZE * 2, `held + reserved peaked at ${worst} B for a ${limit} B budget`);
    assert.ok(worst >= limit * 0.6, `the budget was used (${worst} B)`);
  } finally {
    unsubscribe(FETCH_CHANNEL, onSent);
    watch.stop();
    await close();
  }
});
