/**
 * Odd or hostile fetched data handed to the real PartitionStage (issue #8, defects 14 and 18):
 * record offsets that go backwards or past their batch inside a CRC-valid batch, and an
 * unreadable transaction marker under read_committed. Every case ends in delivered records and
 * a typed error or a documented skip: never an uncaught exception, duplicates, or a stall.
 *
 * Batches are real bytes (the record-batch encoder, then rewritten offset deltas with a fresh
 * CRC) decoded by the real decoder; the scheduler case runs the real FetchScheduler against a
 * fake broker.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import fc from 'fast-check';
import { Cluster } from '../../src/cluster/cluster.js';
import { FetchScheduler } from '../../src/consumer/fetch-scheduler.js';
import { readAll } from '../../src/consumer/partition-reader.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { PartitionStage } from '../../src/consumer/partition-stage.js';
import type { ConsumerBatch } from '../../src/consumer/types.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { CorruptRecordError } from '../../src/protocol/errors.js';
import { decodeRecordBatchesSync } from '../../src/protocol/records/decode-batches.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { KafkaRecord, RecordBatch } from '../../src/protocol/records/types.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { FakeBroker } from '../helpers/fake-broker.js';
import { batchWithOffsetDeltas } from '../helpers/hostile-batches.js';
import { fetchInfo, flush, makeStage } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

const LIMITS = { maxRecords: 20_000, maxBytes: 64 * 1024 * 1024, minFetchBytes: 100 };

/** Decodes `bytes` as fetched for partition t/0 (the partition of `makeStage`). */
function decode(bytes: Buffer): RecordBatch[] {
  return decodeRecordBatchesSync(bytes, { verifyCrc: true, maxDecompressedBytes: 1 << 30, topic: 't', partition: 0 }).batches;
}

async function plainBatch(baseOffset: number, count: number, producer: { id: bigint; transactional: boolean } | null = null): Promise<Buffer> {
  const records = Array.from({ length: count }, (_, i) => ({ value: `v${baseOffset + i}`, timestamp: 1_700_000_000_000 }));
  return Buffer.from(
    await encodeRecordBatch({
      records,
      compression: 'none',
      baseOffset,
      ...(producer ? { producerId: producer.id, producerEpoch: 0, baseSequence: baseOffset, isTransactional: producer.transactional } : {}),
    }),
  );
}

/**
 * One fetch's batches: offsets 0-1 hold deltas [1, 0] (the record at 1 comes first, then the one
 * at 0), offsets 2-3 hold deltas [0, 7] (7 lies past the batch's last offset 3), then 4..9 plain.
 * Kept, as the Java consumer keeps them: 1, 2, then 4..9.
 */
async function backwardsFetch(): Promise<RecordBatch[]> {
  const bytes = Buffer.concat([
    await batchWithOffsetDeltas(['at-1', 'at-0'], [1, 0], 0),
    await batchWithOffsetDeltas(['at-2', 'at-9?'], [0, 7], 2),
    await plainBatch(4, 6),
  ]);
  const batches = decode(bytes);
  // The decoder hands the offsets out as written: the stage is what must cope.
  assert.deepEqual(
    batches.map((b) => b.records.map((r) => r.offset)),
    [[1, 0], [2, 9], [4, 5, 6, 7, 8, 9]],
  );
  return batches;
}
const KEPT = [1, 2, 4, 5, 6, 7, 8, 9];

/** Feeds `backwardsFetch` to a fresh stage once a subscriber is attached; returns the stage. */
function stageWith(): { stage: PartitionStage; budget: ByteBudget } {
  const { stage, budget } = makeStage({ limits: LIMITS });
  return { stage, budget };
}

function offsetsOf(records: readonly KafkaRecord[]): number[] {
  return records.map((r) => r.offset);
}

