/**
 * Chaos defect D3 (candidate cause): a restarting broker's port accepts TCP connections (the kernel
 * completes them into the listen backlog) long before the broker reads them, so a link that waits
 * for the ApiVersions answer with the request timeout (30 s) held every request for that broker
 * for 30 s. The whole connection setup — TCP, TLS, ApiVersions, SASL — is now bounded by
 * connectTimeoutMs (Java socket.connection.setup.timeout.ms), and the link tries again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { KafkaStageError } from '../../src/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';
import { metadataAnswer } from '../helpers/metadata-answer.js';

test('a broker that accepts the connection but never answers ApiVersions fails the link within connectTimeoutMs, not requestTimeoutMs', async () => {
  const broker = await FakeBroker.start();
  broker.handle(ApiVersions, () => 'stall');
  broker.handle(Metadata, () => ({ body: metadataAnswer([broker]) }));
  const cluster = new Cluster({ brokers: [broker.address], connectTimeoutMs: 300, requestTimeoutMs: 20_000, retry: { retries: 0 } });
  const started = Date.now();
  try {
    const error = await cluster.connect().then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    const ms = Date.now() - started;
    assert.ok(ms < 5_000, `failed after ${ms} ms (connectTimeoutMs 300, requestTimeoutMs 20 000)`);
    assert.ok(error instanceof KafkaStageError, String(error));
    const root = error.code === 'ERR_RETRIES_EXHAUSTED' ? (error.cause as KafkaStageError) : error;
    assert.equal(root.code, 'ERR_CONNECTION');
    assert.ok(root.retriable, 'retriable: the broker may be starting');
    assert.match(root.message, /connectTimeoutMs/);
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('the link tries again and connects once the broker answers ApiVersions', async () => {
  const broker = await FakeBroker.start();
  let stalled = 0;
  // The first connection's ApiVersions is never answered (the broker still starting); later ones are.
  broker.handle(ApiVersions, (req) => {
    if (req.connection === 0) {
      stalled++;
      return 'stall';
    }
    return { body: { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }, { apiKey: 3, minVersion: 0, maxVersion: 12 }], throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false } };
  });
  broker.handle(Metadata, () => ({ body: metadataAnswer([broker]) }));
  const cluster = new Cluster({ brokers: [broker.address], connectTimeoutMs: 300, requestTimeoutMs: 20_000, retry: { retries: 5, initialBackoffMs: 5, maxBackoffMs: 20 } });
  const started = Date.now();
  try {
    await cluster.connect();
    const ms = Date.now() - started;
    assert.equal(stalled, 1);
    assert.ok(ms < 5_000, `connected after ${ms} ms`);
    assert.ok(broker.connectionCount >= 2);
  } finally {
    await cluster.close();
    await broker.stop();
  }
});
