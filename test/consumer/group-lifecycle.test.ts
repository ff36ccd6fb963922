/**
 * Lifecycle of a ConsumerGroup member against FakeKafkaCluster, a one-member group (issue #8):
 * a failing assignment (3) — NoOffsetError at start and after it, transient look-up failures
 * retried and reported, then given back —, stop() bounded with a handler that ignores its signal
 * (6), stop() during start() (12), and the signal reason of a stop (13). Defect 8 needs a topic
 * that loses a partition, which no broker does: group-lifecycle-shrink.test.ts keeps it scripted.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import type { ConsumerGroupOptions } from '../../src/consumer/options.js';
import type { AbortedError } from '../../src/errors.js';
import { NoOffsetError } from '../../src/consumer/errors.js';
import { KafkaStageError } from '../../src/errors.js';
import { Admin } from '../../src/admin/admin.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { roundTrip } from '../testing/wire.js';
import { trackLibraryTimers } from './library-timers.js';
import { eventually } from '../helpers/eventually.js';

const T = { timeout: 20_000 };
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

const LOG_TOPIC = 'lifecycle';
const BATCH = 50;

/** Writes `records` records to the partition, in batches of 50, as a producer would. */
async function fill(fake: FakeKafkaCluster, partition: number, records: number): Promise<void> {
  for (let base = 0; base < records; base += BATCH) {
    const values = Array.from({ length: Math.min(BATCH, records - base) }, (_, i) => ({ value: `p${partition}-${base + i}`, timestamp: 1_700_000_000_000 + base + i }));
    const batch = await encodeRecordBatch({ records: values, compression: 'none' });
    const topicData = [{ name: LOG_TOPIC, topicId: fake.topicId(LOG_TOPIC), partitionData: [{ index: partition, records: batch }] }];
    const answer = await roundTrip(fake.bootstrap[0] as string, Produce, 9, { acks: -1, timeoutMs: 1_000, topicData });
    assert.equal(answer?.responses[0]?.partitionResponses[0]?.errorCode, 0, 'written');
  }
}

/** Commits `offset` for the partition as group `g`, before any member joins (an admin's commit). */
async function commit(fake: FakeKafkaCluster, partition: number, offset: number): Promise<void> {
  const partitions = [{ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: '' }];
  const answer = await roundTrip(fake.bootstrap[0] as string, OffsetCommit, 7, { groupId: 'g', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, topics: [{ name: LOG_TOPIC, partitions }] });
  assert.equal(answer?.topics[0]?.partitions[0]?.errorCode, 0, 'committed');
}

/** A cluster with topic `lifecycle` of `partitions` partitions, each holding `records` records. */
async function broker(partitions = 2, records = 200): Promise<FakeKafkaCluster> {
  const fake = await FakeKafkaCluster.start({ topics: [{ topic: LOG_TOPIC, partitions }] });
  open.push(fake);
  for (let p = 0; p < partitions; p++) await fill(fake, p, records);
  return fake;
}

/** LeaveGroup requests the cluster received. */
const leaves = (fake: FakeKafkaCluster): number => fake.requests('LeaveGroup').length;

function options(fake: FakeKafkaCluster, extra: Partial<ConsumerGroupOptions> = {}): ConsumerGroupOptions {
  return {
    brokers: fake.bootstrap,
    retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
    requestTimeoutMs: 5_000,
    groupId: 'g',
    topics: [LOG_TOPIC],
    assignors: ['range'],
    heartbeatIntervalMs: 20,
    sessionTimeoutMs: 6_000,
    autoOffsetReset: 'earliest',
    ...extra,
  };
}