test('defect 14, records(): offsets going backwards or past their batch are skipped, the rest delivered in order, no uncaught RangeError', async () => {
  const { stage } = stageWith();
  const it = stage.records({ maxDemand: 100 });
  const first = it.next();
  fetchTargetOf(stage).onFetched(await backwardsFetch(), fetchInfo(10, { fetchOffset: 0 }));
  const got: KafkaRecord[] = [(await first).value as KafkaRecord];
  while (got.length < KEPT.length) got.push((await it.next()).value as KafkaRecord);
  assert.deepEqual(offsetsOf(got), KEPT);
  assert.deepEqual(
    got.map((r) => r.value?.toString()),
    ['at-1', 'at-2', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'],
  );
  for (const r of got) await stage.ack(r);
  assert.equal(stage.committableOffset, 10, 'skipped offsets never hold the commit back');
  assert.equal(stage.stats().inFlight, 0);
  await it.return?.();
});

test('defect 14, batches(): a batch acked whole covers its kept records; the committable offset reaches the end', async () => {
  const { stage } = stageWith();
  const it = stage.batches({ maxDemand: 100, minDemand: 0 });
  const pending = it.next();
  fetchTargetOf(stage).onFetched(await backwardsFetch(), fetchInfo(10, { fetchOffset: 0 }));
  const batches: ConsumerBatch[] = [(await pending).value as ConsumerBatch];
  while (batches.reduce((n, b) => n + b.records.length, 0) < KEPT.length) batches.push((await it.next()).value as ConsumerBatch);
  assert.deepEqual(batches.flatMap((b) => offsetsOf(b.records)), KEPT);
  for (const b of batches) {
    assert.ok(b.firstOffset <= b.lastOffset);
    await stage.ack(b);
  }
  assert.equal(stage.committableOffset, 10);
  await it.return?.();
});

test('defect 14, ask + onRecords: the kept records reach the handler; no error is reported', async () => {
  const { stage } = stageWith();
  const got: KafkaRecord[] = [];
  const errors: Error[] = [];
  stage.onRecords(
    (records) => {
      got.push(...records);
    },
    (err) => errors.push(err),
  );
  stage.ask(100);
  fetchTargetOf(stage).onFetched(await backwardsFetch(), fetchInfo(10, { fetchOffset: 0 }));
  await flush();
  assert.deepEqual(offsetsOf(got), KEPT);
  assert.deepEqual(errors, []);
  for (const r of got) await stage.ack(r);
  assert.equal(stage.committableOffset, 10);
});

test('defect 14, readable(): the Node stream carries the kept records and stays open', async () => {
  const { stage } = stageWith();
  const stream = stage.readable({ maxDemand: 100 });
  const got: KafkaRecord[] = [];
  stream.on('data', (r: KafkaRecord) => got.push(r));
  const errored: Error[] = [];
  stream.on('error', (err) => errored.push(err));
  await flush();
  fetchTargetOf(stage).onFetched(await backwardsFetch(), fetchInfo(10, { fetchOffset: 0 }));
  await flush();
  assert.deepEqual(offsetsOf(got), KEPT);
  assert.deepEqual(errored, []);
  assert.equal(stream.destroyed, false);
  stream.destroy();
});

test('defect 14, readableStream(): the web stream carries the kept records', async () => {
  const { stage } = stageWith();
  const reader = stage.readableStream({ maxDemand: 100 }).getReader();
  const first = reader.read();
  await flush();
  fetchTargetOf(stage).onFetched(await backwardsFetch(), fetchInfo(10, { fetchOffset: 0 }));
  const got: KafkaRecord[] = [(await first).value as KafkaRecord];
  while (got.length < KEPT.length) got.push((await reader.read()).value as KafkaRecord);
  assert.deepEqual(offsetsOf(got), KEPT);
  await reader.cancel();
});

test('defect 14 at scale: a 5000-record batch with swapped and repeated offset deltas delivers exactly the strictly increasing ones', async () => {
  const count = 5000;
  // Every 10th pair swapped, every 50th record repeating its predecessor's delta.
  const deltas = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i + 1 < count; i += 10) [deltas[i], deltas[i + 1]] = [deltas[i + 1] as number, deltas[i] as number];
  for (let i = 49; i < count; i += 50) deltas[i] = deltas[i - 1] as number;
  const base = 1000;
  const bytes = Buffer.concat([await batchWithOffsetDeltas(deltas.map((d) => `d${d}`), deltas, base), await plainBatch(base + count, 3)]);
  const expected: number[] = [];
  let next = base;
  for (const d of deltas) {
    if (base + d >= next) {
      expected.push(base + d);
      next = base + d + 1;
    }
  }
  expected.push(base + count, base + count + 1, base + count + 2);
  assert.ok(expected.length < count, 'the batch really holds backwards offsets');

  const { stage } = makeStage({ limits: LIMITS, startOffset: base });
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => {
    got.push(...records);
  });
  stage.ask(count + 10);
  fetchTargetOf(stage).onFetched(decode(bytes), fetchInfo(base + count + 3, { fetchOffset: base }));
  await flush();
  assert.deepEqual(offsetsOf(got), expected);
  // Acked out of order, the last first: the commit waits for the gap, then covers the end.
  for (let i = got.length - 1; i >= 0; i--) await stage.ack(got[i] as KafkaRecord);
  assert.equal(stage.committableOffset, base + count + 3);
  assert.equal(stage.stats().inFlight, 0);
});

