/**
 * Interop over SASL_SSL with the real Java clients from the Kafka jars, as alice with SCRAM-SHA-512:
 * the Java console consumer reads exactly what kafka-stage wrote, and kafka-stage reads exactly what
 * the Java console producer wrote. The Java side gets its security settings from a client
 * properties file (security.protocol, sasl.jaas.config, a PEM truststore).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import { Producer } from '../../../src/producer/producer.js';
import { uniqueTopic } from '../../helpers/env.js';
import { javaConsume, javaProduce } from '../../helpers/java-tools.js';
import {
  ALICE, SECURE_PREFIX, consumeAsGroup, javaClientProperties, saslFor, secureBroker, secureTopic, tlsFor, values,
} from '../../helpers/secure-broker.js';

const broker = secureBroker();
const options = { brokers: broker.brokers('saslSsl'), tls: tlsFor(broker), sasl: saslFor('SCRAM-SHA-512', ALICE) };
const javaConfig = javaClientProperties(broker, { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', user: ALICE });
let admin: Admin;
const topics: string[] = [];

before(() => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
});
after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

test('the Java console consumer reads over SASL_SSL what kafka-stage wrote over SASL_SSL', async () => {
  const topic = await secureTopic(admin, 'to-java', 3);
  topics.push(topic);
  const count = 120;
  const producer = new Producer(options);
  try {
    await producer.sendBatch(topic, values(count).map((value, i) => ({ key: `k-${i % 11}`, value, headers: [{ key: 'seq', value: String(i) }] })));
  } finally {
    await producer.close();
  }
  const read = await javaConsume({
    brokers: broker.brokers('saslSsl'),
    topic,
    maxMessages: count,
    // An idle bound, not the expected time: it ends early at maxMessages, and a loaded machine joins slowly.
    timeoutMs: 60_000,
    from: 'earliest',
    group: uniqueTopic(`${SECURE_PREFIX}java`),
    clientConfig: javaConfig,
  });
  assert.equal(read.length, count);
  const bySeq = new Map(read.map((r) => [Number(r.headers.seq), r]));
  for (let i = 0; i < count; i++) {
    assert.equal(bySeq.get(i)?.value, `v-${i}`, `record ${i}`);
    assert.equal(bySeq.get(i)?.key, `k-${i % 11}`, `key of record ${i}`);
  }
});

test('kafka-stage reads over SASL_SSL (as a group, committing) what the Java console producer wrote over SASL_SSL', async () => {
  const topic = await secureTopic(admin, 'from-java', 2);
  topics.push(topic);
  const count = 120;
  await javaProduce({
    brokers: broker.brokers('saslSsl'),
    topic,
    records: values(count).map((value, i) => ({ key: `k-${i % 5}`, value })),
    compression: 'lz4',
    clientConfig: javaConfig,
  });
  const got = await consumeAsGroup(admin, options, topic, count);
  assert.deepEqual(got, values(count).sort());
});
