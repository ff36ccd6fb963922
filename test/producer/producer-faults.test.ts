/**
 * The producer against a fake broker that checks sequences as Kafka does and fails on command:
 * retries keep order and never duplicate, epoch bumps restart sequences, errors are typed, the
 * delivery timeout holds, and requests in flight stay within maxInFlight.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { DeliveryTimeoutError } from '../../src/producer/errors.js';
import type { Producer, ProducerOptions, RecordMetadata } from '../../src/producer/producer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { FakeKafkaCluster, FakeRequest } from '../../src/testing/index.js';
import { logOf, useFakeCluster, type LoggedRecord } from './use-fake-cluster.js';

const world = useFakeCluster();

async function setUp(topics: Record<string, number>, options: Partial<ProducerOptions> = {}): Promise<{ kafka: FakeKafkaCluster; producer: Producer }> {
  const kafka = await world.start(topics);
  const producer = world.producer({
    lingerMs: 0,
    batchSize: 200,
    retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
    ...options,
  });
  return { kafka, producer };
}

function values(log: LoggedRecord[]): (string | null)[] {
  return log.map((r) => r.value);
}

/** Sends `count` records to partition `partition` of `topic`, values `v0..`; resolves with their metadata. */
function sendMany(p: Producer, topic: string, partition: number, count: number, prefix = 'v'): Promise<RecordMetadata[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => p.send(topic, { value: `${prefix}${i}`, partition })));
}

const expected = (count: number, prefix = 'v'): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** Fault options taking only the `n`-th (0-based) request of the API. */
const nth = (n: number): { when: (r: FakeRequest) => boolean } => ({ when: (r) => r.index === n });

/** The error codes answered per Produce request, in the order of its batches. */
const produceErrors = (kafka: FakeKafkaCluster): (number | null)[][] => kafka.requests('Produce').map((r) => r.batches.map((b) => b.errorCode));

test('NOT_LEADER_OR_FOLLOWER: metadata is refreshed and the same batch is resent with the same sequence', async () => {
  const { kafka, producer } = await setUp({ t: 1 });
  kafka.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { topic: 't', partition: 0, ...nth(1) });
  const metadataBefore = kafka.requests('Metadata').length;
  const metas = await sendMany(producer, 't', 0, 40);
  const log = await logOf(kafka, 't', 0);
  assert.deepEqual(values(log), expected(40));
  assert.deepEqual(metas.map((m) => m.offset), log.map((r) => r.offset));
  assert.ok(kafka.requests('Metadata').length > metadataBefore, 'metadata refreshed after NOT_LEADER');
  // The failed request's batch came again, unchanged: same producer, epoch and base sequence.
  const produced = kafka.requests('Produce');
  const failed = produced[1]?.batches[0];
  const resent = produced.slice(2).map((r) => r.batches[0]).find((b) => b?.baseSequence === failed?.baseSequence);
  assert.ok(failed && resent);
  assert.equal(resent.producerEpoch, failed.producerEpoch);
  assert.equal(resent.recordCount, failed.recordCount);
  // Sequences in the log run 0..39 without gap or repeat.
  assert.deepEqual(log.map((r) => r.sequence), Array.from({ length: 40 }, (_, i) => i));
});

test('a connection lost after the broker appended: the resent batches are recognised as duplicates, nothing lands twice', async () => {
  const { kafka, producer } = await setUp({ t: 2 });
  kafka.loseAnswer('Produce', { how: 'close', ...nth(2) });
  const [a, b] = await Promise.all([sendMany(producer, 't', 0, 60, 'a'), sendMany(producer, 't', 1, 60, 'b')]);
  assert.deepEqual(values(await logOf(kafka, 't', 0)), expected(60, 'a'));
  assert.deepEqual(values(await logOf(kafka, 't', 1)), expected(60, 'b'));
  assert.deepEqual(a.map((m) => m.offset), expected(60).map((_, i) => i));
  assert.deepEqual(b.map((m) => m.offset), expected(60).map((_, i) => i));
});

test('a request that is never answered times out and is retried without duplicates', async () => {
  const { kafka, producer } = await setUp({ t: 1 }, { requestTimeoutMs: 300, deliveryTimeoutMs: 10_000 });
  kafka.loseAnswer('Produce', { how: 'ignore', ...nth(1) });
  const metas = await sendMany(producer, 't', 0, 30);
  assert.deepEqual(values(await logOf(kafka, 't', 0)), expected(30));
  assert.deepEqual(metas.map((m) => m.offset), expected(30).map((_, i) => i));
});

test('OUT_OF_ORDER_SEQUENCE behind a failed batch is retried in order; no record is lost or reordered', async () => {
  // Slow answers keep several requests in flight; the second one fails retriably, so the ones
  // behind it reach the broker with a gap before them and are refused as out of order.
  const { kafka, producer } = await setUp({ t: 1 }, { maxInFlight: 5 });
  kafka.fail('Produce', 'REQUEST_TIMED_OUT', { topic: 't', partition: 0, ...nth(1) });
  kafka.delay('Produce', 5);
  kafka.delay('Produce', 20, nth(1));
  const metas = await sendMany(producer, 't', 0, 120);
  const log = await logOf(kafka, 't', 0);
  assert.deepEqual(values(log), expected(120));
  assert.deepEqual(metas.map((m) => m.offset), log.map((r) => r.offset));
  // The scenario happened: batches behind the failed one were refused for their gap, then resent.
  const refused = produceErrors(kafka).flat().filter((code) => code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER).length;
  assert.ok(refused >= 1, 'some batch was refused as out of order');
  assert.deepEqual(log.map((r) => r.sequence), Array.from({ length: 120 }, (_, i) => i));
});