test('defect 14: records below the fetch position inside a batch that starts before it are skipped, the position never moves back', async () => {
  const { stage } = makeStage({ limits: LIMITS, startOffset: 3 });
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => {
    got.push(...records);
  });
  stage.ask(100);
  // A batch spanning 0..5 (a compressed batch re-sent whole) whose deltas wander: 4, 1, 3, 5, 2, 0.
  fetchTargetOf(stage).onFetched(decode(await batchWithOffsetDeltas(['4', '1', '3', '5', '2', '0'], [4, 1, 3, 5, 2, 0], 0)), fetchInfo(6, { fetchOffset: 3 }));
  await flush();
  assert.deepEqual(offsetsOf(got), [4, 5]);
  assert.equal(stage.stats().fetchedOffset, 6);
});

// ---- defect 18: an unreadable transaction marker under read_committed ---------------------------

const TXN_PRODUCER = 5n;
const ABORTING_PRODUCER = 7n;

/** A control batch of `producerId` at `offset` whose marker key holds `key` (4 bytes when sound). */
async function controlBatch(offset: number, producerId: bigint, key: Buffer): Promise<Buffer> {
  return Buffer.from(
    await encodeRecordBatch({
      records: [{ key, value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: 1_700_000_000_000 }],
      compression: 'none',
      baseOffset: offset,
      producerId,
      producerEpoch: 0,
      isTransactional: true,
      isControl: true,
    }),
  );
}

/** 0..999 committed data of producer 5, a marker with a 2-byte key at 1000, then 1001..1999 of producer 5. */
async function shortMarkerLog(): Promise<Buffer[]> {
  return [
    await plainBatch(0, 1000, { id: TXN_PRODUCER, transactional: true }),
    await controlBatch(1000, ABORTING_PRODUCER, Buffer.from([0, 0])),
    await plainBatch(1001, 999, { id: TXN_PRODUCER, transactional: true }),
  ];
}
const ABORTED = [{ producerId: ABORTING_PRODUCER, firstOffset: 900 }];

test('defect 18, stage: a marker key shorter than 4 bytes under read_committed is one CorruptRecordError at its offset; records before it delivered once; the stage stays consistent', async () => {
  const { stage, budget } = makeStage({ limits: LIMITS });
  const got: KafkaRecord[] = [];
  const errors: Error[] = [];
  stage.onRecords(
    (records) => {
      got.push(...records);
    },
    (err) => errors.push(err),
  );
  stage.ask(5000);
  const batches = decode(Buffer.concat(await shortMarkerLog()));
  assert.doesNotThrow(() => fetchTargetOf(stage).onFetched(batches, fetchInfo(2000, { fetchOffset: 0, abortedTransactions: ABORTED })));
  await flush();
  assert.deepEqual(offsetsOf(got), Array.from({ length: 1000 }, (_, i) => i), 'the sound records before the marker, each once');
  assert.equal(errors.length, 1);
  const err = errors[0] as CorruptRecordError;
  assert.ok(err instanceof CorruptRecordError, `a CorruptRecordError, got ${String(err)}`);
  assert.equal(err.code, 'ERR_CORRUPT_RECORD');
  assert.equal(err.context.topic, 't');
  assert.equal(err.context.partition, 0);
  assert.equal(err.context.offset, 1000);
  assert.equal(stage.error, err);
  const stats = stage.stats();
  assert.equal(stats.fetchedOffset, 1000, 'the position stops at the unreadable batch (as Java: seek past it to go on)');
  assert.equal(stats.bufferedRecords, 0);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0, 'no refetch of the bad batch in a loop');
  assert.equal(budget.heldBytes, 0, 'every buffered byte was counted in and released again');

  // The same answer again (a late duplicate) changes nothing: position and failure stand.
  fetchTargetOf(stage).onFetched(batches, fetchInfo(2000, { fetchOffset: 1000, abortedTransactions: ABORTED }));
  await flush();
  assert.equal(got.length, 1000);
  assert.equal(errors.length, 1);

  for (const r of got) await stage.ack(r);
  assert.equal(stage.committableOffset, 1000, 'never committed past the marker');
  // Seeking past the marker, as a Java user would, consumes on (the failed subscription ended: attach anew).
  stage.seek(1001);
  assert.equal(stage.error, null);
  stage.onRecords((records) => {
    got.push(...records);
  });
  stage.ask(5000);
  assert.ok(fetchTargetOf(stage).fetchBytesWanted(budget.free) > 0);
  fetchTargetOf(stage).onFetched(batches.slice(2), fetchInfo(2000, { fetchOffset: 1001, abortedTransactions: ABORTED }));
  await flush();
  assert.equal(got.length, 1999);
  assert.equal((got[got.length - 1] as KafkaRecord).offset, 1999);
});

