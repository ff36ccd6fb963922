/**
 * TLS against the real secured broker: mutual TLS (the SSL listener requires a client certificate;
 * the principal is the certificate's CN, so alice's certificate gets alice's ACLs), with a plain and
 * a passphrase-protected key; without a certificate, or with one from a CA the broker does not
 * trust, the connection fails with a clear error in < 10 s. On the server-auth-only TLS listener the
 * client refuses a broker whose CA it does not trust.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import type { ClusterOptions } from '../../../src/cluster/options.js';
import { REQUEST_CHANNEL } from '../../../src/network/request-report.js';
import type { RequestEvent } from '../../../src/network/connection-options.js';
import { Producer } from '../../../src/producer/producer.js';
import { produceAndConsumeAsGroup, secureBroker, secureTopic, tlsFor, values } from '../../helpers/secure-broker.js';

const broker = secureBroker();
const LIMIT_MS = 10_000;
let admin: Admin;
let topic: string;

before(async () => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
  topic = await secureTopic(admin, 'mtls', 1);
});
after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

/**
 * Sends one record with `options`; resolves with the error it failed with, how long that took, and
 * how many connection attempts failed meanwhile (each failed connect settles its first request,
 * ApiVersions, with the error on `kafka-stage:request`).
 */
async function failedSend(options: ClusterOptions): Promise<{ error: Error & { code?: string; retriable?: boolean }; ms: number; attempts: number }> {
  let attempts = 0;
  const onRequest = (message: unknown): void => {
    if ((message as RequestEvent).error) attempts++;
  };
  subscribe(REQUEST_CHANNEL, onRequest);
  const producer = new Producer(options);
  const started = performance.now();
  try {
    await producer.send(topic, { value: 'never' });
  } catch (err) {
    return { error: err as Error & { code?: string; retriable?: boolean }, ms: performance.now() - started, attempts };
  } finally {
    unsubscribe(REQUEST_CHANNEL, onRequest);
    await producer.close().catch(() => undefined);
  }
  assert.fail('the send succeeded');
}

test('mTLS with alice\'s certificate: produce, consume as a group, commit (principal User:alice)', async () => {
  const mtlsTopic = await secureTopic(admin, 'mtls-round-trip');
  try {
    const got = await produceAndConsumeAsGroup(admin, { brokers: broker.brokers('mtls'), tls: tlsFor(broker, 'alice') }, mtlsTopic, 50);
    assert.deepEqual(got, values(50).sort());
  } finally {
    await admin.deleteTopics([mtlsTopic]).catch(() => undefined);
  }
});

test('mTLS with a passphrase-protected key', async () => {
  const producer = new Producer({ brokers: broker.brokers('mtls'), tls: tlsFor(broker, 'alice-encrypted') });
  try {
    const meta = await producer.send(topic, { value: 'encrypted-key' });
    assert.equal(meta.partition, 0);
  } finally {
    await producer.close();
  }
});

test('mTLS without a client certificate: a clear connection error in < 10 s, no retry', async () => {
  const f = await failedSend({ brokers: broker.brokers('mtls'), tls: tlsFor(broker, 'none') });
  assert.match(f.error.code ?? '', /^ERR_/, f.error.message);
  assert.match(f.error.message, /certificate|handshake|TLS|SSL/i);
  assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
  assert.ok(f.attempts >= 1 && f.attempts <= 2, `${f.attempts} failed connection attempts`);
  assert.equal(f.error.retriable, false, 'not retried');
});

test('mTLS with a certificate from an untrusted CA: a clear connection error in < 10 s, no retry', async () => {
  const f = await failedSend({ brokers: broker.brokers('mtls'), tls: tlsFor(broker, 'rogue') });
  assert.match(f.error.code ?? '', /^ERR_/, f.error.message);
  assert.match(f.error.message, /certificate|handshake|TLS|SSL|unknown ca/i);
  assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
  assert.ok(f.attempts >= 1 && f.attempts <= 2, `${f.attempts} failed connection attempts`);
  assert.equal(f.error.retriable, false, 'not retried');
});

test('TLS: a broker whose CA is not trusted is refused in < 10 s, no retry, naming the certificate problem', async () => {
  const f = await failedSend({ brokers: broker.brokers('tls'), tls: true });
  assert.match(f.error.code ?? '', /^ERR_/, f.error.message);
  assert.match(f.error.message, /certificate/i);
  assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
  // The client refuses during the handshake, before any request is sent: no attempt to count here.
  assert.equal(f.error.retriable, false, 'not retried');
});

test('TLS: the broker\'s certificate verifies against the test CA and the IP SAN of the metadata host', async () => {
  const producer = new Producer({ brokers: broker.brokers('tls'), tls: tlsFor(broker) });
  try {
    const meta = await producer.send(topic, { value: 'tls' });
    assert.equal(meta.partition, 0);
  } finally {
    await producer.close();
  }
});
