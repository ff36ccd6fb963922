/** Connection against the real broker: round trips at every version, many requests in flight. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { ConnectionClosedError } from '../../src/network/errors.js';
import { testBrokers } from '../helpers/env.js';

const T = { timeout: 30_000 };

describe('Connection against a real broker', () => {
  let conn: Connection;
  const [host = '', portText = ''] = (testBrokers()[0] ?? '').split(/:(?=\d+$)/);
  const port = Number(portText);

  before(async () => {
    conn = new Connection(resolveConnectionOptions({ host, port, clientId: 'kafka-stage-it' }));
    await conn.connect();
  });
  after(async () => {
    await conn.close();
  });

  it('speaks ApiVersions at every version we know', T, async () => {
    for (let v = ApiVersions.minVersion; v <= ApiVersions.maxVersion; v++) {
      const res = await conn.request(ApiVersions, v, {});
      assert.equal(res.errorCode, 0, `v${v}`);
      const own = res.apiKeys.find((k) => k.apiKey === ApiVersions.apiKey);
      assert.ok(own && own.maxVersion >= 4, `v${v}: the broker lists ApiVersions up to at least v4`);
      assert.ok(res.apiKeys.some((k) => k.apiKey === Metadata.apiKey), `v${v}: the broker lists Metadata`);
    }
  });

  it('speaks Metadata (no topics) at every version both sides know', T, async () => {
    const versions = await conn.request(ApiVersions, 3, {});
    const range = versions.apiKeys.find((k) => k.apiKey === Metadata.apiKey);
    assert.ok(range, 'Metadata advertised');
    const low = Math.max(1, Metadata.minVersion, range.minVersion); // v0 reads [] as "every topic"
    const high = Math.min(Metadata.maxVersion, range.maxVersion);
    for (let v = low; v <= high; v++) {
      const res = await conn.request(Metadata, v, { topics: [] });
      assert.deepEqual(
        res.brokers.map((b) => `${b.host}:${b.port}`),
        [`${host}:${port}`],
        `v${v}: one broker, the one we talk to`,
      );
      assert.deepEqual(res.topics, [], `v${v}: no topics asked, none returned`);
    }
  });

  it('keeps 500 requests in flight and matches every answer to its request', T, async () => {
    const count = 500;
    const versions = [0, 1, 2, 3, 4];
    const promises: Promise<string>[] = [];
    for (let i = 0; i < count; i++) {
      if (i % 2 === 0) {
        const v = versions[i % versions.length] as number;
        promises.push(conn.request(ApiVersions, v, {}).then((r) => `ApiVersions:${r.errorCode}:${r.apiKeys.length > 0}`));
      } else {
        promises.push(conn.request(Metadata, 12, { topics: [] }).then((r) => `Metadata:${r.brokers.length}`));
      }
    }
    assert.equal(conn.inFlight, count, 'all sent before any answer is read');
    const results = await Promise.all(promises);
    for (let i = 0; i < count; i++) {
      assert.equal(results[i], i % 2 === 0 ? 'ApiVersions:0:true' : 'Metadata:1', `request ${i}`);
    }
    assert.equal(conn.inFlight, 0);
  });

  it('closes cleanly, rejecting what is still waiting', T, async () => {
    const other = new Connection(resolveConnectionOptions({ host, port, clientId: 'kafka-stage-it' }));
    await other.connect();
    const waiting = Array.from({ length: 20 }, () => other.request(Metadata, 12, { topics: [] }).then(() => 'answered', (err: unknown) => err));
    await other.close();
    const outcomes = await Promise.all(waiting);
    // close() ran before the event loop could read any answer, so every request was still waiting.
    assert.ok(
      outcomes.every((o) => o instanceof ConnectionClosedError && o.retriable),
      `each rejected with a retriable ConnectionClosedError: ${outcomes.map(String).join(', ')}`,
    );
    assert.equal(other.inFlight, 0);
  });
});
