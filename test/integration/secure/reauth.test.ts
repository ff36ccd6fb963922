/**
 * Re-authentication (KIP-368) against the real broker: its REAUTH listener grants short SASL
 * sessions (`connections.max.reauth.ms`, 5 s; secure.json's reauthMs) and closes a connection whose
 * session ran out. A producer and a consumer group run there for a little over three session
 * lifetimes: every record is delivered and committed, no error is reported, and the client
 * re-authenticated on its open connections (more SASL handshakes than connections) instead of being
 * cut off and reconnecting (no connection opened after start-up).
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import { ConsumerGroup } from '../../../src/consumer/consumer-group.js';
import { REQUEST_CHANNEL } from '../../../src/network/request-report.js';
import type { RequestEvent } from '../../../src/network/connection-options.js';
import { Producer } from '../../../src/producer/producer.js';
import { uniqueTopic } from '../../helpers/env.js';
import { ALICE, SECURE_PREFIX, saslFor, secureBroker, secureTopic } from '../../helpers/secure-broker.js';
import { eventually } from '../../helpers/eventually.js';

const broker = secureBroker();
let admin: Admin;
let topic: string;

before(async () => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
  topic = await secureTopic(admin, 'reauth', 2);
});
after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

test('consuming across three short SASL sessions: nothing lost, no error, re-authenticated on the same connections', async (t) => {
  const port = broker.ports.reauth;
  const options = { brokers: broker.brokers('reauth'), sasl: saslFor('SCRAM-SHA-256', ALICE) };
  const connectTimes: number[] = [];
  let handshakes = 0;
  let stopping = false;
  const requestErrors: string[] = [];
  const onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    socket.once('connect', () => {
      if (socket.remotePort === port) connectTimes.push(performance.now());
    });
  };
  const onRequest = (message: unknown): void => {
    const event = message as RequestEvent;
    if (!event.broker.endsWith(`:${port}`)) return;
    if (event.api === 'SaslHandshake') handshakes++;
    // stop() aborts the Fetch waiting at the broker: only errors before it count.
    if (event.error && !stopping) requestErrors.push(`${event.api}: ${event.error.message}`);
  };
  subscribe('net.client.socket', onSocket);
  subscribe(REQUEST_CHANNEL, onRequest);

  const producer = new Producer({ ...options, lingerMs: 0 });
  const got = new Set<string>();
  const groupErrors: Error[] = [];
  const groupId = uniqueTopic(`${SECURE_PREFIX}reauth`);
  const group = new ConsumerGroup(
    { ...options, groupId, topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' },
    async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 20 })) {
        for (const record of batch.records) got.add(record.value?.toString() ?? '<null>');
        await stage.ack(batch);
      }
    },
  );
  group.on('error', (err: Error) => groupErrors.push(err));
  const sent: string[] = [];
  let startedAt = 0;
  try {
    await group.start();
    await producer.connect();
    startedAt = performance.now();
    // One record every 100 ms for a little over three session lifetimes: requests are in flight
    // whenever a session runs out.
    const count = Math.ceil((3.3 * broker.reauthMs) / 100);
    for (let i = 0; i < count; i++) {
      const value = `r-${i}`;
      await producer.send(topic, { key: `k-${i % 4}`, value });
      sent.push(value);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await eventually(() => got.size === sent.length, { what: `${sent.length} records`, timeoutMs: 20_000 });
  } finally {
    stopping = true;
    await producer.close();
    await group.stop();
    unsubscribe('net.client.socket', onSocket);
    unsubscribe(REQUEST_CHANNEL, onRequest);
  }
  const elapsed = performance.now() - startedAt;
  assert.ok(elapsed > 3 * broker.reauthMs, `ran ${elapsed.toFixed(0)} ms, more than three sessions`);
  assert.deepEqual([...got].sort(), [...sent].sort(), 'every record delivered');
  assert.deepEqual(groupErrors.map((e) => e.message), [], 'no consumer error');
  assert.deepEqual(requestErrors, [], 'no failed request');
  t.diagnostic(`${handshakes} SASL handshakes on ${connectTimes.length} connections in ${elapsed.toFixed(0)} ms`);
  const lateConnections = connectTimes.filter((t) => t > startedAt + 1000).length;
  assert.equal(lateConnections, 0, `connections opened after start-up: ${lateConnections} (of ${connectTimes.length})`);
  assert.ok(handshakes >= connectTimes.length + 3, `${handshakes} SASL handshakes on ${connectTimes.length} connections`);
  const offsets = await admin.describeGroupOffsets(groupId);
  const committed = offsets.partitions.reduce((n, p) => n + Number(p.committedOffset ?? 0), 0);
  assert.equal(committed, sent.length, 'the group committed every record');
});
