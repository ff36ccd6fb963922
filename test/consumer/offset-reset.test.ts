/**
 * Offset resolution against a two-broker FakeKafkaCluster: one ListOffsets per leader, the right
 * special timestamp and isolation level, a moved leader retried where metadata now points, and
 * errors that end the look-up. Partition p holds 10·(p+1) records, so each latest offset differs.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { tpKey } from '../../src/consumer/contracts.js';
import { NoOffsetError } from '../../src/consumer/errors.js';
import { listOffsets, resolveStartOffsets } from '../../src/consumer/offset-reset.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';

const TOPIC = 'orders';

/** What the test reads of a ListOffsets request body. */
interface ListOffsetsBody {
  isolationLevel: number;
  topics: { name: string; partitions: { partitionIndex: number; timestamp: bigint }[] }[];
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Two brokers; `leaders` maps each partition to the node that leads it. */
async function twoBrokers(leaders: Map<number, number>): Promise<{ fake: FakeKafkaCluster; cluster: Cluster }> {
  const fake = await FakeKafkaCluster.start({ brokers: 2, topics: [{ topic: TOPIC, partitions: leaders.size }] });
  cleanup.push(() => fake.stop());
  for (const [partition, node] of leaders) {
    fake.moveLeader(TOPIC, partition, node);
    await fake.append(
      TOPIC,
      partition,
      Array.from({ length: 10 * (partition + 1) }, (_, i) => ({ key: null, value: `${partition}-${i}` })),
    );
  }
  const cluster = new Cluster({ brokers: fake.bootstrap, retry: { initialBackoffMs: 1, maxBackoffMs: 5 } });
  cleanup.push(() => cluster.close());
  return { fake, cluster };
}

/** Each ListOffsets the brokers got: which broker, and the partitions it named with their timestamps. */
function asked(fake: FakeKafkaCluster): { broker: number; isolationLevel: number; partitions: { partition: number; timestamp: bigint }[] }[] {
  return fake.requests<ListOffsetsBody>('ListOffsets').map((r) => ({
    broker: r.broker,
    isolationLevel: r.body.isolationLevel,
    partitions: r.body.topics.flatMap((t) => t.partitions.map((p) => ({ partition: p.partitionIndex, timestamp: p.timestamp }))),
  }));
}

const tps = (...partitions: number[]) => partitions.map((partition) => ({ topic: TOPIC, partition }));

test('one ListOffsets per leader, earliest (-2) or latest (-1), with the isolation level', async () => {
  const { fake, cluster } = await twoBrokers(
    new Map([
      [0, 1],
      [1, 2],
      [2, 1],
    ]),
  );
  const earliest = await listOffsets(cluster, tps(0, 1, 2), 'earliest');
  assert.deepEqual([...earliest].sort(), [
    [tpKey(TOPIC, 0), 0],
    [tpKey(TOPIC, 1), 0],
    [tpKey(TOPIC, 2), 0],
  ]);
  const first = asked(fake);
  assert.equal(first.length, 2, 'one request per leader');
  assert.deepEqual(first.find((a) => a.broker === 1)?.partitions.map((p) => p.partition).sort(), [0, 2]);
  assert.deepEqual(first.find((a) => a.broker === 2)?.partitions.map((p) => p.partition), [1]);
  assert.ok(first.every((a) => a.partitions.every((p) => p.timestamp === -2n)), 'earliest is timestamp -2');
  const latest = await listOffsets(cluster, tps(0, 1, 2), 'latest', { isolationLevel: 'read_committed' });
  assert.deepEqual([latest.get(tpKey(TOPIC, 0)), latest.get(tpKey(TOPIC, 1)), latest.get(tpKey(TOPIC, 2))], [10, 20, 30]);
  const second = asked(fake).slice(first.length);
  assert.ok(second.length > 0 && second.every((a) => a.partitions.every((p) => p.timestamp === -1n)), 'latest is timestamp -1');
  assert.ok(second.every((a) => a.isolationLevel === 1), 'read_committed');
});

test('a moved leader: NOT_LEADER_OR_FOLLOWER is retried where fresh metadata points', async () => {
  const { fake, cluster } = await twoBrokers(
    new Map([
      [0, 1],
      [1, 1],
    ]),
  );
  await cluster.connect();
  await cluster.refreshMetadata([TOPIC]); // the cache says broker 1 leads both
  fake.moveLeader(TOPIC, 1, 2); // now broker 2 leads partition 1; our cache still says 1
  const found = await resolveStartOffsets(cluster, tps(0, 1), new Map(), 'latest');
  assert.equal(found.get(tpKey(TOPIC, 0)), 10);
  assert.equal(found.get(tpKey(TOPIC, 1)), 20);
  assert.deepEqual(
    asked(fake).map((a) => [a.broker, a.partitions.map((p) => p.partition).sort()]),
    [
      [1, [0, 1]],
      [2, [1]],
    ],
    'only the failed partition is asked again, of its new leader',
  );
});

test('a non-retriable error ends the look-up with that error', async () => {
  const { fake, cluster } = await twoBrokers(new Map([[0, 1]]));
  fake.fail('ListOffsets', 'TOPIC_AUTHORIZATION_FAILED', { topic: TOPIC, partition: 0, times: Number.POSITIVE_INFINITY });
  const err = await listOffsets(cluster, tps(0), 'earliest').catch((e: unknown) => e);
  assert.ok(err instanceof KafkaError, String(err));
  assert.equal(err.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  assert.equal(err.context.partition, 0);
  assert.equal(asked(fake).length, 1, 'not retried');
});

test("policy 'none' fails before asking anything", async () => {
  const { fake, cluster } = await twoBrokers(new Map([[0, 1]]));
  const err = await resolveStartOffsets(cluster, tps(0), new Map([[tpKey(TOPIC, 0), null]]), 'none').catch((e: unknown) => e);
  assert.ok(err instanceof NoOffsetError, String(err));
  assert.equal(asked(fake).length, 0);
});
