/**
 * Rebootstrap (KIP-899, KIP-1102) against fake brokers: the cluster client goes back to its
 * bootstrap list when every broker the metadata names is unreachable, when metadata could not be
 * refreshed for metadataRecoveryRebootstrapTriggerMs, and when a broker answers
 * REBOOTSTRAP_REQUIRED; with metadataRecoveryStrategy 'none' it does not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { resolveClusterOptions } from '../../src/cluster/options.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { InvalidOptionError, KafkaStageError } from '../../src/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';
import { metadataAnswer, node } from '../helpers/metadata-answer.js';

const fastRetry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 5_000 };

/** A Metadata answer naming `brokers` (node id → fake broker), topic `t` led by `leader`. */
function metadataNaming(brokers: [number, FakeBroker][], leader: number, errorCode = 0) {
  return metadataAnswer(
    brokers.map(([nodeId, b]) => node(nodeId, b)),
    { controllerId: leader, topics: [{ name: 't', partitions: [{ leader }] }], errorCode },
  );
}

/**
 * A bootstrap broker whose first answer names two other brokers (nodes 1 and 2) and not itself;
 * the cluster client learns them, then the bootstrap connection is dropped, as when a load
 * balancer's connection ends.
 */
async function world(strategy: 'rebootstrap' | 'none', extra: { requestTimeoutMs?: number; triggerMs?: number; deadlineMs?: number } = {}) {
  const bootstrap = await FakeBroker.start();
  const b1 = await FakeBroker.start();
  const b2 = await FakeBroker.start();
  let bootstrapAnswers = metadataNaming([[1, b1], [2, b2]], 1);
  bootstrap.handle(Metadata, () => ({ body: bootstrapAnswers }));
  const cluster = new Cluster({
    brokers: [bootstrap.address],
    retry: { ...fastRetry, deadlineMs: extra.deadlineMs ?? fastRetry.deadlineMs },
    connectTimeoutMs: 1000,
    requestTimeoutMs: extra.requestTimeoutMs ?? 5_000,
    metadataRecoveryStrategy: strategy,
    metadataRecoveryRebootstrapTriggerMs: extra.triggerMs ?? 300_000,
  });
  await cluster.connect();
  assert.deepEqual([...(cluster.metadata?.brokers.keys() ?? [])], [1, 2]);
  bootstrap.dropConnections();
  return {
    bootstrap,
    b1,
    b2,
    cluster,
    /** From now on the bootstrap broker answers as node 9 of a cluster of its own. */
    moveClusterToBootstrap(): void {
      bootstrapAnswers = metadataNaming([[9, bootstrap]], 9);
    },
    async close(): Promise<void> {
      await cluster.close();
      await Promise.all([bootstrap.stop(), b1.stop(), b2.stop()]);
    },
  };
}

