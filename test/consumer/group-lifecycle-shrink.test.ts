/**
 * ConsumerGroup lifecycle, defect 8 (issue #8): release() of a partition that a rebalance revokes
 * meanwhile starts no zombie stage. The rebalance comes from the topic losing its last partition,
 * which no Kafka broker does (partitions can only be added), so this test stays on the scripted
 * FakeLogBroker; the other lifecycle tests run on FakeKafkaCluster (group-lifecycle.test.ts).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import type { ConsumerGroupOptions } from '../../src/consumer/options.js';
import { KafkaStageError } from '../../src/errors.js';
import { FakeLogBroker, LOG_TOPIC } from './fake-log-broker.js';
import { eventually } from '../helpers/eventually.js';

const T = { timeout: 20_000 };
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

async function broker(partitions = 2, records = 200): Promise<FakeLogBroker> {
  const fake = await FakeLogBroker.start({ partitions, records, batchSize: 50 });
  open.push(fake);
  return fake;
}

describe('ConsumerGroup lifecycle (issue #8)', () => {
  it('defect 8: release() whose partition is revoked in a rebalance meanwhile starts no zombie stage, and later commits succeed', T, async () => {
    const fake = await broker(2);
    const errors: Error[] = [];
    let took1 = false;
    const settings: ConsumerGroupOptions = { ...fake.cluster(), groupId: 'g', topics: [LOG_TOPIC], assignors: ['range'], heartbeatIntervalMs: 20, sessionTimeoutMs: 6_000 };
    const group = new ConsumerGroup({ ...settings, autoOffsetReset: 'earliest', commit: { strategy: 'async', intervalMs: 50 }, metadataMaxAgeMs: 50 }, async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 10 })) {
        if (stage.partition === 1) took1 = true;
        else await stage.ack(batch);
      }
    });
    open.push(group);
    group.on('error', (e) => errors.push(e));
    await group.start();
    await eventually(() => took1, { what: 'partition 1 delivered', timeoutMs: 5_000 });
    // release() of partition 1 parks in its final commit ...
    let openGate!: () => void;
    fake.commitGate = new Promise<void>((resolve) => (openGate = resolve));
    const committedBefore = fake.commitsReceived;
    const released = group.release(LOG_TOPIC, 1);
    await eventually(() => fake.commitsReceived > committedBefore, { what: 'the final commit of the release sent', timeoutMs: 5_000 });
    // ... while the topic shrinks and the leader's rebalance revokes everything (eager).
    fake.removeLastPartition();
    await eventually(() => group.stage(LOG_TOPIC, 0) === undefined, { what: 'the rebalance revoked partition 0', timeoutMs: 5_000 });
    fake.commitGate = null;
    openGate();
    assert.equal(await released, false, 'release() refused: partition 1 was revoked meanwhile');
    await eventually(() => group.stage(LOG_TOPIC, 0) !== undefined, { what: 'partition 0 assigned again', timeoutMs: 5_000 });
    assert.deepEqual(group.assignment(), [{ topic: LOG_TOPIC, partition: 0 }], 'no zombie stage for partition 1');
    await group.commit();
    assert.ok(!errors.some((e) => e instanceof KafkaStageError && e.code === 'ERR_PARTITION_NOT_OWNED'), errors.map((e) => e.message).join('; '));
  });
});
