/**
 * The `tls` client option: validation (typed errors naming the key, never the value), secrets
 * (key, passphrase) absent from the resolved options, every client object, errors and diagnostics
 * events, and the one warning per client when certificate verification is turned off.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { resolveClusterOptions } from '../../src/cluster/options.js';
import { TLS_INSECURE_WARNING } from '../../src/cluster/tls-options.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { REQUEST_CHANNEL } from '../../src/network/request-report.js';
import type { RequestEvent } from '../../src/network/connection-options.js';
import { Producer } from '../../src/producer/producer.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { InvalidOptionError } from '../../src/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';
import { hasOpenssl, TestPki, type KeyPair } from './tls-fixtures.js';

const T = { timeout: 20_000, skip: hasOpenssl() ? false : 'openssl is not installed' };
const PASSPHRASE = 'Pa55-phrase-that-must-not-leak';
const retry = { retries: 0, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 2_000 };

/** The base64 body of a PEM (the part that is secret), without its armour lines. */
function pemBody(pem: Buffer): string {
  return pem
    .toString()
    .split('\n')
    .filter((l) => l.length > 0 && !l.startsWith('-----'))
    .join('');
}

/** Fails when `text` holds the passphrase or any 16-character piece of the key's PEM body. */
function assertNoSecret(text: string, key: Buffer, where: string): void {
  assert.ok(!text.includes(PASSPHRASE), `${where} shows the passphrase`);
  const body = pemBody(key);
  for (let i = 0; i + 16 <= body.length; i += 16) assert.ok(!text.includes(body.slice(i, i + 16)), `${where} shows part of the key`);
  const line = key.toString().split('\n')[1] ?? '';
  assert.ok(line.length > 0 && !text.includes(line), `${where} shows a line of the key`);
}

/** Warnings emitted while `run` runs (and the ticks right after), by code. */
async function warningsDuring(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listener = (w: Error & { code?: string }): void => {
    seen.push(w.code ?? w.name);
  };
  process.on('warning', listener);
  try {
    await run();
    // emitWarning delivers on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('tls option: validation', () => {
  const cases: [tls: unknown, option: string, hidden?: string][] = [
    ['yes', 'tls'],
    [null, 'tls'],
    [42, 'tls'],
    [[1], 'tls'],
    [{ passphrase: 12345678 }, 'tls.passphrase', '12345678'],
    [{ key: 987654321 }, 'tls.key', '987654321'],
    [{ ca: { not: 'pem' } }, 'tls.ca'],
    [{ rejectUnauthorized: 'no' }, 'tls.rejectUnauthorized'],
    [{ servername: '' }, 'tls.servername'],
    [{ checkServerIdentity: 'always' }, 'tls.checkServerIdentity', 'always'],
    [{ host: 'evil.example' }, 'tls.host', 'evil.example'],
    [{ port: 9093 }, 'tls.port'],
  ];
  for (const [tls, option, hidden] of cases) {
    it(`${inspect(tls)} → InvalidOptionError naming ${option}`, () => {
      assert.throws(
        () => resolveClusterOptions({ brokers: 'localhost:9092', tls: tls as boolean }),
        (err: unknown) => {
          assert.ok(err instanceof InvalidOptionError, String(err));
          assert.equal(err.option, option);
          assert.equal(err.code, 'ERR_INVALID_OPTION');
          if (hidden !== undefined) assert.ok(!err.message.includes(hidden), `the value is not printed: ${err.message}`);
          return true;
        },
      );
    });
  }

  it('accepts options it does not know (Node has many) and true/false', () => {
    assert.equal(resolveClusterOptions({ brokers: 'localhost:9092', tls: false }).tls, undefined);
    assert.equal(resolveClusterOptions({ brokers: 'localhost:9092' }).tls, undefined);
    assert.equal(resolveClusterOptions({ brokers: 'localhost:9092', tls: true }).tls?.verify, true);
    const tls = resolveClusterOptions({ brokers: 'localhost:9092', tls: { ALPNProtocols: ['kafka'], minVersion: 'TLSv1.2', someFutureNodeOption: 1 } as object }).tls;
    assert.ok(tls);
    assert.equal(tls.connectOptions('b1', false).minVersion, 'TLSv1.2');
  });
});

