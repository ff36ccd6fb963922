/**
 * Offset resolution against scripted fake brokers: one ListOffsets per leader, the right special
 * timestamp and isolation level, a moved leader retried where metadata now points, and errors that
 * end the look-up.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { tpKey } from '../../src/consumer/contracts.js';
import { listOffsets, resolveStartOffsets } from '../../src/consumer/offset-reset.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { NoOffsetError } from '../../src/consumer/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';

const TOPIC = 'orders';

interface Asked {
  broker: number;
  isolationLevel: number;
  partitions: { partition: number; timestamp: bigint }[];
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

/**
 * Two fake brokers; `leaders` says who leads each partition (tests may change it). Each answers
 * ListOffsets with offset 100 × partition + (earliest ? 1 : 2), or with the error `errorFor` gives.
 */
async function twoBrokers(leaders: Map<number, number>, errorFor: (partition: number, broker: number) => number = () => 0) {
  const brokers = new Map<number, FakeBroker>([
    [1, await FakeBroker.start()],
    [2, await FakeBroker.start()],
  ]);
  const asked: Asked[] = [];
  for (const [id, broker] of brokers) {
    broker.handle(Metadata, () => ({
      body: {
        throttleTimeMs: 0,
        brokers: [...brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port, rack: null })),
        clusterId: 'fake',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: TOPIC,
            topicId: 'AAAAAAAAAAAAAAAAAAAAAw',
            isInternal: false,
            partitions: [...leaders].map(([partitionIndex, leaderId]) => ({
              errorCode: 0,
              partitionIndex,
              leaderId,
              leaderEpoch: 1,
              replicaNodes: [leaderId],
              isrNodes: [leaderId],
              offlineReplicas: [],
            })),
          },
        ],
      },
    }));
    broker.handle(ListOffsets, (req) => {
      const body = req.decode();
      const parts = body.topics.flatMap((t) => t.partitions.map((p) => ({ partition: p.partitionIndex, timestamp: p.timestamp })));
      asked.push({ broker: id, isolationLevel: body.isolationLevel, partitions: parts });
      return {
        body: {
          throttleTimeMs: 0,
          topics: [
            {
              name: TOPIC,
              partitions: parts.map((p) => {
                const errorCode = errorFor(p.partition, id);
                return {
                  partitionIndex: p.partition,
                  errorCode,
                  timestamp: -1n,
                  offset: errorCode === 0 ? BigInt(100 * p.partition + (p.timestamp === -2n ? 1 : 2)) : -1n,
                  leaderEpoch: 1,
                };
              }),
            },
          ],
        },
      };
    });
  }
  const cluster = new Cluster({ brokers: (brokers.get(1) as FakeBroker).address, retry: { initialBackoffMs: 1, maxBackoffMs: 5 } });
  cleanup.push(async () => {
    await cluster.close();
    await Promise.all([...brokers.values()].map((b) => b.stop()));
  });
  return { cluster, asked };
}

const tps = (...partitions: number[]) => partitions.map((partition) => ({ topic: TOPIC, partition }));

test('one ListOffsets per leader, earliest (-2) or latest (-1), with the isolation level', async () => {
  const { cluster, asked } = await twoBrokers(
    new Map([
      [0, 1],
      [1, 2],
      [2, 1],
    ]),
  );
  const earliest = await listOffsets(cluster, tps(0, 1, 2), 'earliest');
  assert.equal(earliest.size, 3);
  assert.equal(earliest.get(tpKey(TOPIC, 0)), 1);
  assert.equal(earliest.get(tpKey(TOPIC, 1)), 101);
  assert.equal(earliest.get(tpKey(TOPIC, 2)), 201);
  assert.equal(asked.length, 2, 'one request per leader');
  assert.deepEqual(asked.find((a) => a.broker === 1)?.partitions.map((p) => p.partition).sort(), [0, 2]);
  assert.deepEqual(asked.find((a) => a.broker === 2)?.partitions.map((p) => p.partition), [1]);
  assert.ok(asked.every((a) => a.partitions.every((p) => p.timestamp === -2n)), 'earliest is timestamp -2');
  asked.length = 0;
  const latest = await listOffsets(cluster, tps(1), 'latest', { isolationLevel: 'read_committed' });
  assert.equal(latest.get(tpKey(TOPIC, 1)), 102);
  assert.equal(asked[0]?.partitions[0]?.timestamp, -1n, 'latest is timestamp -1');
  assert.equal(asked[0]?.isolationLevel, 1, 'read_committed');
});

test('a moved leader: NOT_LEADER_OR_FOLLOWER is retried where fresh metadata points', async () => {
  const leaders = new Map([
    [0, 1],
    [1, 1],
  ]);
  const { cluster, asked } = await twoBrokers(leaders, (partition, broker) => (partition === 1 && broker === 1 ? 6 : 0));
  await cluster.connect();
  leaders.set(1, 2); // metadata now says broker 2; our cache still says 1
  const found = await resolveStartOffsets(cluster, tps(0, 1), new Map(), 'latest');
  assert.equal(found.get(tpKey(TOPIC, 0)), 2);
  assert.equal(found.get(tpKey(TOPIC, 1)), 102);
  assert.deepEqual(
    asked.map((a) => [a.broker, a.partitions.map((p) => p.partition)]),
    [
      [1, [0, 1]],
      [2, [1]],
    ],
    'only the failed partition is asked again, of its new leader',
  );
});

test('a non-retriable error ends the look-up with that error', async () => {
  const { cluster } = await twoBrokers(new Map([[0, 1]]), () => 29); // TOPIC_AUTHORIZATION_FAILED
  const err = await listOffsets(cluster, tps(0), 'earliest').catch((e: unknown) => e);
  assert.ok(err instanceof KafkaError, String(err));
  assert.equal(err.errorCode, 29);
  assert.equal(err.context.partition, 0);
});

test("policy 'none' fails before asking anything", async () => {
  const { cluster, asked } = await twoBrokers(new Map([[0, 1]]));
  const err = await resolveStartOffsets(cluster, tps(0), new Map([[tpKey(TOPIC, 0), null]]), 'none').catch((e: unknown) => e);
  assert.ok(err instanceof NoOffsetError, String(err));
  assert.equal(asked.length, 0);
});