describe('rebootstrap', () => {
  it('every known broker unreachable: the client finds the cluster again through the bootstrap list', async () => {
    const w = await world('rebootstrap');
    try {
      await w.b1.stop();
      await w.b2.stop();
      w.moveClusterToBootstrap();
      const md = await w.cluster.refreshMetadata(['t']);
      assert.equal(md.topics.get('t')?.partitions[0]?.leader, 9);
      assert.deepEqual([...md.brokers.keys()], [9]);
      assert.equal(await w.cluster.leaderFor('t', 0), 9);
      assert.equal(w.cluster.rebootstrapCount, 1);
    } finally {
      await w.close();
    }
  });

  it("metadataRecoveryStrategy 'none': the client keeps to the known brokers and gives up with a typed error", async () => {
    const w = await world('none');
    try {
      await w.b1.stop();
      await w.b2.stop();
      w.moveClusterToBootstrap();
      const before = w.bootstrap.requestsFor(Metadata).length;
      await assert.rejects(w.cluster.refreshMetadata(['t']), (err: unknown) => {
        assert.ok(err instanceof KafkaStageError, String(err));
        assert.equal(err.code, 'ERR_RETRIES_EXHAUSTED');
        return true;
      });
      assert.equal(w.bootstrap.requestsFor(Metadata).length, before, 'the bootstrap broker was not asked');
      assert.equal(w.cluster.rebootstrapCount, 0);
    } finally {
      await w.close();
    }
  });

  it('metadata stale past metadataRecoveryRebootstrapTriggerMs while brokers still accept connections: rebootstrap', async () => {
    // Both known brokers accept connections and answer ApiVersions, but never Metadata: the links
    // never fail to connect, so only the staleness bound can send the client back to bootstrap.
    const w = await world('rebootstrap', { requestTimeoutMs: 200, triggerMs: 600 });
    try {
      w.b1.handle(Metadata, () => 'ignore');
      w.b2.handle(Metadata, () => 'ignore');
      w.moveClusterToBootstrap();
      const started = Date.now();
      const md = await w.cluster.refreshMetadata(['t']);
      assert.equal(md.topics.get('t')?.partitions[0]?.leader, 9);
      assert.equal(w.cluster.rebootstrapCount, 1);
      assert.ok(Date.now() - started >= 600, 'not before the trigger bound');
      assert.ok(w.b1.requestsFor(Metadata).length + w.b2.requestsFor(Metadata).length >= 2, 'the known brokers were tried first');
    } finally {
      await w.close();
    }
  });

  it("stale metadata with strategy 'none': no rebootstrap, the refresh gives up", async () => {
    // Trigger 0 would rebootstrap after the first failure, were the strategy 'rebootstrap'.
    const w = await world('none', { requestTimeoutMs: 100, triggerMs: 0, deadlineMs: 1_000 });
    try {
      w.b1.handle(Metadata, () => 'ignore');
      w.b2.handle(Metadata, () => 'ignore');
      w.moveClusterToBootstrap();
      const before = w.bootstrap.requestsFor(Metadata).length;
      await assert.rejects(w.cluster.refreshMetadata(['t']), (err: unknown) => {
        assert.ok(err instanceof KafkaStageError, String(err));
        assert.equal(err.code, 'ERR_RETRIES_EXHAUSTED');
        return true;
      });
      assert.ok(w.b1.requestsFor(Metadata).length + w.b2.requestsFor(Metadata).length >= 2, 'the known brokers were retried');
      assert.equal(w.bootstrap.requestsFor(Metadata).length, before);
      assert.equal(w.cluster.rebootstrapCount, 0);
    } finally {
      await w.close();
    }
  });

  it('a broker answering REBOOTSTRAP_REQUIRED (KIP-1102) sends the client back to the bootstrap list', async () => {
    const w = await world('rebootstrap');
    try {
      const required = metadataNaming([[1, w.b1], [2, w.b2]], 1, ErrorCode.REBOOTSTRAP_REQUIRED);
      w.b1.handle(Metadata, () => ({ body: required }));
      w.b2.handle(Metadata, () => ({ body: required }));
      w.moveClusterToBootstrap();
      const md = await w.cluster.refreshMetadata(['t']);
      assert.deepEqual([...md.brokers.keys()], [9]);
      assert.equal(w.cluster.rebootstrapCount, 1);
    } finally {
      await w.close();
    }
  });

  it("REBOOTSTRAP_REQUIRED with strategy 'none' is a KafkaError naming the code, not a silent success", async () => {
    const w = await world('none');
    try {
      const required = metadataNaming([[1, w.b1], [2, w.b2]], 1, ErrorCode.REBOOTSTRAP_REQUIRED);
      w.b1.handle(Metadata, () => ({ body: required }));
      w.b2.handle(Metadata, () => ({ body: required }));
      await assert.rejects(w.cluster.refreshMetadata(['t']), (err: unknown) => {
        assert.ok(err instanceof KafkaError, String(err));
        assert.equal(err.errorCode, 129);
        return true;
      });
    } finally {
      await w.close();
    }
  });

  it('after a rebootstrap the client follows the brokers the new metadata names', async () => {
    const w = await world('rebootstrap');
    const b3 = await FakeBroker.start();
    try {
      await w.b1.stop();
      await w.b2.stop();
      // The bootstrap broker now points at a cluster whose only broker is b3.
      const moved = metadataNaming([[3, b3]], 3);
      w.bootstrap.handle(Metadata, () => ({ body: moved }));
      b3.handle(Metadata, () => ({ body: moved }));
      await w.cluster.refreshMetadata(['t']);
      assert.equal(w.cluster.rebootstrapCount, 1);
      w.bootstrap.dropConnections();
      await w.bootstrap.stop();
      // The next refresh goes to b3 as any broker would: no second rebootstrap.
      const md = await w.cluster.refreshMetadata(['t']);
      assert.equal(md.topics.get('t')?.partitions[0]?.leader, 3);
      assert.ok(b3.requestsFor(Metadata).length >= 1);
      assert.equal(w.cluster.rebootstrapCount, 1);
    } finally {
      await w.close();
      await b3.stop();
    }
  });
});

describe('rebootstrap options', () => {
  it('default as Java 4.x: rebootstrap, trigger 300 000 ms', () => {
    const o = resolveClusterOptions({ brokers: ['127.0.0.1:9092'] });
    assert.deepEqual(o.metadataRecovery, { strategy: 'rebootstrap', triggerMs: 300_000 });
  });

  it('invalid values are refused synchronously, naming the option', () => {
    assert.throws(
      () => resolveClusterOptions({ brokers: ['127.0.0.1:9092'], metadataRecoveryStrategy: 'sometimes' as 'none' }),
      (err: unknown) => err instanceof InvalidOptionError && err.message.includes('metadataRecoveryStrategy'),
    );
    assert.throws(
      () => resolveClusterOptions({ brokers: ['127.0.0.1:9092'], metadataRecoveryRebootstrapTriggerMs: -1 }),
      (err: unknown) => err instanceof InvalidOptionError && err.message.includes('metadataRecoveryRebootstrapTriggerMs'),
    );
    assert.throws(
      () => resolveClusterOptions({ brokers: ['127.0.0.1:9092'], metadataRecoveryRebootstrapTriggerMs: 1.5 }),
      (err: unknown) => err instanceof InvalidOptionError && err.message.includes('metadataRecoveryRebootstrapTriggerMs'),
    );
  });
});