test('defect 18, stage: a marker with a negative key version is unreadable too (as Java\'s ControlRecordType)', async () => {
  const { stage } = makeStage({ limits: LIMITS });
  const errors: Error[] = [];
  stage.onRecords(() => undefined, (err) => errors.push(err));
  stage.ask(10);
  const key = Buffer.alloc(4);
  key.writeInt16BE(-1, 0);
  fetchTargetOf(stage).onFetched(decode(await controlBatch(0, ABORTING_PRODUCER, key)), fetchInfo(1, { fetchOffset: 0, abortedTransactions: ABORTED }));
  await flush();
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof CorruptRecordError);
});

test('defect 18, stage: under read_uncommitted (no aborted-transaction list) a marker is skipped unread, as Java does', async () => {
  const { stage } = makeStage({ limits: LIMITS });
  const got: KafkaRecord[] = [];
  const errors: Error[] = [];
  stage.onRecords(
    (records) => {
      got.push(...records);
    },
    (err) => errors.push(err),
  );
  stage.ask(5000);
  fetchTargetOf(stage).onFetched(decode(Buffer.concat(await shortMarkerLog())), fetchInfo(2000, { fetchOffset: 0, abortedTransactions: null }));
  await flush();
  assert.equal(got.length, 1999);
  assert.deepEqual(errors, []);
});

// ---- defect 18 through the real fetch scheduler and a fake broker --------------------------------

