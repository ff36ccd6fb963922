/**
 * TLS through the cluster client: each broker's certificate is verified against (and SNI names)
 * the host the client dials — the metadata host for advertised brokers — not one `servername`
 * for all; a user `servername` applies to the bootstrap addresses only; a client certificate with
 * an encrypted key (mTLS) is presented. Two fake brokers serve certificates for two DNS names,
 * resolved to 127.0.0.1 by a `lookup` passed through the TLS options.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { ConnectionError } from '../../src/network/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';
import { metadataAnswer } from '../helpers/metadata-answer.js';
import { hasOpenssl, loopbackLookup, TestPki, type KeyPair } from './tls-fixtures.js';

const T = { timeout: 20_000, skip: hasOpenssl() ? false : 'openssl is not installed' };
const retry = { retries: 0, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 2_000 };

interface NamedBroker {
  broker: FakeBroker;
  /** SNI names the broker was sent, one per TLS handshake (absent: no SNI). */
  sni: string[];
}

describe('cluster TLS: server name per broker', () => {
  let pki: TestPki;
  let a: NamedBroker;
  let b: NamedBroker;
  let client: KeyPair;
  let clientKeyEncrypted: Buffer;
  const passphrase = 'correct horse battery staple';

  /** A TLS fake broker for `name`, requiring a client certificate from our CA when `mtls`. */
  async function start(pair: KeyPair, mtls: boolean): Promise<NamedBroker> {
    const sni: string[] = [];
    const broker = await FakeBroker.start({
      tls: {
        ...pair,
        ca: pki.ca.cert,
        requestCert: mtls,
        rejectUnauthorized: mtls,
        // Records the name the client asked for; undefined keeps the server's own certificate.
        SNICallback: (servername, done) => {
          sni.push(servername);
          done(null, undefined);
        },
      },
    });
    return { broker, sni };
  }

  /** Both brokers answer Metadata naming node 1 = broker-a.test, node 2 = broker-b.test. */
  function advertise(): void {
    for (const { broker } of [a, b]) {
      broker.handle(Metadata, () => ({
        body: metadataAnswer(
          [
            { nodeId: 1, host: 'broker-a.test', port: a.broker.port },
            { nodeId: 2, host: 'broker-b.test', port: b.broker.port },
          ],
          { clusterId: 'tls' },
        ),
      }));
    }
  }

  before(() => {
    if (!hasOpenssl()) return;
    pki = new TestPki();
    client = pki.issue('client', ['client.test'], 'clientAuth');
    clientKeyEncrypted = pki.encryptKey('client', client, passphrase);
  });

  after(async () => {
    await a?.broker.stop();
    await b?.broker.stop();
    pki?.remove();
  });

  it('verifies each advertised broker against its own metadata host; servername only for the bootstrap address', T, async () => {
    a = await start(pki.issue('broker-a', ['broker-a.test']), false);
    b = await start(pki.issue('broker-b', ['broker-b.test']), false);
    advertise();
    // Bootstrap by IP, whose certificate names only broker-a.test: that is what `servername` is for.
    const cluster = new Cluster({
      brokers: [`127.0.0.1:${a.broker.port}`],
      retry,
      tls: { ca: pki.ca.cert, servername: 'broker-a.test', lookup: loopbackLookup },
    });
    try {
      await cluster.connect();
      // Node 2's certificate names broker-b.test only: with one servername for all it would be refused.
      const fromB = await cluster.request(2, Metadata, () => ({ topics: [], allowAutoTopicCreation: false }));
      assert.equal(fromB.clusterId, 'tls');
      const fromA = await cluster.request(1, Metadata, () => ({ topics: [], allowAutoTopicCreation: false }));
      assert.equal(fromA.clusterId, 'tls');
      assert.deepEqual(a.sni, ['broker-a.test', 'broker-a.test'], 'bootstrap (servername option), then node 1 by its metadata host');
      assert.deepEqual(b.sni, ['broker-b.test'], 'node 2 by its metadata host, not the servername option');
    } finally {
      await cluster.close();
      await a.broker.stop();
      await b.broker.stop();
    }
  });

  it('refuses an advertised broker whose certificate names another host, however the bootstrap was named', T, async () => {
    // Node 2 advertises broker-b.test but presents broker-a.test's certificate: an impostor.
    a = await start(pki.issue('broker-a2', ['broker-a.test']), false);
    b = await start(pki.issue('impostor', ['broker-a.test']), false);
    advertise();
    const cluster = new Cluster({
      brokers: [`127.0.0.1:${a.broker.port}`],
      retry,
      tls: { ca: pki.ca.cert, servername: 'broker-a.test', lookup: loopbackLookup },
    });
    try {
      await cluster.connect();
      await assert.rejects(
        cluster.request(2, Metadata, () => ({ topics: [], allowAutoTopicCreation: false })),
        (err: unknown) => {
          assert.ok(err instanceof ConnectionError, `ConnectionError, got ${String(err)}`);
          assert.equal((err.cause as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
          assert.equal(err.retriable, false);
          return true;
        },
      );
      assert.equal(b.broker.requests.length, 0, 'nothing was sent to the impostor');
    } finally {
      await cluster.close();
      await a.broker.stop();
      await b.broker.stop();
    }
  });

  it('presents a client certificate whose key is encrypted with a passphrase (mTLS), to every broker', T, async () => {
    a = await start(pki.issue('broker-a3', ['broker-a.test']), true);
    b = await start(pki.issue('broker-b3', ['broker-b.test']), true);
    advertise();
    const cluster = new Cluster({
      brokers: [`broker-a.test:${a.broker.port}`],
      retry,
      tls: { ca: pki.ca.cert, cert: client.cert, key: clientKeyEncrypted, passphrase, lookup: loopbackLookup },
    });
    try {
      await cluster.connect();
      const fromB = await cluster.request(2, Metadata, () => ({ topics: [], allowAutoTopicCreation: false }));
      assert.equal(fromB.clusterId, 'tls');
      assert.deepEqual(a.sni, ['broker-a.test']);
      assert.deepEqual(b.sni, ['broker-b.test']);
    } finally {
      await cluster.close();
      await a.broker.stop();
      await b.broker.stop();
    }
  });

  it('a broker requiring a client certificate refuses a client without one: not retried', T, async () => {
    a = await start(pki.issue('broker-a4', ['broker-a.test']), true);
    b = await start(pki.issue('broker-b4', ['broker-b.test']), true);
    const cluster = new Cluster({
      brokers: [`broker-a.test:${a.broker.port}`],
      retry: { retries: 5, initialBackoffMs: 50, maxBackoffMs: 100, deadlineMs: 10_000 },
      connectTimeoutMs: 2_000,
      tls: { ca: pki.ca.cert, lookup: loopbackLookup },
    });
    try {
      await assert.rejects(cluster.connect(), (err: unknown) => {
        assert.ok(err instanceof ConnectionError, `ConnectionError, got ${String(err)}`);
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
        assert.equal(err.retriable, false, 'a missing client certificate does not appear by retrying');
        return true;
      });
      assert.equal(a.sni.length, 1, 'one handshake: not retried');
      assert.equal(a.broker.requests.length, 0);
    } finally {
      await cluster.close();
      await a.broker.stop();
      await b.broker.stop();
    }
  });

  it('the TLS alerts a broker (Java or Node) sends for a refused client certificate make a non-retriable ConnectionError', () => {
    for (const code of [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
      'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
      'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    ]) {
      const cause = Object.assign(new Error('alert'), { code });
      assert.equal(new ConnectionError('refused', {}, cause).retriable, false, code);
    }
    assert.equal(new ConnectionError('reset', {}, Object.assign(new Error('reset'), { code: 'ECONNRESET' })).retriable, true);
  });
});
