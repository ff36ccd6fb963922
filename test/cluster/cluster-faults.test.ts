/**
 * The cluster client against a fake broker: bootstrap fallbacks, recovery by reconnecting after a
 * dropped connection, hostile bytes, a restarted broker, and a broker lacking an API version.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { UnsupportedVersionError } from '../../src/protocol/versions.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { KafkaStageError } from '../../src/errors.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { FakeBroker, responseFrame } from '../helpers/fake-broker.js';
import { metadataAnswer } from '../helpers/metadata-answer.js';

const fastRetry = { retries: 5, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 5_000 };

/** Topic `t` with two partitions, all led by the fake broker (node 1). */
const TOPIC_T = { topics: [{ name: 't', partitions: 2 }] };

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('bootstrap falls through a dead address to a live one', async () => {
  const broker = await FakeBroker.start();
  broker.handle(Metadata, () => ({ body: metadataAnswer([broker], TOPIC_T) }));
  const dead = await deadPort();
  const cluster = new Cluster({ brokers: [`127.0.0.1:${dead}`, broker.address], retry: fastRetry, connectTimeoutMs: 1000 });
  try {
    // Whichever bootstrap address is tried first, the refresh must end on the live one.
    await cluster.connect();
    assert.equal(await cluster.leaderFor('t', 1), 1);
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('a connection dropped mid-request is replaced and the request retried', async () => {
  const broker = await FakeBroker.start();
  broker.handle(Metadata, (req) => (req.seq === 0 ? 'close' : { body: metadataAnswer([broker], TOPIC_T) }));
  const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry });
  try {
    const md = await cluster.refreshMetadata(['t']);
    assert.equal(md.topics.get('t')?.partitions.length, 2);
    assert.ok(broker.connectionCount >= 2, 'a new connection was opened after the drop');
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('hostile bytes give a typed error, then the client recovers by reconnecting', async () => {
  const broker = await FakeBroker.start();
  broker.handle(Metadata, (req) =>
    // First a frame whose brokers array claims 2^31-1 elements in a few bytes, then a sane answer.
    req.seq === 0 ? { raw: responseFrame(req.correlationId, Buffer.from([0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0])) } : { body: metadataAnswer([broker], TOPIC_T) },
  );
  const noRetry = new Cluster({ brokers: [broker.address], retry: { ...fastRetry, retries: 0 } });
  try {
    await assert.rejects(noRetry.refreshMetadata(['t']), (err: unknown) => {
      assert.ok(err instanceof KafkaStageError, String(err));
      // ProtocolError directly, or wrapped when retries ran out.
      const root = err.code === 'ERR_RETRIES_EXHAUSTED' ? (err.cause as KafkaStageError) : err;
      assert.equal(root.code, 'ERR_PROTOCOL');
      return true;
    });
    const md = await noRetry.refreshMetadata(['t']);
    assert.equal(md.topics.get('t')?.partitions.length, 2);
    assert.ok(broker.connectionCount >= 2);
  } finally {
    await noRetry.close();
    await broker.stop();
  }
});

test('a broker restarted on the same port is reconnected to', async () => {
  let broker = await FakeBroker.start();
  broker.handle(Metadata, () => ({ body: metadataAnswer([broker], TOPIC_T) }));
  const port = broker.port;
  const cluster = new Cluster({ brokers: [broker.address], retry: { ...fastRetry, deadlineMs: 10_000, retries: 50 } });
  try {
    await cluster.connect();
    await broker.stop();
    const pending = cluster.refreshMetadata(['t']);
    broker = await FakeBroker.start({ port });
    const restarted = broker;
    broker.handle(Metadata, () => ({ body: metadataAnswer([restarted], TOPIC_T) }));
    const md = await pending;
    assert.equal(md.topics.get('t')?.partitions[0]?.leader, 1);
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('a broker lacking every version we speak of an API gives a typed error naming it', async () => {
  const broker = await FakeBroker.start({ apiVersions: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }, { apiKey: 3, minVersion: 50, maxVersion: 60 }], apis: [Metadata] });
  const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry });
  try {
    await assert.rejects(cluster.connect(), (err: unknown) => {
      assert.ok(err instanceof UnsupportedVersionError, String(err));
      assert.equal(err.context.api, 'Metadata');
      return true;
    });
  } finally {
    await cluster.close();
    await broker.stop();
  }
});

test('an unknown topic is a typed Kafka error naming the topic, not a hang', async () => {
  const broker = await FakeBroker.start();
  broker.handle(Metadata, () => ({
    body: metadataAnswer([broker], { topics: [{ name: 'nope', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] }] }),
  }));
  const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry });
  try {
    await assert.rejects(cluster.leaderFor('nope', 0), (err: unknown) => {
      assert.ok(err instanceof KafkaError, String(err));
      assert.equal(err.errorName, 'UNKNOWN_TOPIC_OR_PARTITION');
      assert.equal(err.context.topic, 'nope');
      return true;
    });
  } finally {
    await cluster.close();
    await broker.stop();
  }
});
