/**
 * The partition reader against a scripted fake broker: the cases a healthy single-node broker
 * rarely produces on demand (cut batches, moved leaders, aborted transactions).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { OffsetOutOfRangeError, readAll, readPartition } from '../../src/consumer/partition-reader.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { AbortedError, InvalidOptionError } from '../../src/errors.js';
import { ResponseTooLargeError } from '../../src/network/errors.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { ResponseIn } from '../../src/protocol/schema.js';
import { FakeBroker } from '../helpers/fake-broker.js';

const TOPIC = 'orders';
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const LEADER_EPOCH = 5;

type FetchBody = ResponseIn<typeof Fetch>;
type PartitionAnswer = {
  errorCode?: number;
  highWatermark?: bigint;
  logStartOffset?: bigint;
  lastStableOffset?: bigint;
  abortedTransactions?: { producerId: bigint; firstOffset: bigint }[] | null;
  records?: Buffer | null;
};

const brokers: FakeBroker[] = [];
const clusters: Cluster[] = [];
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

/** A batch of `count` records with values `v<offset>`, starting at `baseOffset`. */
function batch(baseOffset: number, count: number, extra: { producerId?: bigint; isTransactional?: boolean } = {}): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) => ({ key: `k${baseOffset + i}`, value: `v${baseOffset + i}`, timestamp: 1_700_000_000_000 + i }));
  return encodeRecordBatch({ records, compression: 'none', baseOffset, ...extra, producerEpoch: extra.producerId === undefined ? -1 : 0 });
}

/** A control batch holding one ABORT (type 0) or COMMIT (type 1) marker. */
function marker(offset: number, producerId: bigint, type: 0 | 1): Promise<Buffer> {
  const key = Buffer.from([0, 0, 0, type]);
  const value = Buffer.from([0, 0, 0, 0, 0, 0]);
  return encodeRecordBatch({ records: [{ key, value }], compression: 'none', baseOffset: offset, producerId, producerEpoch: 0, isTransactional: true, isControl: true });
}

function fetchBody(answer: PartitionAnswer): FetchBody {
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: TOPIC,
        topicId: TOPIC_ID,
        partitions: [
          {
            partitionIndex: 0,
            errorCode: answer.errorCode ?? 0,
            highWatermark: answer.highWatermark ?? 100n,
            lastStableOffset: answer.lastStableOffset ?? -1n,
            logStartOffset: answer.logStartOffset ?? 0n,
            abortedTransactions: answer.abortedTransactions ?? null,
            preferredReadReplica: -1,
            records: answer.records ?? null,
          },
        ],
      },
    ],
  };
}

/** Starts a fake broker that leads partition 0 of TOPIC, answering Fetch with `answers` in turn (the last one repeats). */
async function start(answers: PartitionAnswer[], options: { fetchMaxVersion?: number } = {}) {
  const broker = await FakeBroker.start(
    options.fetchMaxVersion === undefined
      ? {}
      : {
          apiVersions: [
            { apiKey: 18, minVersion: 0, maxVersion: 4 },
            { apiKey: Metadata.apiKey, minVersion: Metadata.minVersion, maxVersion: Metadata.maxVersion },
            { apiKey: Fetch.apiKey, minVersion: Fetch.minVersion, maxVersion: options.fetchMaxVersion },
          ],
        },
  );
  brokers.push(broker);
  broker.handle(Metadata, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: broker.host, port: broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: TOPIC,
          topicId: TOPIC_ID,
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: LEADER_EPOCH, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    },
  }));
  const fetches: { version: number; fetchOffset: bigint; topic: string; topicId: string; currentLeaderEpoch: number; isolationLevel: number }[] = [];
  broker.handle(Fetch, (req) => {
    const body = req.decode();
    const t = body.topics[0];
    const p = t?.partitions[0];
    fetches.push({
      version: req.version,
      fetchOffset: p?.fetchOffset ?? -1n,
      topic: t?.topic ?? '',
      topicId: t?.topicId ?? '',
      currentLeaderEpoch: p?.currentLeaderEpoch ?? -2,
      isolationLevel: body.isolationLevel,
    });
    const answer = answers[Math.min(req.seq, answers.length - 1)] as PartitionAnswer;
    return { body: fetchBody(answer) };
  });
  const cluster = new Cluster({ brokers: broker.address, retry: { initialBackoffMs: 1, maxBackoffMs: 5 } });
  clusters.push(cluster);
  return { broker, cluster, fetches };
}

