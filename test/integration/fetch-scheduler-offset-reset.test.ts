/**
 * Start offsets and OFFSET_OUT_OF_RANGE against the real broker: committed offsets win; without
 * one, `earliest` is the log start (moved past 0 by deleting records with Kafka's own tool, so the
 * answer cannot be a default) and `latest` the log end; `none` is a typed error naming the
 * partitions. Then an out-of-range position met by the fetch scheduler resets by the policy.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { tpKey } from '../../src/consumer/contracts.js';
import { OffsetOutOfRangeError } from '../../src/consumer/fetch-errors.js';
import { FetchScheduler, type OutOfRangeInfo } from '../../src/consumer/fetch-scheduler.js';
import { listOffsets, resetOutOfRange, resolveStartOffsets } from '../../src/consumer/offset-reset.js';
import { NoOffsetError } from '../../src/consumer/errors.js';
import { KafkaStageError } from '../../src/errors.js';
import { Producer } from '../../src/producer/producer.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { ObservedStage, type ObservedTarget } from '../consumer/fetch-scheduler-stages.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { QUICK_JVM_OPTS, runJavaTool } from '../helpers/java-tools.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers();
const topic = uniqueTopic('reset');
/** Records per partition; partition 0 then loses its first DELETED to DeleteRecords. */
const COUNT = 50;
const DELETED = 20;
let admin: Admin;
let cluster: Cluster;

before(async () => {
  admin = new Admin({ brokers });
  await admin.createTopics([{ topic, partitions: 2 }]);
  const producer = new Producer({ brokers, lingerMs: 1 });
  try {
    const records = [0, 1].flatMap((partition) => Array.from({ length: COUNT }, (_, i) => ({ partition, value: `p${partition}-${i}` })));
    await producer.sendBatch(topic, records);
  } finally {
    await producer.close();
  }
  // Kafka's own tool moves the log start of partition 0 to DELETED.
  const file = join(tmpdir(), `${topic}-delete.json`);
  writeFileSync(file, JSON.stringify({ version: 1, partitions: [{ topic, partition: 0, offset: DELETED }] }));
  await runJavaTool('org.apache.kafka.tools.DeleteRecordsCommand', ['--bootstrap-server', brokers.join(','), '--offset-json-file', file], { jvmOpts: QUICK_JVM_OPTS });
  cluster = new Cluster({ brokers });
});

