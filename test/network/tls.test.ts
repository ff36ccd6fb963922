/**
 * TLS: certificates and host names are verified by default. Self-signed certificates are made
 * with `openssl` in a temporary folder for each run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { ConnectionError } from '../../src/network/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';

const T = { timeout: 20_000 };

interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

/** A self-signed certificate whose subject alternative names are `san` (e.g. `DNS:localhost`). */
function selfSigned(dir: string, name: string, san: string): KeyPair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${san}`, '-keyout', key, '-out', cert],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

describe('Connection over TLS', () => {
  let dir: string;
  let good: KeyPair;
  let wrongName: KeyPair;
  let goodBroker: FakeBroker;
  let wrongBroker: FakeBroker;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-stage-tls-'));
    good = selfSigned(dir, 'localhost', 'DNS:localhost,IP:127.0.0.1');
    wrongName = selfSigned(dir, 'wrong.example', 'DNS:wrong.example');
    goodBroker = await FakeBroker.start({ tls: good });
    wrongBroker = await FakeBroker.start({ tls: wrongName });
  });

  after(async () => {
    await goodBroker.stop();
    await wrongBroker.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects and round-trips when the certificate names the host', T, async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const conn = new Connection(resolveConnectionOptions({ host, port: goodBroker.port, clientId: 'tls', tls: { ca: good.cert } }));
      try {
        await conn.connect();
        const res = await conn.request(ApiVersions, 3, {});
        assert.equal(res.errorCode, 0);
      } finally {
        await conn.close();
      }
    }
  });

  it('refuses a certificate issued to another host name, by default', T, async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const conn = new Connection(resolveConnectionOptions({ host, port: wrongBroker.port, clientId: 'tls', tls: { ca: wrongName.cert } }));
      await assert.rejects(conn.connect(), (err: unknown) => {
        assert.ok(err instanceof ConnectionError, `ConnectionError, got ${String(err)}`);
        assert.equal((err.cause as NodeJS.ErrnoException).code, 'ERR_TLS_CERT_ALTNAME_INVALID');
        assert.equal(err.retriable, false, 'a refused certificate is not retried');
        return true;
      });
      assert.equal(conn.closed, true);
    }
    assert.equal(wrongBroker.requests.length, 0, 'no request reached the impostor');
  });

  it('refuses a certificate signed by no trusted authority with tls: true', T, async () => {
    const conn = new Connection(resolveConnectionOptions({ host: 'localhost', port: goodBroker.port, clientId: 'tls', tls: true }));
    await assert.rejects(conn.connect(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, `ConnectionError, got ${String(err)}`);
      assert.equal((err.cause as NodeJS.ErrnoException).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      assert.equal(err.retriable, false, 'a refused certificate is not retried');
      return true;
    });
  });
});