const values = (records: { value: Buffer | null }[]) => records.map((r) => r.value?.toString());

test('a batch cut at the size limit is fetched again from the first offset it holds', async () => {
  const first = await batch(0, 5);
  const second = await batch(5, 5);
  const cut = Buffer.concat([first, second.subarray(0, second.length - 7)]);
  const { cluster, fetches } = await start([{ records: cut, highWatermark: 10n }, { records: second, highWatermark: 10n }]);
  const records = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0 });
  assert.deepEqual(values(records), ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
  assert.deepEqual(fetches.map((f) => f.fetchOffset), [0n, 5n]);
});

test('records below the requested offset are skipped when their batch starts earlier', async () => {
  const { cluster, fetches } = await start([{ records: await batch(0, 10), highWatermark: 10n }]);
  const records = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 7 });
  assert.deepEqual(records.map((r) => r.offset), [7, 8, 9]);
  assert.equal(fetches[0]?.fetchOffset, 7n);
});

test('control batches are skipped and the position moves past them', async () => {
  const pid = 42n;
  const bytes = Buffer.concat([await batch(0, 2, { producerId: pid, isTransactional: true }), await marker(2, pid, 1), await batch(3, 2)]);
  const { cluster, fetches } = await start([{ records: bytes, highWatermark: 5n }]);
  const records = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0 });
  assert.deepEqual(records.map((r) => r.offset), [0, 1, 3, 4]);
  assert.equal(fetches.length, 1, 'the high watermark was reached without another fetch');
});

test('read_committed hides aborted transactions and keeps committed and plain records', async () => {
  const aborted = 7n;
  const committed = 8n;
  const bytes = Buffer.concat([
    await batch(0, 2, { producerId: aborted, isTransactional: true }),
    await batch(2, 1, { producerId: committed, isTransactional: true }),
    await marker(3, aborted, 0),
    await marker(4, committed, 1),
    await batch(5, 2),
    await batch(7, 1, { producerId: aborted, isTransactional: true }), // a later transaction of the same producer, not aborted
  ]);
  const answer = { records: bytes, highWatermark: 8n, lastStableOffset: 8n, abortedTransactions: [{ producerId: aborted, firstOffset: 0n }] };
  const { cluster, fetches } = await start([answer]);
  const committedOnly = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0, isolationLevel: 'read_committed' });
  assert.deepEqual(committedOnly.map((r) => r.offset), [2, 5, 6, 7]);
  assert.equal(fetches[0]?.isolationLevel, 1);
  const everything = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0 });
  assert.deepEqual(everything.map((r) => r.offset), [0, 1, 2, 5, 6, 7], 'read_uncommitted shows aborted records, never markers');
});

test('NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH refresh metadata and fetch again', async () => {
  const { broker, cluster, fetches } = await start([{ errorCode: 6 }, { errorCode: 74 }, { records: await batch(0, 3), highWatermark: 3n }]);
  const records = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0 });
  assert.deepEqual(values(records), ['v0', 'v1', 'v2']);
  assert.equal(fetches.length, 3);
  assert.ok(broker.requestsFor(Metadata).length >= 3, 'one metadata refresh per stale-leader error, after the first load');
});

test('OFFSET_OUT_OF_RANGE is a typed error with the log bounds, not retried', async () => {
  const { cluster, fetches } = await start([{ errorCode: 1, logStartOffset: 40n, highWatermark: 90n }]);
  const err = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 5 }).catch((e: unknown) => e);
  assert.ok(err instanceof OffsetOutOfRangeError, String(err));
  assert.equal(err.errorCode, 1);
  assert.equal(err.offset, 5);
  assert.equal(err.logStartOffset, 40);
  assert.equal(err.highWatermark, 90);
  assert.equal(err.context.topic, TOPIC);
  assert.equal(err.context.partition, 0);
  assert.equal(fetches.length, 1);
});