const TOPIC = 'txn';
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAw';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test('defect 18, scheduler: read_committed over a short marker key gives no duplicates, one typed error on the partition, no scheduler error, and no refetch loop', { timeout: 30_000 }, async () => {
  const log = await shortMarkerLog();
  const starts = [0, 1000, 1001];
  const broker = await FakeBroker.start();
  cleanups.push(() => broker.stop());
  answerMetadata(broker);
  const fetchOffsets: number[] = [];
  const isolation: number[] = [];
  broker.handle(Fetch, (req) => {
    const body = req.decode();
    isolation.push(body.isolationLevel);
    const asked = Number(body.topics[0]?.partitions[0]?.fetchOffset ?? 0n);
    fetchOffsets.push(asked);
    // Whole batches from the one holding the fetch offset, as a broker sends them.
    let first = starts.findIndex((s, i) => asked >= s && asked < (starts[i + 1] ?? 2000));
    if (first < 0) first = log.length;
    return {
      body: {
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
                errorCode: 0,
                highWatermark: 2000n,
                lastStableOffset: 2000n,
                logStartOffset: 0n,
                abortedTransactions: [{ producerId: ABORTING_PRODUCER, firstOffset: 900n }],
                preferredReadReplica: -1,
                records: Buffer.concat(log.slice(first)),
              },
            ],
          },
        ],
      },
    };
  });
  const cluster = new Cluster({ brokers: broker.address, retry: { initialBackoffMs: 5, maxBackoffMs: 20 } });
  cleanups.push(() => cluster.close());
  const budget = new ByteBudget(64 * 1024 * 1024);
  const schedulerErrors: Error[] = [];
  const scheduler = new FetchScheduler({
    cluster,
    budget,
    options: { maxWaitMs: 10, minBytes: 1, minPartitionBytes: 1024, isolationLevel: 'read_committed', verifyCrc: true, maxBytesPerPartition: 1024 * 1024 },
    onOffsetOutOfRange: () => assert.fail('unexpected OFFSET_OUT_OF_RANGE'),
    onError: (err) => schedulerErrors.push(err),
  });
  cleanups.push(() => scheduler.stop());
  const stage = makeStage({ limits: LIMITS, budget, topic: TOPIC, waker: scheduler }).stage;
  scheduler.add(fetchTargetOf(stage));
  scheduler.start();

  const got: KafkaRecord[] = [];
  let failure: unknown = null;
  try {
    for await (const record of stage.records({ maxDemand: 5000 })) got.push(record);
  } catch (err) {
    failure = err;
  }
  assert.ok(failure instanceof CorruptRecordError, `the iterator ends with a CorruptRecordError, got ${String(failure)}`);
  assert.equal(failure.context.offset, 1000);
  assert.deepEqual(offsetsOf(got), Array.from({ length: 1000 }, (_, i) => i), 'each record before the marker exactly once');
  assert.deepEqual(schedulerErrors, [], 'nothing thrown out of onFetched');
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0, 'the partition waits for a seek: no refetch loop');
  assert.ok(fetchOffsets.length <= 2, `one Fetch brought it all (${fetchOffsets.join(',')})`);
  assert.ok(isolation.every((l) => l === 1), 'read_committed was asked for');
});

// ---- the merged stream: a real StandaloneConsumer (StageHost, FetchScheduler, stages) ------------

/** Answers Metadata as a one-broker cluster leading the one partition of {@link TOPIC}. */
function answerMetadata(broker: FakeBroker): void {
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
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
        },
      ],
    },
  }));
}

/**
 * A one-partition fake broker serving `log` (encoded batches and their first offsets): whole
 * batches from the one holding the fetch offset, as many as fit the partition's limit (at least
 * one); `aborted` is sent as the aborted-transaction list under read_committed.
 */
async function logBroker(log: { base: number; bytes: Buffer }[], end: number, aborted: { producerId: bigint; firstOffset: bigint }[] = []): Promise<FakeBroker> {
  const broker = await FakeBroker.start();
  cleanups.push(() => broker.stop());
  answerMetadata(broker);
  broker.handle(Fetch, async (req) => {
    const body = req.decode();
    const part = body.topics[0]?.partitions[0];
    const asked = Number(part?.fetchOffset ?? 0n);
    const limit = part?.partitionMaxBytes ?? 0;
    const pieces: Buffer[] = [];
    let size = 0;
    for (let i = 0; i < log.length; i++) {
      const batch = log[i] as { base: number; bytes: Buffer };
      const next = log[i + 1]?.base ?? end;
      if (next <= asked) continue;
      if (pieces.length > 0 && size + batch.bytes.length > limit) break;
      pieces.push(batch.bytes);
      size += batch.bytes.length;
    }
    // Nothing new: wait as a broker waits maxWaitMs, so an idle consumer does not spin.
    if (pieces.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      body: {
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
                errorCode: 0,
                highWatermark: BigInt(end),
                lastStableOffset: BigInt(end),
                logStartOffset: 0n,
                abortedTransactions: body.isolationLevel === 1 ? aborted : null,
                preferredReadReplica: -1,
                records: Buffer.concat(pieces),
              },
            ],
          },
        ],
      },
    };
  });
  return broker;
}

