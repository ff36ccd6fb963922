/**
 * The files of the temporary project pack.test.ts installs the tarball into: what a user writes.
 * Kept as text here, not as files under test/, so the repository's own type check and lint do not
 * try to resolve `kafka-stage` (the package is only installed in the temporary project).
 */

/** CommonJS: require() the package (Node's require(esm)); exports, typed errors, option checks. */
const CJS_CHECK = `'use strict';
const assert = require('node:assert/strict');
const ks = require('kafka-stage');
const protocol = require('kafka-stage/protocol');
for (const name of ['Producer', 'ConsumerGroup', 'StandaloneConsumer', 'Admin', 'Cluster', 'KafkaStageError', 'InvalidOptionError', 'InvalidArgumentError']) {
  assert.equal(typeof ks[name], 'function', name + ' is not exported');
}
assert.equal(typeof protocol.encodeRecordBatch, 'function');
assert.equal(ks.PartitionStage, undefined, 'the engine class is not exported');
let caught;
try {
  new ks.Producer({ brokers: ['localhost:9092'], lingerMs: -1 });
} catch (err) {
  caught = err;
}
assert.ok(caught instanceof ks.InvalidOptionError, String(caught));
assert.ok(caught instanceof ks.KafkaStageError);
assert.equal(caught.code, 'ERR_INVALID_OPTION');
// The same classes through both entry points: one module instance, not a CommonJS copy.
assert.equal(protocol.KafkaStageError, ks.KafkaStageError);
const { FakeKafkaCluster } = require('kafka-stage/testing');
FakeKafkaCluster.start({ topics: [{ topic: 'cjs', partitions: 2 }] }).then(async (cluster) => {
  assert.match(cluster.bootstrap[0], /^127\\.0\\.0\\.1:\\d+$/);
  assert.deepEqual(cluster.topicNames(), ['cjs']);
  await cluster.stop();
  console.log('cjs ok', Object.keys(ks).length, 'exports');
});
`;

/** ES module: import the package; the same module instance as require() gives. */
const ESM_CHECK = `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as ks from 'kafka-stage';
import { KafkaStageError, Producer, InvalidOptionError } from 'kafka-stage';
const required = createRequire(import.meta.url)('kafka-stage');
assert.equal(required.Producer, Producer, 'require() and import give one module instance');
assert.throws(() => new Producer({ brokers: [] }), (err) => err instanceof InvalidOptionError && err instanceof KafkaStageError);
const { FakeKafkaCluster } = await import('kafka-stage/testing');
assert.equal(createRequire(import.meta.url)('kafka-stage/testing').FakeKafkaCluster, FakeKafkaCluster, 'one module instance');
const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'esm', partitions: 1 }] });
const producer = new Producer({ brokers: cluster.bootstrap });
await producer.send('esm', { key: 'k', value: 'hello' });
await producer.close();
const [record] = await cluster.records('esm', 0);
assert.equal(record?.value?.toString(), 'hello');
await cluster.stop();
console.log('esm ok', Object.keys(ks).length, 'exports');
`;

