/**
 * Lifecycle of a StandaloneConsumer against a fake broker (issue #8): stop() bounded when a
 * subscriber ignores its signal (6), release() re-checking after its awaits (8), explicit commits
 * during the drain under commit 'none' (9), stop() during start() (12), and the merged stream
 * handing out only live batches and taking acks back to the stage that delivered them (13).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { PartitionStage } from '../../src/consumer/types.js';
import type { ConsumerBatch } from '../../src/consumer/types.js';
import { KafkaStageError } from '../../src/errors.js';
import type { FakeKafkaCluster } from '../../src/testing/index.js';
import { clientOptions, logCluster, LOG_TOPIC } from './log-cluster.js';
import { trackLibraryTimers } from './library-timers.js';
import { eventually } from '../helpers/eventually.js';

const T = { timeout: 20_000 };
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

async function broker(partitions = 1, records = 200): Promise<FakeKafkaCluster> {
  const fake = await logCluster({ partitions, records, batchSize: 50 });
  open.push(fake);
  return fake;
}

/** Resolves with what `work` resolved to, or 'timed out' after `ms`: a hung stop() must fail the test, not hang it. */
async function within<T>(ms: number, work: Promise<T>): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('StandaloneConsumer lifecycle (issue #8)', () => {
  it('defect 6: stop() gives up on a subscriber that never returns and ignores its signal, within drainTimeoutMs + margin, and names it', T, async () => {
    const fake = await broker(2);
    const errors: Error[] = [];
    let took = 0;
    const consumer = new StandaloneConsumer(
      { ...clientOptions(fake), partitions: [0, 1].map((partition) => ({ topic: LOG_TOPIC, partition, offset: 0 })), drainTimeoutMs: 300 },
      async (stage) => {
        // Takes one batch, acks nothing, ignores its signal and never returns.
        const it = stage.batches({ maxDemand: 10 });
        await it.next();
        took++;
        await new Promise<never>(() => undefined);
      },
    );
    consumer.on('error', (e) => errors.push(e));
    await consumer.start();
    await eventually(() => took === 2, { what: 'both subscribers took a batch', timeoutMs: 5_000 });
    const started = Date.now();
    const outcome = await within(5_000, consumer.stop());
    const elapsed = Date.now() - started;
    assert.notEqual(outcome, 'timed out', 'stop() resolved');
    assert.ok(elapsed < 300 + 1_000, `stop() took ${elapsed} ms, drainTimeoutMs is 300`);
    const gaveUp = errors.find((e) => e instanceof KafkaStageError && e.code === 'ERR_SUBSCRIBER_TIMEOUT') as KafkaStageError | undefined;
    assert.ok(gaveUp, `an ERR_SUBSCRIBER_TIMEOUT error event, got ${errors.map((e) => e.message).join('; ')}`);
    assert.deepEqual(
      (gaveUp.context.partitions as { topic: string; partition: number }[]).map((p) => `${p.topic}/${p.partition}`).sort(),
      [`${LOG_TOPIC}/0`, `${LOG_TOPIC}/1`],
    );
  });

  it('defect 12: stop() while start() awaits the committed offsets leaves no stage, no subscriber call and no timer', T, async () => {
    const fake = await broker(1);
    const releaseOffsetFetch = fake.hold('OffsetFetch');
    const timers = trackLibraryTimers();
    try {
      let calls = 0;
      const consumer = new StandaloneConsumer(
        { ...clientOptions(fake), groupId: 'g', autoOffsetReset: 'earliest', partitions: [{ topic: LOG_TOPIC, partition: 0 }] },
        () => {
          calls++;
        },
      );
      const starting = consumer.start();
      starting.catch(() => undefined);
      await eventually(() => fake.requests('OffsetFetch').length > 0, { what: 'the OffsetFetch of start()', timeoutMs: 5_000 });
      const stopping = consumer.stop();
      releaseOffsetFetch();
      await stopping;
      await assert.rejects(starting, (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_CLOSED');
      assert.equal(calls, 0, 'no subscriber call after stop()');
      assert.deepEqual(consumer.assignment(), [], 'no stage');
      assert.equal(consumer.stage(LOG_TOPIC, 0), undefined);
      assert.deepEqual(await timers.live(), [], 'no library timer left');
    } finally {
      timers.disable();
    }
  });

  it('defect 12: stop() called right after start() (during connect) leaves no stage, no subscriber call and no timer', T, async () => {
    const fake = await broker(1);
    const timers = trackLibraryTimers();
    try {
      let calls = 0;
      const consumer = new StandaloneConsumer({ ...clientOptions(fake), partitions: [{ topic: LOG_TOPIC, partition: 0, offset: 0 }] }, () => {
        calls++;
      });
      const starting = consumer.start();
      starting.catch(() => undefined);
      await consumer.stop();
      await starting.catch(() => undefined);
      assert.equal(calls, 0, 'no subscriber call after stop()');
      assert.deepEqual(consumer.assignment(), []);
      assert.deepEqual(await timers.live(), [], 'no library timer left');
    } finally {
      timers.disable();
    }
  });

  it('defect 8: release() racing stop() resolves false and starts no new stage or subscriber', T, async () => {
    const fake = await broker(1);
    let calls = 0;
    let took = false;
    const consumer = new StandaloneConsumer({ ...clientOptions(fake), partitions: [{ topic: LOG_TOPIC, partition: 0, offset: 0 }], drainTimeoutMs: 200 }, async (stage) => {
      calls++;
      for await (const batch of stage.batches({ maxDemand: 10 })) {
        took = true;
        void batch; // held, never acked: release() has something to restart from
      }
    });
    await consumer.start();
    await eventually(() => took, { what: 'a batch taken', timeoutMs: 5_000 });
    const released = consumer.release(LOG_TOPIC, 0);
    await consumer.stop();
    assert.equal(await released, false, 'release() refused: the consumer stopped');
    assert.equal(calls, 1, 'no subscriber call after stop()');
    assert.deepEqual(consumer.assignment(), []);
  });

  it("defect 9: under commit 'none', an explicit commit() during the stop drain is sent, not refused", T, async () => {
    const fake = await broker(1);
    let batch: ConsumerBatch | null = null;
    let stageSeen: PartitionStage | null = null;
    const consumer = new StandaloneConsumer(
      { ...clientOptions(fake), groupId: 'g', commit: { strategy: 'none' }, drainTimeoutMs: 3_000, partitions: [{ topic: LOG_TOPIC, partition: 0, offset: 0 }] },
      async (stage) => {
        stageSeen = stage;
        const it = stage.batches({ maxDemand: 10 });
        batch = (await it.next()).value ?? null;
      },
    );
    await consumer.start();
    await eventually(() => batch !== null, { what: 'a batch taken', timeoutMs: 5_000 });
    const b = batch as unknown as ConsumerBatch;
    let committed: Promise<void> | null = null;
    (stageSeen as unknown as PartitionStage).signal.addEventListener('abort', () => {
      // The work on `b` finished during the drain: commit it explicitly, then ack it.
      committed = consumer.commit({ topic: LOG_TOPIC, partition: 0, offset: b.lastOffset + 1 });
      committed.catch(() => undefined);
      void consumer.ack(b);
    });
    await consumer.stop();
    await (committed as unknown as Promise<void>);
    assert.equal(fake.committed('g', LOG_TOPIC, 0), b.lastOffset + 1);
  });

  it('defect 13: a merged-stream batch queued when its partition is released is not handed out; the next comes from the new stage', T, async () => {
    const fake = await broker(1);
    const consumer = new StandaloneConsumer({ ...clientOptions(fake), partitions: [{ topic: LOG_TOPIC, partition: 0, offset: 0 }], drainTimeoutMs: 200 });
    open.push(consumer);
    await consumer.start();
    const stream = consumer.stream({ maxDemand: 50, minDemand: 0 });
    const first = (await stream.next()).value as ConsumerBatch;
    assert.equal(first.firstOffset, 0);
    // The pipe has taken the next batch from the stage and queued it in the merged channel.
    await eventually(() => (consumer.stage(LOG_TOPIC, 0)?.stats().deliveredOffset ?? 0) > first.lastOffset + 1, { what: 'a second batch queued', timeoutMs: 5_000 });
    assert.equal(await consumer.release(LOG_TOPIC, 0), true);
    const next = (await stream.next()).value as ConsumerBatch;
    assert.equal(next.firstOffset, 0, `the old stage's queued batch (from ${first.lastOffset + 1}) must not be handed out`);
    // Acking the old batch must not touch the new stage, which delivered the same offsets afresh.
    await consumer.ack(first);
    const stats = consumer.stage(LOG_TOPIC, 0)?.stats();
    assert.equal(stats?.ackedOffset, 0, 'the old batch acked nothing on the new stage');
    await consumer.ack(next);
    assert.equal(consumer.stage(LOG_TOPIC, 0)?.stats().ackedOffset, next.lastOffset + 1);
  });

  it('defect 13: stop() does not wait the drain timeout for a merged-stream batch that was never handed out', T, async () => {
    const fake = await broker(1);
    const consumer = new StandaloneConsumer({ ...clientOptions(fake), partitions: [{ topic: LOG_TOPIC, partition: 0, offset: 0 }], drainTimeoutMs: 10_000 });
    await consumer.start();
    const stream = consumer.stream({ maxDemand: 50, minDemand: 0 });
    const first = (await stream.next()).value as ConsumerBatch;
    await eventually(() => (consumer.stage(LOG_TOPIC, 0)?.stats().deliveredOffset ?? 0) > first.lastOffset + 1, { what: 'a second batch queued', timeoutMs: 5_000 });
    await consumer.ack(first);
    const started = Date.now();
    const outcome = await within(5_000, consumer.stop());
    assert.notEqual(outcome, 'timed out');
    assert.ok(Date.now() - started < 2_000, `stop() took ${Date.now() - started} ms with everything handed out acked`);
    assert.equal((await stream.next()).done, true, 'the stream ends without the queued batch');
  });
});