test('UNKNOWN_PRODUCER_ID: the epoch is bumped and sequences start again at 0', async () => {
  const { kafka, producer } = await setUp({ t: 1 });
  await producer.connect();
  await sendMany(producer, 't', 0, 10, 'x');
  kafka.fail('Produce', 'UNKNOWN_PRODUCER_ID', {
    topic: 't',
    partition: 0,
    times: Infinity,
    when: (r) => r.batches[0]?.producerEpoch === 0 && r.index >= 1,
  });
  const metas = await sendMany(producer, 't', 0, 10, 'y');
  const log = await logOf(kafka, 't', 0);
  assert.deepEqual(values(log), [...expected(10, 'x'), ...expected(10, 'y')]);
  assert.deepEqual(metas.map((m) => m.offset), log.slice(10).map((r) => r.offset));
  assert.equal(producer.producerId.producerEpoch, 1);
  const afterBump = log.filter((r) => r.producerEpoch === 1);
  assert.equal(afterBump[0]?.sequence, 0);
});

test('a non-retriable error fails only that batch, as a KafkaError naming topic and partition; the others land', async () => {
  const { kafka, producer } = await setUp({ t: 2 }, { idempotent: false, acks: 1 });
  kafka.fail('Produce', 'INVALID_RECORD', { topic: 't', partition: 1, times: Infinity });
  const results = await Promise.allSettled([producer.send('t', { value: 'ok', partition: 0 }), producer.send('t', { value: 'bad', partition: 1 })]);
  assert.equal(results[0].status, 'fulfilled');
  assert.equal(results[1].status, 'rejected');
  const err = (results[1] as PromiseRejectedResult).reason as unknown;
  assert.ok(err instanceof KafkaError);
  assert.equal(err.errorName, 'INVALID_RECORD');
  assert.equal(err.context.topic, 't');
  assert.equal(err.context.partition, 1);
  assert.deepEqual(values(await logOf(kafka, 't', 0)), ['ok']);
});

test('a partition that keeps failing retriably: its sends reject with DeliveryTimeoutError carrying the last error', async () => {
  const { kafka, producer } = await setUp({ t: 2 }, { requestTimeoutMs: 200, deliveryTimeoutMs: 600 });
  kafka.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { topic: 't', partition: 1, times: Infinity });
  const started = Date.now();
  const [good, stuck] = await Promise.allSettled([sendMany(producer, 't', 0, 5), sendMany(producer, 't', 1, 5)]);
  assert.equal(good.status, 'fulfilled');
  assert.equal(stuck.status, 'rejected');
  const err = (stuck as PromiseRejectedResult).reason as unknown;
  assert.ok(err instanceof DeliveryTimeoutError, String(err));
  assert.equal(err.context.topic, 't');
  assert.equal(err.context.partition, 1);
  assert.ok(err.cause instanceof KafkaError && err.cause.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER);
  assert.ok(Date.now() - started < 5_000);
  assert.equal((await logOf(kafka, 't', 1)).length, 0);
});

test('requests in flight never exceed maxInFlight, and one request carries every ready partition of the broker', async () => {
  const { kafka, producer } = await setUp({ t: 4 }, { maxInFlight: 2 });
  kafka.delay('Produce', 10);
  await Promise.all([0, 1, 2, 3].map((p) => sendMany(producer, 't', p, 50, `p${p}-`)));
  for (const p of [0, 1, 2, 3]) assert.deepEqual(values(await logOf(kafka, 't', p)), expected(50, `p${p}-`));
  const produced = kafka.requests('Produce');
  const maxOutstanding = Math.max(...produced.map((r) => r.inFlight));
  assert.ok(maxOutstanding <= 2, `max in flight ${maxOutstanding}`);
  assert.equal(maxOutstanding, 2, 'pipelining reached the limit');
  assert.ok(produced.some((r) => new Set(r.batches.map((x) => x.partition)).size > 1), 'partitions share requests');
  // Never two batches of one partition in one request.
  for (const r of produced) assert.equal(new Set(r.batches.map((x) => x.partition)).size, r.batches.length);
});

test('keyless records stick to a partition for about batchSize bytes, then move', async () => {
  const { kafka, producer } = await setUp({ t: 6 }, { batchSize: 1000, lingerMs: 1000 });
  const metas = await Promise.all(Array.from({ length: 60 }, (_, i) => producer.send('t', { value: `${'x'.repeat(90)}${i}` })));
  // ~100 bytes per record, 1000-byte stickiness: runs of about ten on one partition.
  const runs: number[] = [];
  metas.forEach((m, i) => {
    if (i === 0 || m.partition !== metas[i - 1]?.partition) runs.push(1);
    else runs[runs.length - 1] = (runs[runs.length - 1] as number) + 1;
  });
  assert.ok(runs.length >= 5 && runs.length <= 10, `runs ${runs.join(',')}`);
  assert.ok(runs.slice(0, -1).every((n) => n >= 7 && n <= 10), `runs ${runs.join(',')}`);
  let logged = 0;
  for (const p of [0, 1, 2, 3, 4, 5]) logged += (await logOf(kafka, 't', p)).length;
  assert.equal(logged, 60);
});
