/**
 * Every SASL mechanism against the real secured broker (scripts/kafka/start.sh --security), over
 * SASL_PLAINTEXT and SASL_SSL: alice produces, then consumes as a group and commits. Topics are made
 * by the super user on the PLAINTEXT listener; the checks of the committed offsets go there too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import { StandaloneConsumer } from '../../../src/consumer/standalone-consumer.js';
import { Producer } from '../../../src/producer/producer.js';
import { uniqueTopic } from '../../helpers/env.js';
import {
  ALICE, ALL_MECHANISMS, SECURE_PREFIX, produceAndConsumeAsGroup, saslFor, secureBroker, secureTopic, tlsFor, values,
} from '../../helpers/secure-broker.js';
import { eventually } from '../../helpers/eventually.js';

const broker = secureBroker();
let admin: Admin;
const topics: string[] = [];

before(() => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
});
after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

for (const listener of ['saslPlaintext', 'saslSsl'] as const) {
  const protocol = listener === 'saslSsl' ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  describe(protocol, () => {
    for (const mechanism of ALL_MECHANISMS) {
      test(`${mechanism}: produce, consume as a group, commit`, async () => {
        const topic = await secureTopic(admin, `mech-${mechanism.toLowerCase()}`);
        topics.push(topic);
        const options = {
          brokers: broker.brokers(listener),
          sasl: saslFor(mechanism, ALICE),
          ...(listener === 'saslSsl' ? { tls: tlsFor(broker) } : {}),
        };
        const got = await produceAndConsumeAsGroup(admin, options, topic, 60);
        assert.deepEqual(got, values(60).sort());
      });
    }
  });
}

test('StandaloneConsumer over SASL_SSL (SCRAM-SHA-256): reads explicit partitions and commits to its group', async () => {
  const topic = await secureTopic(admin, 'standalone', 2);
  topics.push(topic);
  const options = { brokers: broker.brokers('saslSsl'), tls: tlsFor(broker), sasl: saslFor('SCRAM-SHA-256', ALICE) };
  const producer = new Producer(options);
  try {
    await producer.sendBatch(topic, values(40).map((value, i) => ({ partition: i % 2, value })));
  } finally {
    await producer.close();
  }
  const groupId = uniqueTopic(`${SECURE_PREFIX}standalone`);
  const got: string[] = [];
  const consumer = new StandaloneConsumer(
    { ...options, groupId, partitions: [{ topic, partition: 0 }, { topic, partition: 1 }], autoOffsetReset: 'earliest' },
    async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 10 })) {
        for (const record of batch.records) got.push(record.value?.toString() ?? '<null>');
        await stage.ack(batch);
      }
    },
  );
  await consumer.start();
  try {
    await eventually(() => got.length >= 40, { what: '40 records', timeoutMs: 20_000 });
  } finally {
    await consumer.stop();
  }
  assert.deepEqual(got.sort(), values(40).sort());
  const committed = await admin.fetchGroupOffsets(groupId, [topic]);
  assert.deepEqual(committed.map((c) => [c.partition, c.offset]).sort(), [[0, 20], [1, 20]]);
});
