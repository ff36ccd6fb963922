/**
 * `stop()` is bounded (issue 8, defect 6; design.md §3.4): with a subscriber whose handler never
 * returns and ignores its AbortSignal, stop() of a group member and of a standalone consumer must
 * resolve within drainTimeoutMs + 2 s on the real broker, say which handler it gave up on (an
 * `error` event naming the partition), and close the consumer's connections.
 */
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import type { SubscriberFactory } from '../../src/consumer/stage-host.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { KafkaStageError } from '../../src/errors.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers();
// Long enough that waiting for it twice (drain, then subscribers) cannot hide inside the 2 s margin.
const DRAIN_TIMEOUT_MS = 3_000;
const MARGIN_MS = 2_000;
const PARTITIONS = 2;
let admin: Admin;
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers });
  await admin.connect();
});
after(async () => {
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

async function filledTopic(): Promise<string> {
  const topic = uniqueTopic('stop-bounded');
  topics.push(topic);
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const producer = new Producer({ brokers });
  await producer.connect();
  try {
    for (let p = 0; p < PARTITIONS; p++) await producer.sendBatch(topic, Array.from({ length: 50 }, (_, i) => ({ partition: p, value: `${p}:${i}` })));
  } finally {
    await producer.close();
  }
  return topic;
}

/** A subscriber that takes one batch, acks nothing, ignores its signal and never returns. */
function hangingSubscriber(took: Set<number>): SubscriberFactory {
  return async (stage) => {
    await stage.batches({ maxDemand: 10 })[Symbol.asyncIterator]().next();
    took.add(stage.partition);
    await new Promise<never>(() => undefined);
  };
}

/** True when `err` names `topic/partition`: in its message or in its context (one partition or a list). */
function names(err: Error, topic: string, partition: number): boolean {
  if (err.message.includes(`${topic}/${partition}`)) return true;
  if (!(err instanceof KafkaStageError)) return false;
  const ctx = err.context as { topic?: string; partition?: number; partitions?: { topic: string; partition: number }[] };
  if (ctx.topic === topic && ctx.partition === partition) return true;
  return (ctx.partitions ?? []).some((p) => p.topic === topic && p.partition === partition);
}

/**
 * Calls stop() and measures it against the bound. When it does not resolve in time, the consumer's
 * connections are closed behind its back so the file can still end (the test has failed already).
 */
async function timedStop(t: TestContext, consumer: ConsumerGroup | StandaloneConsumer): Promise<number> {
  const started = performance.now();
  const bound = DRAIN_TIMEOUT_MS + MARGIN_MS;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    consumer.stop().then(() => 'stopped' as const),
    new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), bound + 5_000);
    }),
  ]);
  clearTimeout(timer);
  const elapsed = performance.now() - started;
  t.diagnostic(`stop() ${outcome} after ${elapsed.toFixed(0)} ms (bound ${bound} ms)`);
  if (outcome === 'timed out') await (consumer as unknown as { cluster: { close(): Promise<void> } }).cluster.close();
  assert.equal(outcome, 'stopped', `stop() had not resolved ${(bound + 5_000) / 1000} s after it was called`);
  assert.ok(elapsed <= bound, `stop() took ${elapsed.toFixed(0)} ms; drainTimeoutMs is ${DRAIN_TIMEOUT_MS}`);
  return elapsed;
}

/** TCP sockets of this process (the admin client's included). */
function openSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/** After stop(): the consumer's connections are closed (a socket handle goes away on the loop's next close phase). */
async function assertSocketsClosed(before: number): Promise<void> {
  await setImmediate();
  assert.ok(openSockets() <= before, `${openSockets() - before} socket(s) of the stopped consumer still open`);
}

function assertGaveUpOn(errors: Error[], topic: string): void {
  for (let p = 0; p < PARTITIONS; p++) {
    assert.ok(
      errors.some((e) => names(e, topic, p)),
      `an error event names the handler of ${topic}/${p} that stop() gave up on; got: ${errors.map((e) => e.message).join(' | ') || 'none'}`,
    );
  }
}

test('group: stop() with handlers that never return and ignore their signal resolves within drainTimeoutMs + 2 s and names them', { timeout: 60_000 }, async (t) => {
  const topic = await filledTopic();
  const took = new Set<number>();
  const group = new ConsumerGroup(
    { brokers, groupId: uniqueTopic('stop-bounded-g'), topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest', drainTimeoutMs: DRAIN_TIMEOUT_MS },
    hangingSubscriber(took),
  );
  const errors: Error[] = [];
  group.on('error', (e) => errors.push(e));
  const sockets = openSockets();
  await group.start();
  await eventually(() => took.size === PARTITIONS, { what: 'both handlers to take a batch', timeoutMs: 20_000 });
  assert.ok(openSockets() > sockets, 'the consumer has connections open (so the check after stop() means something)');
  await timedStop(t, group);
  assertGaveUpOn(errors, topic);
  await assertSocketsClosed(sockets);
});

test('standalone: stop() with handlers that never return and ignore their signal resolves within drainTimeoutMs + 2 s and names them', { timeout: 60_000 }, async (t) => {
  const topic = await filledTopic();
  const took = new Set<number>();
  const consumer = new StandaloneConsumer(
    { brokers, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0 })), drainTimeoutMs: DRAIN_TIMEOUT_MS },
    hangingSubscriber(took),
  );
  const errors: Error[] = [];
  consumer.on('error', (e) => errors.push(e));
  const sockets = openSockets();
  await consumer.start();
  await eventually(() => took.size === PARTITIONS, { what: 'both handlers to take a batch', timeoutMs: 20_000 });
  assert.ok(openSockets() > sockets, 'the consumer has connections open (so the check after stop() means something)');
  await timedStop(t, consumer);
  assertGaveUpOn(errors, topic);
  await assertSocketsClosed(sockets);
});