/** Strict TypeScript (ES module): a producer, a group with a subscriber using the public stage type. */
const TS_USAGE = `import { ConsumerGroup, InvalidArgumentError, KafkaStageError, Producer, type ConsumerBatch, type KafkaRecord, type PartitionStage, type PartitionStats, type SubscriberFactory } from 'kafka-stage';
import { crc32c } from 'kafka-stage/protocol';
import { FakeKafkaCluster, type FakeKafkaClusterOptions } from 'kafka-stage/testing';

const producer = new Producer({ brokers: ['localhost:9092'], clientId: 'types-check' });
export async function produce(): Promise<number> {
  const meta = await producer.send('orders', { key: 'k', value: 'v', headers: { source: 'check' } });
  await producer.close();
  return meta.offset;
}

async function handle(record: KafkaRecord): Promise<void> {
  if (record.value === null) return;
}

const subscriber: SubscriberFactory<{ label: string }> = async (stage: PartitionStage, { signal, extra }) => {
  const stats: PartitionStats = stage.stats();
  const where: string = stage.topic + '/' + String(stage.partition) + ' ' + extra.label + ' ' + String(stats.lag);
  signal.addEventListener('abort', () => where.length);
  for await (const record of stage.records({ maxDemand: 100 })) {
    await handle(record);
    await stage.ack(record);
  }
  for await (const batch of stage.batches()) {
    const b: ConsumerBatch = batch;
    await stage.ack(b);
  }
  const retried: boolean = stage.nack(0, new Error('handler failed'));
  if (!retried) stage.ask(10);
  stage.onRecords((records: KafkaRecord[]) => void records.length, (err: Error) => void err.message);
  const readable = stage.readable({ maxDemand: 10 });
  readable.destroy();
  const stream = stage.readableStream();
  await stream.cancel();
  // Engine methods are not part of the public type.
  // @ts-expect-error onFetched is the fetch scheduler's, not the subscriber's
  stage.onFetched([], { highWatermark: 0, lastStableOffset: 0, logStartOffset: 0, abortedTransactions: null });
  // @ts-expect-error revoke is the consumer's
  await stage.revoke(0);
  // @ts-expect-error seek is internal
  stage.seek(0);
};

const group = new ConsumerGroup({ brokers: ['localhost:9092'], groupId: 'g', topics: ['orders'] }, subscriber, { label: 'x' });
export async function consume(): Promise<void> {
  group.on('error', (err: Error) => {
    if (err instanceof KafkaStageError) void err.code;
    if (err instanceof InvalidArgumentError) void err.argument;
  });
  await group.start();
  const stage: PartitionStage | undefined = group.stage('orders', 0);
  // @ts-expect-error markCommitted is the commit manager's
  stage?.markCommitted(1);
  await group.stop();
}

export const checksum: number = crc32c(Buffer.from('kafka-stage'));

const fakeOptions: FakeKafkaClusterOptions = { brokers: 2, topics: [{ topic: 'orders', partitions: 3 }] };
export async function fake(): Promise<number | undefined> {
  const cluster = await FakeKafkaCluster.start(fakeOptions);
  cluster.fail('Fetch', 'NOT_LEADER_OR_FOLLOWER', { times: 1, topic: 'orders', partition: 0 });
  cluster.delay('Produce', 10);
  cluster.corruptNextBatch('orders', 1);
  await cluster.dropBroker(2);
  await cluster.restoreBroker(2);
  cluster.forceRebalance('g');
  const records: KafkaRecord[] = await cluster.records('orders', 0);
  const committed: number | undefined = cluster.committed('g', 'orders', 0);
  await cluster.stop();
  return committed ?? records.length;
}
`;

/** CommonJS TypeScript (nodenext): require(esm) of the package type-checks too. */
const CTS_USAGE = `import { Producer, type PartitionStage } from 'kafka-stage';
export function make(): Producer {
  return new Producer({ brokers: ['localhost:9092'] });
}
export function topicOf(stage: PartitionStage): string {
  return stage.topic;
}
`;

const STRICT = {
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  target: 'ES2022',
  lib: ['ES2023'],
  types: ['node'],
};

/** Relative path → contents of every file of the temporary project (package.json is written by the test). */
export const PROJECT_FILES: Readonly<Record<string, string>> = {
  'cjs-check.cjs': CJS_CHECK,
  'esm-check.mjs': ESM_CHECK,
  'usage.mts': TS_USAGE,
  'usage-cjs.cts': CTS_USAGE,
  'tsconfig.node16.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16' }, files: ['usage.mts'] }, null, 2),
  'tsconfig.bundler.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler' }, files: ['usage.mts'] }, null, 2),
  'tsconfig.nodenext-cjs.json': JSON.stringify({ compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['usage-cjs.cts'] }, null, 2),
};
