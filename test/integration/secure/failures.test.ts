/**
 * Failures against the real secured broker reach the caller as typed errors within seconds, after
 * one or a few attempts, and name what failed without any secret: a wrong password for each
 * mechanism (SASL_AUTHENTICATION_FAILED), an expired OAUTHBEARER token, and missing ACLs on a topic
 * and on a group (bob has no ACL, carol may use the topics but no group, alice may use only
 * resources named secure-*).
 *
 * Connection attempts are counted on `node:diagnostics_channel`: `net.client.socket` (every TCP
 * connection Node opens; the SASL_PLAINTEXT listener is plain TCP) and the library's
 * `kafka-stage:request` (every SaslHandshake is one authentication attempt).
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import { AdminOperationError } from '../../../src/admin/errors.js';
import type { ClusterOptions } from '../../../src/cluster/options.js';
import { ConsumerGroup } from '../../../src/consumer/consumer-group.js';
import { REQUEST_CHANNEL } from '../../../src/network/request-report.js';
import type { RequestEvent } from '../../../src/network/connection-options.js';
import { Producer } from '../../../src/producer/producer.js';
import { uniqueTopic } from '../../helpers/env.js';
import {
  ALICE, BOB, CAROL, PASSWORD_MECHANISMS, SECURE_PREFIX, WRONG_PASSWORD, saslFor, secureBroker, secureTopic, tlsFor, unsecuredJwt,
} from '../../helpers/secure-broker.js';

const broker = secureBroker();
const LIMIT_MS = 10_000;
let admin: Admin;
let topic: string;
let otherTopic: string;

before(async () => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
  topic = await secureTopic(admin, 'fail', 1);
  // A topic alice has no ACL for (its name lacks the secure- prefix).
  otherTopic = uniqueTopic('unsecured');
  await admin.createTopics([{ topic: otherTopic, partitions: 1 }]);
});
after(async () => {
  await admin.deleteTopics([topic, otherTopic]).catch(() => undefined);
  await admin.close();
});

/** What a failed call did: its error, how long it took, the sockets and SASL handshakes it caused. */
interface Failure {
  error: Error & { code?: string };
  ms: number;
  sockets: number;
  handshakes: number;
}

/** Runs `call`, which must reject, counting the connections and SASL handshakes to `port` meanwhile. */
async function failure(port: number, call: () => Promise<unknown>): Promise<Failure> {
  let sockets = 0;
  let handshakes = 0;
  const onSocket = (message: unknown): void => {
    const socket = (message as { socket?: { remotePort?: number; once(e: string, f: () => void): void } }).socket;
    // The remote port is known once connected; count at creation, filtered at connect.
    socket?.once('connect', () => {
      if (socket.remotePort === port) sockets++;
    });
  };
  const onRequest = (message: unknown): void => {
    const event = message as RequestEvent;
    if (event.api === 'SaslHandshake' && event.broker.endsWith(`:${port}`)) handshakes++;
  };
  subscribe('net.client.socket', onSocket);
  subscribe(REQUEST_CHANNEL, onRequest);
  const started = performance.now();
  try {
    await call();
  } catch (err) {
    return { error: err as Failure['error'], ms: performance.now() - started, sockets, handshakes };
  } finally {
    unsubscribe('net.client.socket', onSocket);
    unsubscribe(REQUEST_CHANNEL, onRequest);
  }
  assert.fail('the call succeeded');
}

/** Produces one record with `options`, closing the producer whatever happens. */
async function produceOne(options: ClusterOptions, to: string): Promise<void> {
  const producer = new Producer(options);
  try {
    await producer.send(to, { value: 'x' });
  } finally {
    await producer.close().catch(() => undefined);
  }
}

