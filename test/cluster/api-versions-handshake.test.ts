/**
 * The ApiVersions exchange against fake brokers that speak older ApiVersions versions (KIP-511):
 * the client falls back once, on the same connection, to the version the broker names (or v0),
 * and a broker that keeps refusing or lists nonsense gives a typed error instead of a retry loop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerRanges, fallbackVersion, requestApiVersions } from '../../src/cluster/api-versions-handshake.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { UnsupportedVersionError } from '../../src/protocol/versions.js';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { encodeResponse } from '../../src/protocol/frame.js';
import { FakeBroker, type ApiRange, type FakeReply } from '../helpers/fake-broker.js';
import { metadataAnswer } from '../helpers/metadata-answer.js';

const UNSUPPORTED_VERSION = 35;
const METADATA_RANGE: ApiRange = { apiKey: Metadata.apiKey, minVersion: 0, maxVersion: 12 };

/** A refusal as a real broker sends it: the v0 format, UNSUPPORTED_VERSION, `named` as the ranges. */
function refusal(correlationId: number, named: ApiRange[]): FakeReply {
  return { raw: encodeResponse(ApiVersions, 0, correlationId, { errorCode: UNSUPPORTED_VERSION, apiKeys: named, throttleTimeMs: 0 }) };
}

/** A broker that speaks ApiVersions up to `top` and refuses anything above with `named`. */
function olderBroker(broker: FakeBroker, top: number, named: ApiRange[], ranges: ApiRange[]): void {
  broker.handle(ApiVersions, (req) =>
    req.version > top ? refusal(req.correlationId, named) : { body: { errorCode: 0, apiKeys: ranges, throttleTimeMs: 0 } },
  );
}

async function connectTo(broker: FakeBroker): Promise<Connection> {
  const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'versions-test', requestTimeoutMs: 2_000 }));
  await conn.connect();
  return conn;
}

function apiVersionsAsked(broker: FakeBroker): { version: number; connection: number }[] {
  return broker.requests.filter((r) => r.apiKey === ApiVersions.apiKey).map((r) => ({ version: r.apiVersion, connection: r.connection }));
}