describe('tls option: secrets', () => {
  let pki: TestPki;
  let server: KeyPair;
  let client: KeyPair;
  let encryptedKey: Buffer;

  before(() => {
    if (!hasOpenssl()) return;
    pki = new TestPki();
    server = pki.issue('localhost', ['localhost']);
    client = pki.issue('client', ['client.test'], 'clientAuth');
    encryptedKey = pki.encryptKey('client', client, PASSPHRASE);
  });

  after(() => pki?.remove());

  it('a wrong passphrase fails at once with a typed error that shows neither passphrase nor key', T, () => {
    assert.throws(
      () => resolveClusterOptions({ brokers: 'localhost:9092', tls: { cert: client.cert, key: encryptedKey, passphrase: `${PASSPHRASE}-wrong` } }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidOptionError, String(err));
        assert.equal(err.option, 'tls');
        assertNoSecret(inspect(err, { depth: Infinity }), encryptedKey, 'the error');
        assert.ok(!err.message.includes('-wrong'));
        return true;
      },
    );
  });

  it('resolved options, inspect and JSON of every client show no key and no passphrase', T, async () => {
    const options = { brokers: 'localhost:9092', tls: { ca: pki.ca.cert, cert: client.cert, key: encryptedKey, passphrase: PASSPHRASE } };
    const resolved = resolveClusterOptions(options);
    assert.equal(resolved.tls?.clientCertificate, true);
    assertNoSecret(inspect(resolved, { depth: Infinity, showHidden: true }), encryptedKey, 'inspect(resolved options)');
    assertNoSecret(JSON.stringify(resolved), encryptedKey, 'JSON of the resolved options');
    assertNoSecret(JSON.stringify(resolved.tls?.connectOptions('localhost', true)), encryptedKey, 'connect options');
    assertNoSecret(inspect(resolved.tls?.connectOptions('localhost', true), { depth: Infinity, showHidden: true }), encryptedKey, 'inspect(connect options)');

    const clients = [
      ['Producer', new Producer({ ...options })],
      ['ConsumerGroup', new ConsumerGroup({ ...options, groupId: 'g', topics: ['t'] })],
      ['StandaloneConsumer', new StandaloneConsumer({ ...options, partitions: [{ topic: 't', partition: 0 }] })],
      ['Admin', new Admin({ ...options })],
    ] as const;
    for (const [name, role] of clients) {
      assertNoSecret(inspect(role, { depth: Infinity, showHidden: true }), encryptedKey, `inspect(${name})`);
    }
    for (const [, role] of clients) {
      if ('close' in role) await role.close();
      else await role.stop();
    }
  });

  it('connection errors and diagnostics events of an mTLS client show no secret', T, async () => {
    const broker = await FakeBroker.start({ tls: { ...server, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true } });
    broker.handle(Metadata, (req) =>
      req.seq === 1
        ? 'close'
        : { body: { brokers: [{ nodeId: 1, host: 'localhost', port: broker.port, rack: null }], clusterId: 'c', controllerId: 1, topics: [] } },
    );
    const events: RequestEvent[] = [];
    const onEvent = (e: unknown): void => {
      events.push(e as RequestEvent);
    };
    subscribe(REQUEST_CHANNEL, onEvent);
    const cluster = new Cluster({
      brokers: [`localhost:${broker.port}`],
      retry,
      tls: { ca: pki.ca.cert, cert: client.cert, key: encryptedKey, passphrase: PASSPHRASE },
    });
    const wrongCa = new Cluster({ brokers: [`localhost:${broker.port}`], retry, tls: { cert: client.cert, key: encryptedKey, passphrase: PASSPHRASE } });
    try {
      await cluster.connect();
      const failed = await cluster.request(1, Metadata, () => ({ topics: [], allowAutoTopicCreation: false })).catch((e: unknown) => e);
      assert.ok(failed instanceof Error, 'the closed request fails');
      const refused = await wrongCa.connect().catch((e: unknown) => e);
      assert.ok(refused instanceof Error, 'a certificate from an unknown CA is refused');
      assert.ok(events.length >= 3, `events seen: ${events.length}`);
      assert.ok(events.some((e) => e.error !== undefined));
      assertNoSecret(inspect(events, { depth: Infinity, showHidden: true }), encryptedKey, 'diagnostics events');
      assertNoSecret(inspect([failed, refused], { depth: Infinity, showHidden: true }), encryptedKey, 'errors');
      assertNoSecret(inspect(cluster, { depth: Infinity, showHidden: true }), encryptedKey, 'inspect(connected cluster)');
    } finally {
      unsubscribe(REQUEST_CHANNEL, onEvent);
      await cluster.close();
      await wrongCa.close();
      await broker.stop();
    }
  });
});

describe('tls option: verification off', () => {
  let pki: TestPki;
  let broker: FakeBroker;

  before(async () => {
    if (!hasOpenssl()) return;
    pki = new TestPki();
    broker = await FakeBroker.start({ tls: pki.issue('localhost', ['localhost']) });
    broker.handle(Metadata, () => ({
      body: { brokers: [{ nodeId: 1, host: 'localhost', port: broker.port, rack: null }], clusterId: 'c', controllerId: 1, topics: [] },
    }));
  });

  after(async () => {
    await broker?.stop();
    pki?.remove();
  });

  /** Connects (bootstrap link) and sends one request to node 1 (a second connection). */
  async function twoConnections(cluster: Cluster): Promise<void> {
    try {
      await cluster.connect();
      await cluster.request(1, Metadata, () => ({ topics: [], allowAutoTopicCreation: false }));
    } finally {
      await cluster.close();
    }
  }

  it(`rejectUnauthorized: false warns once per client (${TLS_INSECURE_WARNING}), however many connections`, T, async () => {
    const before = broker.connectionCount;
    const seen = await warningsDuring(async () => {
      // The certificate is from a CA the client does not know: only verification off lets it through.
      await twoConnections(new Cluster({ brokers: [`localhost:${broker.port}`], retry, tls: { rejectUnauthorized: false } }));
      await twoConnections(new Cluster({ brokers: [`localhost:${broker.port}`], retry, tls: { rejectUnauthorized: false } }));
    });
    assert.equal(broker.connectionCount - before, 4, 'two connections per client');
    assert.deepEqual(seen.filter((c) => c === TLS_INSECURE_WARNING), [TLS_INSECURE_WARNING, TLS_INSECURE_WARNING], 'one warning per client');
  });

  it('no warning when verification is on, and none for a client that only validates options', T, async () => {
    const seen = await warningsDuring(async () => {
      resolveClusterOptions({ brokers: 'localhost:9092', tls: { rejectUnauthorized: false } });
      await twoConnections(new Cluster({ brokers: [`localhost:${broker.port}`], retry, tls: { ca: pki.ca.cert } }));
    });
    assert.deepEqual(seen.filter((c) => c === TLS_INSECURE_WARNING), []);
  });
});
