/**
 * Logging against the real broker: a group member joining logs its assignment, a second member
 * joining makes the first log what it gave up and both log their new generation's assignment
 * (info lines, no warning); an `error` event nobody listens to reaches logger.error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { captureLogger as capture, type LogEntry as Entry } from '../helpers/capture-logger.js';
import { useAdmin } from '../helpers/test-admin.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const brokers = testBrokers();
const admin = useAdmin(brokers);

/** `orders:0,1 x:2` back into `orders/0`-style names. */
function names(field: unknown): string[] {
  if (typeof field !== 'string' || field === '') return [];
  return field.split(' ').flatMap((part) => {
    const [topic, list] = part.split(':') as [string, string];
    return list.split(',').map((p) => `${topic}/${p}`);
  });
}

const notWarnings = (e: Entry): boolean => e.level === 'warn' || e.level === 'error';

test('a second member joining: rebalance lines on both members, one generation apart, and no warning', async () => {
  const topic = uniqueTopic('log-rebalance');
  const groupId = uniqueTopic('log-g');
  await admin().createTopics([{ topic, partitions: 4 }]);
  const all = [0, 1, 2, 3].map((p) => `${topic}/${p}`);
  const options = { brokers, groupId, topics: [topic], sessionTimeoutMs: 6_000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 10_000 };
  const subscriber = async (stage: { batches(): AsyncIterable<unknown> }): Promise<void> => {
    for await (const _ of stage.batches()) {
      // nothing is produced
    }
  };
  const logA = capture();
  const logB = capture();
  const a = new ConsumerGroup({ ...options, logger: logA }, subscriber);
  const b = new ConsumerGroup({ ...options, logger: logB }, subscriber);
  try {
    await a.start();
    const first = await logA.next((e) => e.message === 'group partitions assigned', 'A assigned');
    assert.equal(first.level, 'info');
    assert.equal(first.fields?.group, groupId);
    assert.deepEqual(names(first.fields?.assigned).sort(), all);
    assert.equal(first.fields?.leader, true);
    const generation1 = first.fields?.generation as number;

    await b.start();
    const bAssigned = await logB.next((e) => e.message === 'group partitions assigned' && names(e.fields?.assigned).length > 0, 'B assigned');
    const revoked = await logA.next((e) => e.message === 'group partitions revoked', 'A revoked');
    assert.equal(revoked.level, 'info');
    assert.ok(names(revoked.fields?.partitions).length > 0);
    assert.ok((bAssigned.fields?.generation as number) > generation1, inspect(bAssigned));
    assert.equal(bAssigned.fields?.group, groupId);
    // What B was given is what A gave up.
    const revokedNames = names(revoked.fields?.partitions);
    for (const p of names(bAssigned.fields?.assigned)) assert.ok(revokedNames.includes(p), `${p} was not revoked from A`);
    assert.deepEqual([...logA.entries, ...logB.entries].filter(notWarnings), []);
  } finally {
    await b.stop();
    await a.stop();
  }
  // Leaving revokes what each member owned: logged too.
  assert.ok(logB.entries.some((e) => e.message === 'group partitions revoked'));
});

test('an error event nobody listens to goes to logger.error', async () => {
  const topic = uniqueTopic('log-unheard');
  await admin().createTopics([{ topic, partitions: 1 }]);
  const logger = capture();
  let release: () => void = () => undefined;
  const stuck = new Promise<void>((resolve) => (release = resolve));
  // A subscriber that ignores its signal: stop() gives up on it after drainTimeoutMs and reports
  // a SubscriberTimeoutError as an `error` event, which nobody listens to here.
  const consumer = new StandaloneConsumer({ brokers, partitions: [{ topic, partition: 0 }], drainTimeoutMs: 200, logger }, () => stuck);
  try {
    await consumer.start();
    await consumer.stop();
    const line = await logger.next((e) => e.level === 'error', 'the unheard error');
    assert.equal(line.message, "consumer error (no 'error' listener)");
    assert.equal((line.fields?.err as Error & { code?: string }).code, 'ERR_SUBSCRIBER_TIMEOUT');
  } finally {
    release();
  }
});