test('defect 14, merged stream (StandaloneConsumer.stream()): 5000-record batches with backwards offsets deliver the strictly increasing records once, no error event, commit-ready to the end', { timeout: 30_000 }, async () => {
  const count = 5000;
  const deltas = Array.from({ length: count }, (_, i) => i);
  for (let i = 0; i + 1 < count; i += 2) [deltas[i], deltas[i + 1]] = [deltas[i + 1] as number, deltas[i] as number];
  const log = [
    { base: 0, bytes: await plainBatch(0, 3) },
    { base: 3, bytes: await batchWithOffsetDeltas(deltas.map((d) => `s${d}`), deltas, 3) },
    { base: 3 + count, bytes: await plainBatch(3 + count, 3) },
  ];
  const end = 3 + count + 3;
  // Pairs swapped: of each pair the higher offset comes first and the lower one is skipped.
  const expected = [0, 1, 2, ...Array.from({ length: count / 2 }, (_, i) => 3 + 2 * i + 1), end - 3, end - 2, end - 1];
  const broker = await logBroker(log, end);
  const consumer = new StandaloneConsumer({ brokers: broker.address, retry: { initialBackoffMs: 5, maxBackoffMs: 20 }, partitions: [{ topic: TOPIC, partition: 0, offset: 0 }] });
  const errors: Error[] = [];
  consumer.on('error', (err) => errors.push(err));
  await consumer.start();
  const got: number[] = [];
  try {
    for await (const batch of consumer.stream()) {
      for (const r of batch.records) got.push(r.offset);
      await consumer.ack(batch);
      if (got.length >= expected.length) break;
    }
    assert.deepEqual(got, expected);
    assert.equal(consumer.stage(TOPIC, 0)?.stats().ackedOffset, end);
  } finally {
    await consumer.stop();
  }
  assert.deepEqual(errors.map(String), []);
});

test('defect 18, merged stream under read_committed: records before a short marker key once, then one ERR_CORRUPT_RECORD error event, no duplicates, no hang', { timeout: 30_000 }, async () => {
  const [data, marker, rest] = await shortMarkerLog();
  const log = [
    { base: 0, bytes: data as Buffer },
    { base: 1000, bytes: marker as Buffer },
    { base: 1001, bytes: rest as Buffer },
  ];
  const broker = await logBroker(log, 2000, [{ producerId: ABORTING_PRODUCER, firstOffset: 900n }]);
  const consumer = new StandaloneConsumer({
    brokers: broker.address,
    retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
    partitions: [{ topic: TOPIC, partition: 0, offset: 0 }],
    fetch: { isolationLevel: 'read_committed' },
  });
  const errors: Error[] = [];
  let failed!: () => void;
  const failure = new Promise<void>((resolve) => (failed = resolve));
  consumer.on('error', (err) => {
    errors.push(err);
    failed();
  });
  await consumer.start();
  const got: number[] = [];
  const reading = (async () => {
    for await (const batch of consumer.stream()) {
      for (const r of batch.records) got.push(r.offset);
      await consumer.ack(batch);
    }
  })();
  try {
    await failure;
    // The engine's view of the stage (users see only the subscriber API).
    const stage = consumer.stage(TOPIC, 0) as PartitionStage | undefined;
    assert.ok(stage?.error instanceof CorruptRecordError);
    assert.equal(fetchTargetOf(stage).fetchBytesWanted(1 << 20), 0, 'parked until a seek');
    assert.equal(stage.stats().fetchedOffset, 1000);
  } finally {
    await consumer.stop();
    await reading;
  }
  assert.deepEqual(got, Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(errors.length, 1, errors.map(String).join('; '));
  const err = errors[0] as CorruptRecordError;
  assert.equal(err.code, 'ERR_CORRUPT_RECORD');
  assert.equal(err.context.offset, 1000);
});

// ---- property: any offsets a batch may carry, the stage delivers forward only ----------------------

/** A decoded batch built directly: `deltas` from `base`, `span` offsets long (lastOffset = base + span - 1). */
function rawBatch(base: number, span: number, deltas: readonly number[]): RecordBatch {
  const records = deltas.map((d) => ({ topic: 't', partition: 0, offset: base + d, timestamp: 0, key: null, value: Buffer.from(`o${base + d}`), headers: [], attempt: 1 }));
  return {
    baseOffset: base,
    lastOffset: base + span - 1,
    partitionLeaderEpoch: 0,
    compression: 'none',
    logAppendTime: false,
    isTransactional: false,
    isControl: false,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: -1n,
    producerEpoch: -1,
    baseSequence: -1,
    records,
    sizeInBytes: 70 + 20 * records.length,
  };
}

const hostileBatchArb = fc.record({
  span: fc.integer({ min: 1, max: 400 }),
  // Deltas anywhere in [0, 1.5 × span): backwards, repeated, and past the batch's end.
  deltas: fc.array(fc.integer({ min: 0, max: 599 }), { minLength: 0, maxLength: 400 }),
  // Where the batch starts relative to the previous one's end: overlapping, adjacent, or after a gap.
  shift: fc.integer({ min: -50, max: 20 }),
});

test('defect 14, property: whatever offsets the batches carry, deliveries strictly increase, stay within their batch, never go below the position, and acking them all commits the position', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(hostileBatchArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 100 }), async (fetches, start) => {
      const { stage } = makeStage({ limits: LIMITS, startOffset: start });
      const got: KafkaRecord[] = [];
      const errors: Error[] = [];
      stage.onRecords(
        (records) => {
          got.push(...records);
        },
        (err) => errors.push(err),
      );
      stage.ask(1_000_000);
      const lastOfBatch = new Map<KafkaRecord, number>();
      for (const shapes of fetches) {
        let base = stage.fetchOffset;
        const batches: RecordBatch[] = [];
        for (const s of shapes) {
          base = Math.max(0, base + s.shift);
          const batch = rawBatch(base, s.span, s.deltas.map((d) => Math.floor((d * s.span) / 400)));
          for (const r of batch.records) lastOfBatch.set(r, batch.lastOffset);
          batches.push(batch);
          base = batch.lastOffset + 1;
        }
        const before = stage.fetchOffset;
        fetchTargetOf(stage).onFetched(batches, fetchInfo(base, { fetchOffset: before }));
        assert.ok(stage.fetchOffset >= before, 'the position never moves back');
        await flush();
      }
      const offsets = offsetsOf(got);
      for (let i = 0; i < offsets.length; i++) {
        const o = offsets[i] as number;
        assert.ok(i === 0 ? o >= start : o > (offsets[i - 1] as number), `delivery ${i} (${o}) moves forward`);
        assert.ok(o <= (lastOfBatch.get(got[i] as KafkaRecord) as number), `delivery ${i} (${o}) lies within its batch`);
        assert.ok(o < stage.fetchOffset);
      }
      assert.deepEqual(errors, []);
      for (const r of got) await stage.ack(r);
      assert.equal(stage.stats().inFlight, 0);
      assert.equal(stage.committableOffset, stage.fetchOffset, 'everything up to the position is committable');
    }),
    { numRuns: 200 },
  );
});

