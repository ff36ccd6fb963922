/**
 * `autoOffsetReset: 'none'` surfaces a typed error instead of jumping (issue 8, defect 3;
 * design.md §3.6): a fresh group has no committed offset, so the member must report a
 * `NoOffsetError` — exported from the package root, `code === 'ERR_NO_OFFSET'`, naming the
 * partition — from start() (ConsumerGroup.start's documented behaviour), never a generic protocol
 * error event while the member silently holds the partition. The standalone consumer with a
 * groupId does the same.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, ConsumerGroup, NoOffsetError, StandaloneConsumer } from '../../src/index.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const brokers = testBrokers();
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

async function topicWithRecords(partitions: number): Promise<string> {
  const topic = uniqueTopic('no-offset');
  topics.push(topic);
  await admin.createTopics([{ topic, partitions }]);
  const producer = new Producer({ brokers });
  await producer.connect();
  try {
    for (let p = 0; p < partitions; p++) await producer.sendBatch(topic, [{ partition: p, value: 'x' }]);
  } finally {
    await producer.close();
  }
  return topic;
}

function assertNoOffset(err: unknown, topic: string, partitions: number[]): void {
  assert.ok(err instanceof NoOffsetError, `expected a NoOffsetError, got ${err instanceof Error ? `${err.name} ${(err as { code?: string }).code ?? ''}: ${err.message}` : String(err)}`);
  assert.equal(err.code, 'ERR_NO_OFFSET');
  const named = err.partitions.filter((p) => p.topic === topic).map((p) => p.partition).sort((a, b) => a - b);
  assert.deepEqual(named, partitions, `the error names the partitions without an offset: ${err.message}`);
  for (const p of partitions) assert.match(err.message, new RegExp(`${topic}/${p}\\b`));
}

test("group, autoOffsetReset 'none', fresh group: start() rejects with NoOffsetError naming the partition and holds nothing", { timeout: 60_000 }, async () => {
  const topic = await topicWithRecords(1);
  let calls = 0;
  const group = new ConsumerGroup({ brokers, groupId: uniqueTopic('no-offset-g'), topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'none' }, () => {
    calls++;
  });
  const errors: Error[] = [];
  group.on('error', (e) => errors.push(e));
  let startError: unknown = null;
  try {
    await group.start();
  } catch (err) {
    startError = err;
  } finally {
    await group.stop();
  }
  // As a Java poll() throws NoOffsetForPartitionException: the failure reaches the caller, typed.
  assert.notEqual(startError, null, `start() resolved; error events: ${errors.map((e) => `${(e as { code?: string }).code ?? e.name}: ${e.message}`).join(' | ') || 'none'}`);
  assertNoOffset(startError, topic, [0]);
  assert.deepEqual(errors.filter((e) => !(e instanceof NoOffsetError)).map(String), [], 'no other error in its place (e.g. a generic ERR_PROTOCOL)');
  assert.equal(calls, 0, 'no subscriber was started for a partition without a start offset');
  assert.deepEqual(group.assignment(), [], 'the member holds no partition');
});

test("standalone with a groupId, autoOffsetReset 'none', nothing committed: start() rejects with NoOffsetError naming every partition", { timeout: 60_000 }, async () => {
  const topic = await topicWithRecords(2);
  const consumer = new StandaloneConsumer(
    { brokers, groupId: uniqueTopic('no-offset-s'), autoOffsetReset: 'none', partitions: [0, 1].map((partition) => ({ topic, partition })) },
    () => undefined,
  );
  let startError: unknown = null;
  try {
    await consumer.start();
  } catch (err) {
    startError = err;
  } finally {
    await consumer.stop();
  }
  assertNoOffset(startError, topic, [0, 1]);
});