async function within<T>(ms: number, work: Promise<T>): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('ConsumerGroup lifecycle (issue #8)', () => {
  it("defect 3: autoOffsetReset 'none' without a commit: start() rejects with NoOffsetError naming the partitions, and the member leaves", T, async () => {
    const fake = await broker(2);
    await commit(fake, 0, 10);
    const group = new ConsumerGroup(options(fake, { autoOffsetReset: 'none' }), () => undefined);
    const outcome = await within(10_000, group.start().then(() => 'resolved', (err: unknown) => err));
    assert.ok(outcome instanceof NoOffsetError, `start() rejects with NoOffsetError, got ${String(outcome)}`);
    assert.equal(outcome.code, 'ERR_NO_OFFSET');
    assert.deepEqual(outcome.partitions, [{ topic: LOG_TOPIC, partition: 1 }]);
    assert.equal(outcome.context.topic, LOG_TOPIC);
    assert.equal(outcome.context.partition, 1);
    assert.equal(leaves(fake), 1, 'the member left the group, so its partitions can be assigned elsewhere');
    assert.deepEqual(group.assignment(), []);
  });

  it("defect 3: after start, an assignment without a commit under 'none' is an error event (NoOffsetError) and the member gives its partitions back", T, async () => {
    const fake = await broker(1);
    await commit(fake, 0, 0);
    const errors: Error[] = [];
    const group = new ConsumerGroup(options(fake, { autoOffsetReset: 'none' }), () => undefined);
    open.push(group);
    group.on('error', (e) => errors.push(e));
    await group.start();
    assert.deepEqual(group.assignment(), [{ topic: LOG_TOPIC, partition: 0 }]);
    // A partition without a commit appears; the next rebalance assigns it to this member.
    const admin = new Admin({ brokers: fake.bootstrap });
    open.push({ stop: () => admin.close() });
    await admin.createPartitions([{ topic: LOG_TOPIC, count: 2 }]);
    await fill(fake, 1, 10);
    fake.fail('Heartbeat', 'REBALANCE_IN_PROGRESS');
    await eventually(() => leaves(fake) > 0, { what: 'the member left', timeoutMs: 5_000 });
    const noOffset = errors.find((e) => e instanceof NoOffsetError);
    assert.ok(noOffset instanceof NoOffsetError, `a NoOffsetError event, got ${errors.map((e) => e.message).join('; ')}`);
    assert.deepEqual(noOffset.partitions, [{ topic: LOG_TOPIC, partition: 1 }]);
    assert.ok(!errors.some((e) => e instanceof KafkaStageError && e.code === 'ERR_PROTOCOL'), 'not swallowed into ERR_PROTOCOL');
    await eventually(() => group.assignment().length === 0, { what: 'the stop completed', timeoutMs: 5_000 });
  });

  it('defect 3: committed-offset look-ups failing past their retries are tried again (each failure reported), then the partitions are consumed', T, async () => {
    const fake = await broker(1);
    // retries: 1 → each look-up sends two OffsetFetch requests before it gives up.
    fake.fail('OffsetFetch', 'COORDINATOR_LOAD_IN_PROGRESS', { times: 2 });
    const errors: Error[] = [];
    const group = new ConsumerGroup({ ...options(fake), retry: { retries: 1, initialBackoffMs: 5, maxBackoffMs: 10 } }, () => undefined);
    open.push(group);
    group.on('error', (e) => errors.push(e));
    await group.start();
    assert.deepEqual(group.assignment(), [{ topic: LOG_TOPIC, partition: 0 }], 'consumed after the second attempt');
    assert.equal(errors.length, 1, `one failed attempt reported, got ${errors.map((e) => e.message).join('; ')}`);
    assert.equal((errors[0] as KafkaStageError).context.partition, 0);
  });

  it('defect 3: committed-offset look-ups that keep failing give the partitions back: start() rejects and the member leaves', T, async () => {
    const fake = await broker(1);
    fake.fail('OffsetFetch', 'COORDINATOR_LOAD_IN_PROGRESS', { times: 100 });
    const errors: Error[] = [];
    const group = new ConsumerGroup({ ...options(fake), retry: { retries: 1, initialBackoffMs: 5, maxBackoffMs: 10 } }, () => undefined);
    group.on('error', (e) => errors.push(e));
    await assert.rejects(group.start());
    assert.equal(leaves(fake), 1, 'left the group');
    assert.equal(errors.length, 2, 'the two failed attempts before the last were reported');
  });

  it('defect 6: stop() with a subscriber that never returns and ignores its signal resolves within drainTimeoutMs + margin and names it', T, async () => {
    const fake = await broker(2);
    const errors: Error[] = [];
    let took = 0;
    const group = new ConsumerGroup(options(fake, { drainTimeoutMs: 300 }), async (stage) => {
      await stage.batches({ maxDemand: 10 }).next();
      took++;
      await new Promise<never>(() => undefined);
    });
    group.on('error', (e) => errors.push(e));
    await group.start();
    await eventually(() => took === 2, { what: 'both subscribers took a batch', timeoutMs: 5_000 });
    const started = Date.now();
    const outcome = await within(5_000, group.stop());
    const elapsed = Date.now() - started;
    assert.notEqual(outcome, 'timed out', 'stop() resolved');
    assert.ok(elapsed < 300 + 1_000, `stop() took ${elapsed} ms, drainTimeoutMs is 300`);
    const gaveUp = errors.find((e) => e instanceof KafkaStageError && e.code === 'ERR_SUBSCRIBER_TIMEOUT') as KafkaStageError | undefined;
    assert.ok(gaveUp, 'an ERR_SUBSCRIBER_TIMEOUT error event');
    assert.equal((gaveUp.context.partitions as unknown[]).length, 2);
  });

  it("defect 13: a group stop() aborts subscriber signals with reason 'stopped', not 'revoked'", T, async () => {
    const fake = await broker(1);
    const reasons: unknown[] = [];
    const group = new ConsumerGroup(options(fake), (stage, { signal }) => {
      signal.addEventListener('abort', () => reasons.push((signal.reason as AbortedError).context.reason));
    });
    await group.start();
    await group.stop();
    assert.deepEqual(reasons, ['stopped']);
  });

  it('defect 12: stop() right after start() (while connecting) rejects start() and leaves no stage, no subscriber call, no timer', T, async () => {
    const fake = await broker(1);
    const timers = trackLibraryTimers();
    try {
      let calls = 0;
      const group = new ConsumerGroup(options(fake), () => {
        calls++;
      });
      const starting = group.start();
      starting.catch(() => undefined);
      await group.stop();
      await assert.rejects(starting, (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_CLOSED');
      assert.equal(calls, 0);
      assert.deepEqual(group.assignment(), []);
      assert.deepEqual(await timers.live(), [], 'no library timer left');
    } finally {
      timers.disable();
    }
  });

  it('defect 12: stop() while start() looks up committed offsets leaves no stage, no subscriber call, no timer', T, async () => {
    const fake = await broker(1);
    // The broker answers the first OffsetFetch only after the stop below began.
    fake.delay('OffsetFetch', 300, { times: 1 });
    const timers = trackLibraryTimers();
    try {
      let calls = 0;
      const group = new ConsumerGroup(options(fake), () => {
        calls++;
      });
      const starting = group.start();
      starting.catch(() => undefined);
      await eventually(() => fake.requests('OffsetFetch').length > 0, { what: 'the OffsetFetch of the first assignment', timeoutMs: 5_000 });
      await group.stop();
      await assert.rejects(starting, (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_CLOSED');
      assert.equal(calls, 0);
      assert.deepEqual(group.assignment(), []);
      assert.deepEqual(await timers.live(), [], 'no library timer left');
    } finally {
      timers.disable();
    }
  });
});