test('Fetch v13+ names the topic by id; older versions by name; the leader epoch is sent', async () => {
  const modern = await start([{ records: await batch(0, 1), highWatermark: 1n }]);
  await readAll(modern.cluster, { topic: TOPIC, partition: 0, fromOffset: 0 });
  assert.ok((modern.fetches[0]?.version ?? 0) >= 13);
  assert.equal(modern.fetches[0]?.topicId, TOPIC_ID);
  assert.equal(modern.fetches[0]?.currentLeaderEpoch, LEADER_EPOCH);

  const old = await start([{ records: await batch(0, 1), highWatermark: 1n }], { fetchMaxVersion: 12 });
  const records = await readAll(old.cluster, { topic: TOPIC, partition: 0, fromOffset: 0 });
  assert.equal(records.length, 1);
  assert.equal(old.fetches[0]?.version, 12);
  assert.equal(old.fetches[0]?.topic, TOPIC);
});

test('maxRecords and untilOffset end the iterator; an empty log ends readAll at once', async () => {
  const { cluster } = await start([{ records: await batch(0, 10), highWatermark: 10n }]);
  const few: number[] = [];
  for await (const r of readPartition(cluster, { topic: TOPIC, partition: 0, fromOffset: 2, maxRecords: 3 })) few.push(r.offset);
  assert.deepEqual(few, [2, 3, 4]);
  const upTo = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0, untilOffset: 4 });
  assert.deepEqual(upTo.map((r) => r.offset), [0, 1, 2, 3]);

  const empty = await start([{ records: null, highWatermark: 0n }]);
  assert.deepEqual(await readAll(empty.cluster, { topic: TOPIC, partition: 0, fromOffset: 0 }), []);
  assert.equal(empty.fetches.length, 1);
});

test('an abort signal stops a tailing reader with AbortedError', async () => {
  const { cluster, fetches } = await start([{ records: await batch(0, 2), highWatermark: 2n }, { records: null, highWatermark: 2n }]);
  const controller = new AbortController();
  const seen: number[] = [];
  const err = await (async () => {
    for await (const r of readPartition(cluster, { topic: TOPIC, partition: 0, fromOffset: 0, signal: controller.signal })) {
      seen.push(r.offset);
      if (r.offset === 1) controller.abort();
    }
  })().catch((e: unknown) => e);
  assert.ok(err instanceof AbortedError, String(err));
  assert.deepEqual(seen, [0, 1]);
  assert.equal(fetches.length, 1, 'no fetch after the abort');
});

test('bad options throw at once, naming the option', () => {
  const cluster = new Cluster({ brokers: '127.0.0.1:9' });
  const bad = (options: object, name: string) =>
    assert.throws(
      () => readPartition(cluster, { topic: TOPIC, partition: 0, fromOffset: 0, ...options }),
      (e: unknown) => e instanceof InvalidOptionError && e.option === name,
    );
  bad({ fromOffset: -1 }, 'fromOffset');
  bad({ partition: 1.5 }, 'partition');
  bad({ topic: '' }, 'topic');
  bad({ maxRecords: 0 }, 'maxRecords');
  bad({ maxBytes: 0 }, 'maxBytes');
  bad({ isolationLevel: 'committed' }, 'isolationLevel');
  bad({ untilOffset: 'end' }, 'untilOffset');
  bad({ maxWait: 5 }, 'maxWait');
});

test('a batch larger than maxResponseBytes is ERR_RESPONSE_TOO_LARGE naming the option (raise it), not ERR_PROTOCOL', async () => {
  const big = await encodeRecordBatch({ records: Array.from({ length: 40 }, (_, i) => ({ value: 'x'.repeat(60) + i })), compression: 'none', baseOffset: 0 });
  assert.ok(big.length > 2048, `a batch of ${big.length} bytes`);
  // Every answer holds the start of the batch only, as a broker cuts a batch at the size asked.
  const { broker } = await start([{ records: big.subarray(0, 100), highWatermark: 40n }]);
  const cluster = new Cluster({ brokers: broker.address, maxResponseBytes: 2048, retry: { initialBackoffMs: 1, maxBackoffMs: 5 } });
  clusters.push(cluster);
  const err = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0 }).catch((e: unknown) => e);
  assert.ok(err instanceof ResponseTooLargeError, String(err));
  assert.equal(err.code, 'ERR_RESPONSE_TOO_LARGE');
  assert.equal(err.retriable, false);
  assert.equal(err.context.option, 'maxResponseBytes');
  assert.equal(err.context.topic, TOPIC);
});