test('defect 14, readAll (partition reader): a batch whose offsets go backwards or past its end neither reorders deliveries nor skips the next batches', { timeout: 20_000 }, async () => {
  const log = [
    { base: 0, bytes: await batchWithOffsetDeltas(['at-1', 'at-0'], [1, 0], 0) },
    { base: 2, bytes: await batchWithOffsetDeltas(['at-2', 'at-9?'], [0, 7], 2) },
    { base: 4, bytes: await plainBatch(4, 6) },
  ];
  const broker = await logBroker(log, 10);
  const cluster = new Cluster({ brokers: broker.address, retry: { initialBackoffMs: 5, maxBackoffMs: 20 } });
  cleanups.push(() => cluster.close());
  const records = await readAll(cluster, { topic: TOPIC, partition: 0, fromOffset: 0, maxWaitMs: 10 });
  assert.deepEqual(offsetsOf(records), KEPT);
});

test('defect 18, stage: a control batch without a producer id is skipped unread under read_committed, as Java skips it', async () => {
  const { stage } = makeStage({ limits: LIMITS });
  const got: KafkaRecord[] = [];
  const errors: Error[] = [];
  stage.onRecords(
    (records) => {
      got.push(...records);
    },
    (err) => errors.push(err),
  );
  stage.ask(10);
  const bytes = Buffer.concat([await controlBatch(0, -1n, Buffer.from([0])), await plainBatch(1, 2)]);
  fetchTargetOf(stage).onFetched(decode(bytes), fetchInfo(3, { fetchOffset: 0, abortedTransactions: ABORTED }));
  await flush();
  assert.deepEqual(offsetsOf(got), [1, 2]);
  assert.deepEqual(errors, []);
});