test('a broker refusing v4 and naming 0-3 is asked again at v3 on the same connection, and the cluster works', async () => {
  const broker = await FakeBroker.start();
  const ranges = [{ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 3 }, METADATA_RANGE];
  olderBroker(broker, 3, [{ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 3 }], ranges);
  broker.handle(Metadata, () => ({
    body: metadataAnswer([broker], { clusterId: 'old' }),
  }));
  const cluster = new Cluster({ brokers: [broker.address], retry: { retries: 0, initialBackoffMs: 5, maxBackoffMs: 5, deadlineMs: 2_000 } });
  try {
    const md = await cluster.refreshMetadata([]);
    assert.equal(md.brokers.get(1)?.port, broker.port);
    assert.deepEqual(apiVersionsAsked(broker), [
      { version: 4, connection: 0 },
      { version: 3, connection: 0 },
    ]);
    // Metadata went out at the top of the broker's range, on that same connection.
    const metadata = broker.requests.filter((r) => r.apiKey === Metadata.apiKey);
    assert.deepEqual(metadata.map((r) => [r.apiVersion, r.connection]), [[12, 0]]);
    assert.equal(broker.connectionCount, 1);
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('a broker refusing v4 without naming its ApiVersions range is asked at v0', async () => {
  const broker = await FakeBroker.start();
  olderBroker(broker, 0, [], [METADATA_RANGE]);
  const conn = await connectTo(broker);
  try {
    const versions = await requestApiVersions(conn, broker.address);
    assert.deepEqual(versions.get(Metadata.apiKey), { minVersion: 0, maxVersion: 12 });
    assert.deepEqual(apiVersionsAsked(broker), [
      { version: 4, connection: 0 },
      { version: 0, connection: 0 },
    ]);
  } finally {
    await conn.close();
    await broker.stop();
  }
});

test('a broker refusing v4 while naming a range that holds v4 is asked at v0, not at v4 again', async () => {
  const broker = await FakeBroker.start();
  olderBroker(broker, 0, [{ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 4 }], [METADATA_RANGE]);
  const conn = await connectTo(broker);
  try {
    await requestApiVersions(conn, broker.address);
    assert.deepEqual(apiVersionsAsked(broker).map((r) => r.version), [4, 0]);
  } finally {
    await conn.close();
    await broker.stop();
  }
});

test('a broker that keeps refusing gives UnsupportedVersionError after one fallback, no loop', async () => {
  const broker = await FakeBroker.start();
  broker.handle(ApiVersions, (req) => refusal(req.correlationId, [{ apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 3 }]));
  const conn = await connectTo(broker);
  try {
    await assert.rejects(requestApiVersions(conn, broker.address), (err: unknown) => {
      assert.ok(err instanceof UnsupportedVersionError, String(err));
      assert.equal(err.code, 'ERR_UNSUPPORTED_VERSION');
      assert.equal(err.context.api, 'ApiVersions');
      assert.equal(err.context.broker, broker.address);
      assert.match(err.message, /refused v4 and then v3/);
      return true;
    });
    assert.deepEqual(apiVersionsAsked(broker).map((r) => r.version), [4, 3]);
  } finally {
    await conn.close();
    await broker.stop();
  }
});

test('through the cluster client, a refusing broker fails the request with the typed error and is not hammered', async () => {
  const broker = await FakeBroker.start();
  broker.handle(ApiVersions, (req) => refusal(req.correlationId, []));
  const cluster = new Cluster({ brokers: [broker.address], retry: { retries: 0, initialBackoffMs: 5, maxBackoffMs: 5, deadlineMs: 2_000 } });
  try {
    await assert.rejects(cluster.refreshMetadata([]), (err: unknown) => {
      const root = err instanceof Error && (err as { code?: string }).code === 'ERR_RETRIES_EXHAUSTED' ? err.cause : err;
      assert.ok(root instanceof UnsupportedVersionError, String(err));
      return true;
    });
    // Each connection attempt asks at most twice (v4, v0).
    const byConnection = new Map<number, number[]>();
    for (const r of apiVersionsAsked(broker)) byConnection.set(r.connection, [...(byConnection.get(r.connection) ?? []), r.version]);
    assert.ok(byConnection.size >= 1);
    for (const versions of byConnection.values()) assert.deepEqual(versions, [4, 0]);
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('ranges that make no sense are a ProtocolError, on the first answer and on the fallback answer', async () => {
  assert.throws(() => brokerRanges([{ apiKey: 1, minVersion: 5, maxVersion: 4 }], 'b:1'), ProtocolError);
  assert.throws(() => brokerRanges([{ apiKey: 1, minVersion: -1, maxVersion: 4 }], 'b:1'), ProtocolError);
  assert.throws(
    () =>
      brokerRanges(
        [
          { apiKey: 1, minVersion: 0, maxVersion: 4 },
          { apiKey: 1, minVersion: 0, maxVersion: 12 },
        ],
        'b:1',
      ),
    ProtocolError,
  );

  const broker = await FakeBroker.start();
  broker.handle(ApiVersions, (req) => refusal(req.correlationId, [{ apiKey: ApiVersions.apiKey, minVersion: 3, maxVersion: 1 }]));
  const conn = await connectTo(broker);
  try {
    await assert.rejects(requestApiVersions(conn, broker.address), (err: unknown) => {
      assert.ok(err instanceof ProtocolError, String(err));
      assert.equal(err.context.broker, broker.address);
      return true;
    });
    // Nonsense is not retried.
    assert.deepEqual(apiVersionsAsked(broker).map((r) => r.version), [4]);
  } finally {
    await conn.close();
    await broker.stop();
  }
});

test('fallbackVersion: the top of the overlap below the refused version, else 0', () => {
  const named = (min: number, max: number) => new Map([[ApiVersions.apiKey, { minVersion: min, maxVersion: max }]]);
  assert.equal(fallbackVersion(named(0, 3), 4), 3);
  assert.equal(fallbackVersion(named(0, 2), 4), 2);
  assert.equal(fallbackVersion(named(0, 4), 4), 0);
  assert.equal(fallbackVersion(named(0, 9), 4), 0);
  assert.equal(fallbackVersion(new Map(), 4), 0);
  // A newer broker refusing our top (a future client asking v9) is asked at what both speak.
  assert.equal(fallbackVersion(named(0, 7), 9), ApiVersions.maxVersion);
});
