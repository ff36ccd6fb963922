/**
 * Lifecycle of a ConsumerGroup member against a fake broker playing a one-member group (issue #8):
 * a failing assignment (3) — NoOffsetError at start and after it, transient look-up failures
 * retried and reported, then given back —, stop() bounded with a handler that ignores its signal
 * (6), stop() during start() (12), and the signal reason of a stop (13).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import type { ConsumerGroupOptions } from '../../src/consumer/options.js';
import type { AbortedError } from '../../src/errors.js';
import { NoOffsetError } from '../../src/consumer/errors.js';
import { KafkaStageError } from '../../src/errors.js';
import { FakeLogBroker, LOG_TOPIC } from './fake-log-broker.js';
import { trackLibraryTimers } from './library-timers.js';
import { eventually } from '../helpers/eventually.js';

const T = { timeout: 20_000 };
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

async function broker(partitions = 2, records = 200): Promise<FakeLogBroker> {
  const fake = await FakeLogBroker.start({ partitions, records, batchSize: 50 });
  open.push(fake);
  return fake;
}

function options(fake: FakeLogBroker, extra: Partial<ConsumerGroupOptions> = {}): ConsumerGroupOptions {
  return {
    ...fake.cluster(),
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
    fake.committed.set(0, 10);
    const group = new ConsumerGroup(options(fake, { autoOffsetReset: 'none' }), () => undefined);
    const outcome = await within(10_000, group.start().then(() => 'resolved', (err: unknown) => err));
    assert.ok(outcome instanceof NoOffsetError, `start() rejects with NoOffsetError, got ${String(outcome)}`);
    assert.equal(outcome.code, 'ERR_NO_OFFSET');
    assert.deepEqual(outcome.partitions, [{ topic: LOG_TOPIC, partition: 1 }]);
    assert.equal(outcome.context.topic, LOG_TOPIC);
    assert.equal(outcome.context.partition, 1);
    assert.equal(fake.leaves, 1, 'the member left the group, so its partitions can be assigned elsewhere');
    assert.deepEqual(group.assignment(), []);
  });

  it("defect 3: after start, an assignment without a commit under 'none' is an error event (NoOffsetError) and the member gives its partitions back", T, async () => {
    const fake = await broker(1);
    fake.committed.set(0, 0);
    const errors: Error[] = [];
    const group = new ConsumerGroup(options(fake, { autoOffsetReset: 'none' }), () => undefined);
    open.push(group);
    group.on('error', (e) => errors.push(e));
    await group.start();
    assert.deepEqual(group.assignment(), [{ topic: LOG_TOPIC, partition: 0 }]);
    // A partition without a commit appears; the next rebalance assigns it to this member.
    await fake.addPartition(10);
    fake.heartbeatCodes = [27];
    await eventually(() => fake.leaves > 0, { what: 'the member left', timeoutMs: 5_000 });
    const noOffset = errors.find((e) => e instanceof NoOffsetError);
    assert.ok(noOffset instanceof NoOffsetError, `a NoOffsetError event, got ${errors.map((e) => e.message).join('; ')}`);
    assert.deepEqual(noOffset.partitions, [{ topic: LOG_TOPIC, partition: 1 }]);
    assert.ok(!errors.some((e) => e instanceof KafkaStageError && e.code === 'ERR_PROTOCOL'), 'not swallowed into ERR_PROTOCOL');
    await eventually(() => group.assignment().length === 0, { what: 'the stop completed', timeoutMs: 5_000 });
  });

  it('defect 3: committed-offset look-ups failing past their retries are tried again (each failure reported), then the partitions are consumed', T, async () => {
    const fake = await broker(1);
    // retries: 1 → each look-up sends two OffsetFetch requests before it gives up.
    fake.offsetFetchErrors = [14, 14];
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
    fake.offsetFetchErrors = Array.from({ length: 100 }, () => 14);
    const errors: Error[] = [];
    const group = new ConsumerGroup({ ...options(fake), retry: { retries: 1, initialBackoffMs: 5, maxBackoffMs: 10 } }, () => undefined);
    group.on('error', (e) => errors.push(e));
    await assert.rejects(group.start());
    assert.equal(fake.leaves, 1, 'left the group');
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
    let releaseOffsetFetch!: () => void;
    fake.offsetFetchGate = new Promise<void>((resolve) => (releaseOffsetFetch = resolve));
    const timers = trackLibraryTimers();
    try {
      let calls = 0;
      const group = new ConsumerGroup(options(fake), () => {
        calls++;
      });
      const starting = group.start();
      starting.catch(() => undefined);
      await eventually(() => fake.offsetFetches > 0, { what: 'the OffsetFetch of the first assignment', timeoutMs: 5_000 });
      const stopping = group.stop();
      releaseOffsetFetch();
      await stopping;
      await assert.rejects(starting, (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_CLOSED');
      assert.equal(calls, 0);
      assert.deepEqual(group.assignment(), []);
      assert.deepEqual(await timers.live(), [], 'no library timer left');
    } finally {
      timers.disable();
    }
  });

  it('defect 8: release() whose partition is revoked in a rebalance meanwhile starts no zombie stage, and later commits succeed', T, async () => {
    const fake = await broker(2);
    const errors: Error[] = [];
    let took1 = false;
    const group = new ConsumerGroup({ ...options(fake, { commit: { strategy: 'async', intervalMs: 50 } }), metadataMaxAgeMs: 50 }, async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 10 })) {
        if (stage.partition === 1) took1 = true;
        else await stage.ack(batch);
      }
    });
    open.push(group);
    group.on('error', (e) => errors.push(e));
    await group.start();
    await eventually(() => took1, { what: 'partition 1 delivered', timeoutMs: 5_000 });
    // release() of partition 1 parks in its final commit ...
    let openGate!: () => void;
    fake.commitGate = new Promise<void>((resolve) => (openGate = resolve));
    const committedBefore = fake.commitsReceived;
    const released = group.release(LOG_TOPIC, 1);
    await eventually(() => fake.commitsReceived > committedBefore, { what: 'the final commit of the release sent', timeoutMs: 5_000 });
    // ... while the topic shrinks and the leader's rebalance revokes everything (eager).
    fake.removeLastPartition();
    await eventually(() => group.stage(LOG_TOPIC, 0) === undefined, { what: 'the rebalance revoked partition 0', timeoutMs: 5_000 });
    fake.commitGate = null;
    openGate();
    assert.equal(await released, false, 'release() refused: partition 1 was revoked meanwhile');
    await eventually(() => group.stage(LOG_TOPIC, 0) !== undefined, { what: 'partition 0 assigned again', timeoutMs: 5_000 });
    assert.deepEqual(group.assignment(), [{ topic: LOG_TOPIC, partition: 0 }], 'no zombie stage for partition 1');
    await group.commit();
    assert.ok(!errors.some((e) => e instanceof KafkaStageError && e.code === 'ERR_PARTITION_NOT_OWNED'), errors.map((e) => e.message).join('; '));
  });
});