/** Starts a consumer group with `options` (start() must reject), stopping it whatever happens. */
async function startGroup(options: ClusterOptions, groupId: string, topics: string[]): Promise<void> {
  const group = new ConsumerGroup({ ...options, groupId, topics, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' }, () => {});
  try {
    await group.start();
  } finally {
    await group.stop().catch(() => undefined);
  }
}

describe('a wrong password', () => {
  for (const mechanism of PASSWORD_MECHANISMS) {
    test(`${mechanism}: the producer fails with ERR_SASL_AUTHENTICATION naming mechanism and user, once, in < 10 s`, async () => {
      const port = broker.ports.saslPlaintext;
      const f = await failure(port, () => produceOne({ brokers: broker.brokers('saslPlaintext'), sasl: saslFor(mechanism, ALICE, WRONG_PASSWORD) }, topic));
      assert.equal(f.error.code, 'ERR_SASL_AUTHENTICATION', f.error.message);
      assert.match(f.error.message, new RegExp(mechanism));
      assert.match(f.error.message, /alice/);
      assert.ok(!f.error.message.includes(WRONG_PASSWORD), 'the password is not in the message');
      assert.ok(!JSON.stringify(f.error).includes(WRONG_PASSWORD), 'nor in the serialised error');
      assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
      assert.ok(f.handshakes >= 1 && f.handshakes <= 2, `${f.handshakes} authentication attempts`);
      assert.ok(f.sockets >= 1 && f.sockets <= 2, `${f.sockets} connections`);
    });
  }

  test('SCRAM-SHA-512 over SASL_SSL: a consumer group fails to start with ERR_SASL_AUTHENTICATION in < 10 s', async () => {
    const f = await failure(broker.ports.saslSsl, () =>
      startGroup({ brokers: broker.brokers('saslSsl'), tls: tlsFor(broker), sasl: saslFor('SCRAM-SHA-512', ALICE, WRONG_PASSWORD) }, `${SECURE_PREFIX}wrong-pw`, [topic]),
    );
    assert.equal(f.error.code, 'ERR_SASL_AUTHENTICATION', f.error.message);
    assert.match(f.error.message, /SCRAM-SHA-512/);
    assert.ok(!f.error.message.includes(WRONG_PASSWORD));
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    assert.ok(f.handshakes >= 1 && f.handshakes <= 3, `${f.handshakes} authentication attempts`);
  });

  test('an unknown user fails the same way (SCRAM-SHA-256)', async () => {
    const f = await failure(broker.ports.saslPlaintext, () =>
      produceOne({ brokers: broker.brokers('saslPlaintext'), sasl: { mechanism: 'SCRAM-SHA-256', username: 'mallory', password: WRONG_PASSWORD } }, topic),
    );
    assert.equal(f.error.code, 'ERR_SASL_AUTHENTICATION', f.error.message);
    assert.match(f.error.message, /mallory/);
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    assert.ok(f.handshakes <= 2, `${f.handshakes} authentication attempts`);
  });

  test('OAUTHBEARER with an expired token fails with ERR_SASL_AUTHENTICATION in < 10 s', async () => {
    const expired = unsecuredJwt('alice', 60_000, Date.now() - 3_600_000);
    const f = await failure(broker.ports.saslPlaintext, () =>
      produceOne({ brokers: broker.brokers('saslPlaintext'), sasl: { mechanism: 'OAUTHBEARER', token: () => ({ value: expired }) } }, topic),
    );
    assert.equal(f.error.code, 'ERR_SASL_AUTHENTICATION', f.error.message);
    assert.match(f.error.message, /OAUTHBEARER/);
    assert.ok(!f.error.message.includes(expired), 'the token is not in the message');
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    assert.ok(f.handshakes <= 2, `${f.handshakes} authentication attempts`);
  });
});

describe('a missing ACL', () => {
  const sasl = (user: typeof BOB): ClusterOptions => ({ brokers: broker.brokers('saslPlaintext'), sasl: saslFor('SCRAM-SHA-256', user) });

  test('bob produces: ERR_TOPIC_AUTHORIZATION naming the topic, in < 10 s, no reconnect storm', async () => {
    const f = await failure(broker.ports.saslPlaintext, () => produceOne(sasl(BOB), topic));
    assert.equal(f.error.code, 'ERR_TOPIC_AUTHORIZATION', f.error.message);
    assert.match(f.error.message, new RegExp(topic));
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    assert.ok(f.sockets <= 3, `${f.sockets} connections`);
  });

  test('alice produces to a topic outside her prefix: ERR_TOPIC_AUTHORIZATION in < 10 s', async () => {
    const f = await failure(broker.ports.saslPlaintext, () => produceOne(sasl(ALICE), otherTopic));
    assert.equal(f.error.code, 'ERR_TOPIC_AUTHORIZATION', f.error.message);
    assert.match(f.error.message, new RegExp(otherTopic));
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
  });

  test('bob starts a consumer group: ERR_GROUP_AUTHORIZATION naming the group, in < 10 s', async () => {
    const groupId = `${SECURE_PREFIX}bob-group`;
    const f = await failure(broker.ports.saslPlaintext, () => startGroup(sasl(BOB), groupId, [topic]));
    assert.equal(f.error.code, 'ERR_GROUP_AUTHORIZATION', f.error.message);
    assert.match(f.error.message, new RegExp(groupId));
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    assert.ok(f.sockets <= 3, `${f.sockets} connections`);
  });

  test('carol (topics allowed, no group ACL) starts a consumer group: ERR_GROUP_AUTHORIZATION in < 10 s', async () => {
    const groupId = `${SECURE_PREFIX}carol-group`;
    const f = await failure(broker.ports.saslPlaintext, () => startGroup(sasl(CAROL), groupId, [topic]));
    assert.equal(f.error.code, 'ERR_GROUP_AUTHORIZATION', f.error.message);
    assert.match(f.error.message, new RegExp(groupId));
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
  });

  test('alice starts a group outside her prefix: ERR_GROUP_AUTHORIZATION in < 10 s', async () => {
    const groupId = uniqueTopic('not-secure-group');
    const f = await failure(broker.ports.saslPlaintext, () => startGroup(sasl(ALICE), groupId, [topic]));
    assert.equal(f.error.code, 'ERR_GROUP_AUTHORIZATION', f.error.message);
    assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
  });

  test('bob creates a topic through Admin: the topic fails with ERR_TOPIC_AUTHORIZATION in < 10 s', async () => {
    const bobAdmin = new Admin(sasl(BOB));
    const name = uniqueTopic(`${SECURE_PREFIX}bob-create`);
    try {
      const f = await failure(broker.ports.saslPlaintext, () => bobAdmin.createTopics([{ topic: name, partitions: 1 }]));
      // Admin batch calls report per entity (AdminOperationError); the topic's own error is typed.
      assert.ok(f.error instanceof AdminOperationError, f.error.message);
      assert.equal(f.error.failureOf(name)?.code, 'ERR_TOPIC_AUTHORIZATION', f.error.message);
      assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    } finally {
      await bobAdmin.close();
    }
  });

  test('bob describes the broker\'s configs through Admin: ERR_CLUSTER_AUTHORIZATION in < 10 s', async () => {
    const bobAdmin = new Admin(sasl(BOB));
    try {
      const f = await failure(broker.ports.saslPlaintext, () => bobAdmin.describeConfigs([{ type: 'broker', name: '1' }]));
      assert.ok(f.error instanceof AdminOperationError, f.error.message);
      assert.equal(f.error.failureOf('broker:1')?.code, 'ERR_CLUSTER_AUTHORIZATION', f.error.message);
      assert.ok(f.ms < LIMIT_MS, `took ${f.ms.toFixed(0)} ms`);
    } finally {
      await bobAdmin.close();
    }
  });
});