after(async () => {
  await cluster.close();
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

const p0 = { topic, partition: 0 };
const p1 = { topic, partition: 1 };

test('earliest: the log start offset, past deleted records', async () => {
  const starts = await resolveStartOffsets(cluster, [p0, p1], new Map(), 'earliest');
  assert.equal(starts.get(tpKey(topic, 0)), DELETED);
  assert.equal(starts.get(tpKey(topic, 1)), 0);
});

test('latest: the log end offset', async () => {
  const starts = await resolveStartOffsets(cluster, [p0, p1], new Map(), 'latest');
  assert.equal(starts.get(tpKey(topic, 0)), COUNT);
  assert.equal(starts.get(tpKey(topic, 1)), COUNT);
});

test('a committed offset wins over the policy; -1 from OffsetFetch counts as none', async () => {
  const committed = new Map<string, number | null>([
    [tpKey(topic, 0), 33],
    [tpKey(topic, 1), -1],
  ]);
  const starts = await resolveStartOffsets(cluster, [p0, p1], committed, 'earliest');
  assert.equal(starts.get(tpKey(topic, 0)), 33);
  assert.equal(starts.get(tpKey(topic, 1)), 0);
});

test('none: a typed error naming every partition without a committed offset; none needed, no error', async () => {
  const err = await resolveStartOffsets(cluster, [p0, p1], new Map([[tpKey(topic, 0), 5]]), 'none').catch((e: unknown) => e);
  assert.ok(err instanceof NoOffsetError, String(err));
  assert.equal(err.code, 'ERR_NO_OFFSET');
  assert.deepEqual(err.partitions, [p1]);
  assert.equal(err.context.topic, topic);
  assert.equal(err.context.partition, 1);
  const starts = await resolveStartOffsets(cluster, [p0, p1], new Map([[tpKey(topic, 0), 5], [tpKey(topic, 1), 7]]), 'none');
  assert.deepEqual([...starts.values()], [5, 7]);
});

test('an unknown partition is a typed error, not an endless retry', async () => {
  const started = Date.now();
  const err = await listOffsets(cluster, [{ topic, partition: 9 }], 'earliest').catch((e: unknown) => e);
  assert.ok(err instanceof KafkaStageError, String(err));
  assert.equal(err.code, 'ERR_METADATA');
  assert.equal(err.context.partition, 9);
  assert.ok(Date.now() - started < 3000, 'given up after a metadata refresh, not after every retry');
});

test('OFFSET_OUT_OF_RANGE from the broker: the scheduler reports it, the policy resets the position', async () => {
  const budget = new ByteBudget(1024 * 1024);
  const seen: OutOfRangeInfo[] = [];
  const policy: { value: 'earliest' | 'latest' | 'none' } = { value: 'earliest' };
  const scheduler = new FetchScheduler({
    cluster,
    budget,
    options: { maxWaitMs: 100, minBytes: 1, minPartitionBytes: 16 * 1024, isolationLevel: 'read_uncommitted', verifyCrc: true, maxBytesPerPartition: 1024 * 1024 },
    onOffsetOutOfRange: async (target, info) => {
      seen.push(info);
      const offset = await resetOutOfRange(cluster, target, info, policy.value);
      (target as ObservedTarget).stage.seek(offset);
    },
    onError: (e) => assert.fail(e),
  });
  try {
    // Below the log start (deleted records): earliest resumes at the log start.
    const below = new ObservedStage(topic, 0, 5, budget, scheduler);
    scheduler.add(below.target);
    scheduler.start();
    below.ask(COUNT - DELETED);
    await eventually(() => below.delivered.length === COUNT - DELETED, { what: 'records from the log start', timeoutMs: 10_000 });
    assert.deepEqual(
      below.delivered.map((r) => r.offset),
      Array.from({ length: COUNT - DELETED }, (_, i) => DELETED + i),
    );
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.offset, 5);
    scheduler.remove(below.target);

    // Past the log end: latest resumes at the end (and new records then arrive from there).
    policy.value = 'latest';
    const beyond = new ObservedStage(topic, 1, COUNT + 100, budget, scheduler);
    scheduler.add(beyond.target);
    beyond.ask(1);
    await eventually(() => beyond.fetchOffset === COUNT, { what: 'the reset to the log end', timeoutMs: 10_000 });
    assert.equal(seen.length, 2);
    assert.equal(seen[1]?.offset, COUNT + 100);
    const producer = new Producer({ brokers, lingerMs: 1 });
    await producer.send(topic, { partition: 1, value: 'after-reset' });
    await producer.close();
    await eventually(() => beyond.delivered.length === 1, { what: 'the record written after the reset', timeoutMs: 10_000 });
    assert.equal(beyond.delivered[0]?.offset, COUNT);
    assert.equal(beyond.delivered[0]?.value?.toString(), 'after-reset');
  } finally {
    await scheduler.stop();
  }
});

test('resetOutOfRange: none is a typed error; bounds from the Fetch answer are used when present', async () => {
  const info = { offset: 3, logStartOffset: -1, highWatermark: -1 };
  const err = await resetOutOfRange(cluster, p0, info, 'none').catch((e: unknown) => e);
  assert.ok(err instanceof OffsetOutOfRangeError, String(err));
  assert.equal(err.offset, 3);
  assert.equal(err.context.topic, topic);
  assert.equal(await resetOutOfRange(cluster, p0, info, 'earliest'), DELETED, 'asked of the broker when the answer had no bounds');
  assert.equal(await resetOutOfRange(cluster, p0, info, 'latest'), COUNT);
  assert.equal(await resetOutOfRange(cluster, p0, { offset: 3, logStartOffset: 12, highWatermark: 40 }, 'earliest'), 12);
  assert.equal(await resetOutOfRange(cluster, p0, { offset: 3, logStartOffset: 12, highWatermark: 40 }, 'latest'), 40);
  assert.equal(
    await resetOutOfRange(cluster, p0, { offset: 3, logStartOffset: 12, highWatermark: 40 }, 'latest', { isolationLevel: 'read_committed' }),
    COUNT,
    'read_committed asks for the last stable offset',
  );
});
