/**
 * What is logged once per occurrence, against a fake broker and the commit manager: a broker
 * outage (one warning, one recovery line with its duration, however many reconnects failed in
 * between), a clean close followed by a good reconnect (no warning), throttling (at most once a
 * minute per broker), and a failing commit streak (one warning or error, one recovery line).
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { inspect } from 'node:util';
import { Cluster } from '../src/cluster/cluster.js';
import { LinkLog, THROTTLE_REPORT_MS } from '../src/cluster/link-log.js';
import { CommitManager, type CommittableSource } from '../src/consumer/commit-manager.js';
import { Metadata } from '../src/protocol/apis/index.js';
import { kafkaErrorOf } from '../src/protocol/kafka-error.js';
import { ConnectionError } from '../src/network/errors.js';
import { captureLogger as capture } from './helpers/capture-logger.js';
import { FakeBroker } from './helpers/fake-broker.js';
import { metadataAnswer } from './helpers/metadata-answer.js';

const fastRetry = { retries: 3, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 3_000 };

/** A fake broker naming itself node 1, answering Metadata with `throttleTimeMs`. */
async function metadataBroker(port = 0, throttleTimeMs = 0): Promise<FakeBroker> {
  const broker = await FakeBroker.start({ port });
  broker.handle(Metadata, () => ({ body: metadataAnswer([broker], { throttleTimeMs }) }));
  return broker;
}

describe('broker connections', () => {
  it('a broker down then back: exactly one warning and one recovery line with the outage duration', async () => {
    let broker = await metadataBroker();
    const port = broker.port;
    const logger = capture();
    const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry, connectTimeoutMs: 1_000, logger });
    try {
      await cluster.connect();
      assert.deepEqual(logger.entries, []);
      await broker.stop(); // drops the connections and refuses new ones
      // Several refreshes, each retrying: many failed connects, to the bootstrap link and to node 1.
      for (let i = 0; i < 3; i++) await assert.rejects(cluster.refreshMetadata([]));
      broker = await metadataBroker(port);
      await cluster.refreshMetadata([]);
      const warnings = logger.at('warn');
      // Besides the rebootstrap (all known brokers failing sends the client back to its bootstrap list, once).
      const infos = logger.at('info').filter((e) => !e.message.startsWith('rebootstrap'));
      assert.ok(logger.at('info').length - infos.length <= 1, inspect(logger.entries));
      assert.equal(warnings.length, 1, inspect(logger.entries));
      assert.match(warnings[0]?.message ?? '', /^(connection to broker lost|cannot connect to broker)$/);
      assert.equal(warnings[0]?.fields?.broker, `127.0.0.1:${port}`);
      assert.ok(warnings[0]?.fields?.err instanceof Error);
      assert.equal(infos.length, 1, inspect(logger.entries));
      assert.equal(infos[0]?.message, 'connection to broker restored');
      assert.equal(typeof infos[0]?.fields?.outageMs, 'number');
      assert.ok(logger.at('debug').some((e) => e.message === 'connecting to broker failed again'), 'later failures are debug');
      assert.deepEqual(logger.at('error'), []);
    } finally {
      await cluster.close();
      await broker.stop();
    }
  });

  it('a broker closing an idle connection, reconnect fine: no warning', async () => {
    const broker = await metadataBroker();
    const logger = capture();
    const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry, logger });
    try {
      await cluster.connect();
      broker.dropConnections();
      await cluster.refreshMetadata([]);
      assert.deepEqual([...logger.at('warn'), ...logger.at('info'), ...logger.at('error')], [], inspect(logger.entries));
      assert.ok(broker.connectionCount >= 2, 'the client reconnected');
    } finally {
      await cluster.close();
      await broker.stop();
    }
  });

  it('a broker that stops answering: one warning at the request timeout, one recovery line', async () => {
    const broker = await FakeBroker.start();
    broker.handle(Metadata, (req) =>
      req.seq === 1
        ? 'stall'
        : { body: metadataAnswer([broker]) },
    );
    const logger = capture();
    const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry, requestTimeoutMs: 300, logger });
    try {
      await cluster.connect();
      await cluster.refreshMetadata([]); // the stalled answer times out, the retry on a new connection succeeds
      assert.deepEqual(logger.entries.filter((e) => e.level !== 'debug').map((e) => [e.level, e.message, (e.fields?.err as Error | undefined)?.name]), [
        ['warn', 'connection to broker lost', 'RequestTimeoutError'],
        ['info', 'connection to broker restored', undefined],
      ]);
    } finally {
      await cluster.close();
      await broker.stop();
    }
  });

  it('a closing client logs nothing', async () => {
    const broker = await metadataBroker();
    const logger = capture();
    const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry, logger });
    await cluster.connect();
    await cluster.close();
    await broker.stop();
    assert.deepEqual(logger.entries, []);
  });
});

