/**
 * A group subscribed to a topic that does not exist yet (the test broker runs with
 * auto.create.topics.enable=false): one warning at once, short look-ups until the topic appears,
 * then its records are consumed and committed well before metadataMaxAgeMs would have noticed it.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { Logger, LogFields } from '../../src/logger.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';
import { useAdmin } from '../helpers/test-admin.js';

const brokers = testBrokers();
const admin = useAdmin(brokers);

/** A logger keeping its warnings. */
function recordingLogger(): { logger: Logger; warnings: { message: string; fields: LogFields | undefined }[] } {
  const warnings: { message: string; fields: LogFields | undefined }[] = [];
  const ignore = (): void => undefined;
  return { warnings, logger: { debug: ignore, info: ignore, error: ignore, warn: (message, fields) => warnings.push({ message, fields }) } };
}

test('a subscribed topic created after the group started: one warning, then consumed and committed without waiting for metadataMaxAgeMs', async () => {
  const metadataMaxAgeMs = 60_000;
  const present = uniqueTopic('mt-present');
  const missing = uniqueTopic('mt-missing');
  const groupId = uniqueTopic('mt-g');
  await admin().createTopics([{ topic: present, partitions: 1 }]);
  const producer = new Producer({ brokers, lingerMs: 1 });
  await producer.connect();
  await producer.send(present, { partition: 0, value: 'present-0' });

  const { logger, warnings } = recordingLogger();
  const seen = new Map<string, string[]>();
  const group = new ConsumerGroup(
    { brokers, groupId, topics: [present, missing], logger, metadataMaxAgeMs, autoOffsetReset: 'earliest', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 },
    async (stage) => {
      for await (const batch of stage.batches()) {
        const key = `${stage.topic}/${stage.partition}`;
        seen.set(key, [...(seen.get(key) ?? []), ...batch.records.map((r) => r.value?.toString() ?? '')]);
        await stage.ack(batch);
      }
    },
  );
  try {
    await group.start();
    // At once: the leader's first assignment already found the topic missing.
    const missingWarnings = (): typeof warnings => warnings.filter((w) => w.fields?.topic === missing);
    assert.equal(missingWarnings().length, 1, JSON.stringify(warnings));
    assert.equal(missingWarnings()[0]?.fields?.group, groupId);
    assert.ok(warnings.every((w) => w.fields?.topic !== present), 'the existing topic is not warned about');
    // The topic that exists is consumed meanwhile.
    await eventually(() => (seen.get(`${present}/0`)?.length ?? 0) === 1, { what: 'the existing topic to be consumed', timeoutMs: 20_000 });

    await sleep(5_000); // the group keeps looking (1 s, 2 s, 4 s …) and stays quiet meanwhile
    await admin().createTopics([{ topic: missing, partitions: 2 }]);
    const created = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let p = 0; p < 2; p++) for (let i = 0; i < 5; i++) sends.push(producer.send(missing, { partition: p, value: `m${p}-${i}` }));
    await Promise.all(sends);

    // Well below metadataMaxAgeMs: a wait that long would time out here.
    await eventually(() => (seen.get(`${missing}/0`)?.length ?? 0) === 5 && (seen.get(`${missing}/1`)?.length ?? 0) === 5, { what: 'the new topic to be consumed', timeoutMs: metadataMaxAgeMs / 2 });
    const tookMs = Date.now() - created;
    assert.ok(tookMs < metadataMaxAgeMs, `consumed ${tookMs} ms after creation`);
    assert.deepEqual(seen.get(`${missing}/0`), ['m0-0', 'm0-1', 'm0-2', 'm0-3', 'm0-4']);
    assert.deepEqual(seen.get(`${missing}/1`), ['m1-0', 'm1-1', 'm1-2', 'm1-3', 'm1-4']);
    assert.equal(missingWarnings().length, 1, 'warned once, not at every look-up');
  } finally {
    await group.stop();
    await producer.close();
  }
  const committed = await admin().fetchGroupOffsets(groupId, [missing]);
  assert.deepEqual(
    committed.map((c) => [c.partition, c.offset]).sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0)),
    [
      [0, 5],
      [1, 5],
    ],
  );
});

test('a standalone consumer of a topic that does not exist yet: start() resolves with one warning, the partition starts once the topic exists', async () => {
  const missing = uniqueTopic('mt-standalone');
  const { logger, warnings } = recordingLogger();
  const values: string[] = [];
  const consumer = new StandaloneConsumer({ brokers, partitions: [{ topic: missing, partition: 1 }], logger, autoOffsetReset: 'earliest' }, async (stage) => {
    for await (const batch of stage.batches()) {
      values.push(...batch.records.map((r) => `${stage.partition}:${r.value?.toString() ?? ''}`));
      await stage.ack(batch);
    }
  });
  const producer = new Producer({ brokers, lingerMs: 1 });
  try {
    await consumer.start();
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]?.fields?.topic, missing);
    await admin().createTopics([{ topic: missing, partitions: 2 }]);
    await producer.connect();
    await Promise.all([0, 1, 2].map((i) => producer.send(missing, { partition: 1, value: `v${i}` })));
    await producer.send(missing, { partition: 0, value: 'not asked for' });
    await eventually(() => values.length === 3, { what: 'partition 1 to be consumed', timeoutMs: 30_000 });
    assert.deepEqual(values, ['1:v0', '1:v1', '1:v2']);
    assert.equal(warnings.length, 1);
  } finally {
    await consumer.stop();
    await producer.close();
  }
});

test('a producer sending to a topic that does not exist yet: one warning, and the sends succeed once the topic is created', async () => {
  const missing = uniqueTopic('mt-produce');
  const { logger, warnings } = recordingLogger();
  const producer = new Producer({ brokers, logger, lingerMs: 1 });
  try {
    await producer.connect();
    const sends = [0, 1, 2].map((i) => producer.send(missing, { partition: 0, value: `v${i}` }));
    await eventually(() => warnings.length > 0, { what: 'the missing-topic warning', timeoutMs: 10_000 });
    assert.equal(warnings[0]?.fields?.topic, missing);
    await admin().createTopics([{ topic: missing, partitions: 1 }]);
    const sent = await Promise.all(sends);
    assert.deepEqual(
      sent.map((m) => m.offset),
      [0, 1, 2],
    );
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
  } finally {
    await producer.close();
  }
});