describe('throttling', () => {
  it('a broker answering with throttle_time_ms > 0 is one warning with the ms, not one per answer', async () => {
    const broker = await metadataBroker(0, 250);
    const logger = capture();
    const cluster = new Cluster({ brokers: [broker.address], retry: fastRetry, logger });
    try {
      for (let i = 0; i < 5; i++) await cluster.refreshMetadata([]);
      assert.equal(logger.entries.length, 1, inspect(logger.entries));
      assert.equal(logger.entries[0]?.level, 'warn');
      assert.equal(logger.entries[0]?.fields?.throttleTimeMs, 250);
      assert.equal(logger.entries[0]?.fields?.api, 'Metadata');
      assert.equal(logger.entries[0]?.fields?.broker, broker.address);
    } finally {
      await cluster.close();
      await broker.stop();
    }
  });

  it('is reported again after a minute, per broker, with the count of answers in between', () => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      const logger = capture();
      const log = new LinkLog(logger);
      log.throttled('a:1', 1, 'Produce', 100);
      log.throttled('a:1', 1, 'Produce', 120);
      log.throttled('b:1', 2, 'Fetch', 50); // another broker: its own report
      mock.timers.tick(THROTTLE_REPORT_MS - 1);
      log.throttled('a:1', 1, 'Produce', 130);
      assert.equal(logger.entries.length, 2);
      mock.timers.tick(1);
      log.throttled('a:1', 1, 'Produce', 140);
      assert.deepEqual(
        logger.entries.map((e) => [e.fields?.broker, e.fields?.throttleTimeMs, e.fields?.throttledSinceLastReport]),
        [['a:1', 100, undefined], ['b:1', 50, undefined], ['a:1', 140, 2]],
      );
    } finally {
      mock.timers.reset();
    }
  });

  it('an outage starts with a connect failure or a failed connection, not with a clean close', () => {
    const logger = capture();
    const log = new LinkLog(logger);
    const closed = new ConnectionError('broker closed', {});
    Object.defineProperty(closed, 'code', { value: 'ERR_CONNECTION_CLOSED' });
    log.dropped('a:1', 1, closed);
    log.connected('a:1', 1);
    assert.deepEqual(logger.at('warn'), []);
    log.dropped('a:1', 1, new ConnectionError('read ECONNRESET', {}));
    log.dropped('a:1', 1, new ConnectionError('read ECONNRESET', {})); // a second link to it
    log.connectFailed('a:1', 1, new ConnectionError('connect ECONNREFUSED', {}));
    log.connected('a:1', 1);
    assert.deepEqual(logger.entries.filter((e) => e.level !== 'debug').map((e) => [e.level, e.message]), [
      ['warn', 'connection to broker lost'],
      ['info', 'connection to broker restored'],
    ]);
  });
});

describe('commit failures', () => {
  function source(partition: number): CommittableSource {
    return { topic: 't', partition, committableOffset: 0 };
  }

  it('a failing streak is one warning (retriable) and one recovery line; the failures between are debug', async () => {
    const logger = capture();
    const failures = [kafkaErrorOf(15), kafkaErrorOf(15), kafkaErrorOf(15)];
    const m = new CommitManager({ strategy: 'none', intervalMs: 1_000, threshold: 1, logger, commit: async () => {
      const failure = failures.shift();
      if (failure) throw failure;
    } });
    const s0 = source(0);
    const s1 = source(1);
    m.register(s0, null);
    m.register(s1, null);
    for (let offset = 1; offset <= 3; offset++) await assert.rejects(m.commitOffset(s0, offset));
    await m.commitOffset(s1, 7);
    await m.commitOffset(s0, 9);
    assert.deepEqual(logger.entries.map((e) => [e.level, e.message]), [
      ['warn', 'offset commit failed'],
      ['debug', 'offset commit failed again'],
      ['debug', 'offset commit failed again'],
      ['info', 'offset commits succeed again'],
    ]);
    assert.equal(logger.entries[0]?.fields?.partitions, 't:0');
    assert.equal(logger.entries[0]?.fields?.code, 'COORDINATOR_NOT_AVAILABLE');
    assert.equal(logger.entries[3]?.fields?.failedCommits, 3);
    await m.stop();
  });

  it('a commit refused for good is an error line', async () => {
    const logger = capture();
    const m = new CommitManager({ strategy: 'none', intervalMs: 1_000, threshold: 1, logger, commit: () => Promise.reject(kafkaErrorOf(12)) });
    const s = source(2);
    m.register(s, null);
    await assert.rejects(m.commitOffset(s, 5));
    assert.deepEqual(logger.entries.map((e) => [e.level, e.message, e.fields?.code, e.fields?.partitions]), [['error', 'offset commit failed', 'OFFSET_METADATA_TOO_LARGE', 't:2']]);
    await m.stop();
  });
});
