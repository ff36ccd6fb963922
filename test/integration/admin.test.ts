/** The admin client against the real broker. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { AdminOperationError } from '../../src/admin/errors.js';
import { Producer } from '../../src/producer/producer.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { InvalidOptionError } from '../../src/errors.js';
import { ZERO_UUID } from '../../src/protocol/schema.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

let admin: Admin;
const created: string[] = [];

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
});

after(async () => {
  if (created.length > 0) await admin.deleteTopics(created).catch(() => undefined);
  await admin.close();
});

/** The AdminOperationError `promise` rejects with. */
async function adminError(promise: Promise<unknown>): Promise<AdminOperationError> {
  const err = await promise.then(
    () => assert.fail('expected the operation to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AdminOperationError, `expected AdminOperationError, got ${String(err)}`);
  return err;
}

/** The KafkaError an AdminOperationError holds for `entity`. */
function kafkaFailure(err: AdminOperationError, entity: string): KafkaError {
  const failure = err.failureOf(entity);
  assert.ok(failure instanceof KafkaError, `expected a KafkaError for ${entity}, got ${String(failure)}`);
  return failure;
}

test('create, describe, add partitions, list offsets and delete a topic', async () => {
  const topic = uniqueTopic('admin-cycle');
  created.push(topic);
  const [result] = await admin.createTopics([{ topic, partitions: 3, configs: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } }]);
  assert.equal(result?.topic, topic);
  assert.equal(result?.created, true);
  assert.equal(result?.partitions, 3);
  assert.notEqual(result?.topicId, ZERO_UUID);

  // createTopics resolved only once every partition had a leader: the cached metadata shows them.
  const info = admin.cluster.metadata?.topics.get(topic);
  assert.equal(info?.partitions.length, 3);
  assert.ok(info?.partitions.every((p) => p.leader >= 0));
  assert.equal(info?.topicId, result?.topicId);

  const [configs] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
  const entry = (name: string) => configs?.entries.find((e) => e.name === name);
  assert.equal(entry('retention.ms')?.value, '3600000');
  assert.equal(entry('retention.ms')?.source, 'dynamic-topic');
  assert.equal(entry('retention.ms')?.isDefault, false);
  assert.equal(entry('message.timestamp.type')?.isDefault, true, 'an unset config reports its default');
  assert.equal(entry('message.timestamp.type')?.value, 'CreateTime');

  await admin.createPartitions([{ topic, count: 5 }]);
  assert.equal(admin.cluster.metadata?.topics.get(topic)?.partitions.length, 5);
  assert.ok(admin.cluster.metadata?.topics.get(topic)?.partitions.every((p) => p.leader >= 0), 'new partitions have leaders');

  const offsets = await admin.listOffsets([0, 1, 2, 3, 4].map((partition) => ({ topic, partition, spec: 'latest' as const })));
  assert.deepEqual(offsets.map((o) => [o.partition, o.offset]), [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0]]);

  await admin.deleteTopics([topic]);
  created.splice(created.indexOf(topic), 1);
  const gone = await adminError(admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]));
  assert.equal(kafkaFailure(gone, `${topic}/0`).errorCode, 3);
});

test('earliest, latest and by-time offsets follow the records written', async () => {
  const topic = uniqueTopic('admin-offsets');
  created.push(topic);
  await admin.createTopics([{ topic, partitions: 2 }]);
  const base = Date.now() - 60_000;
  const producer = new Producer({ brokers: testBrokers(), lingerMs: 0 });
  try {
    // Timestamps 0, 10, 20, 30, 40 s after `base`, in order, on partition 1.
    await producer.sendBatch(
      topic,
      [0, 1, 2, 3, 4].map((i) => ({ value: `r${i}`, partition: 1, timestamp: base + i * 10_000 })),
    );
  } finally {
    await producer.close();
  }
  const ask = (spec: 'earliest' | 'latest' | number) => admin.listOffsets([{ topic, partition: 1, spec }]).then(([o]) => o);
  assert.equal((await ask('earliest'))?.offset, 0);
  assert.equal((await ask('latest'))?.offset, 5);
  const exact = await ask(base + 20_000);
  assert.equal(exact?.offset, 2);
  assert.equal(exact?.timestamp, base + 20_000);
  const between = await ask(base + 25_000);
  assert.equal(between?.offset, 3, 'the first record at or after the time');
  assert.equal(between?.timestamp, base + 30_000);
  assert.equal((await ask(base + 3_600_000))?.offset, -1, 'no record that recent');
  const [p0] = await admin.listOffsets([{ topic, partition: 0, spec: 'latest' }], { isolationLevel: 'read_committed' });
  assert.equal(p0?.offset, 0, 'the other partition is untouched');
});

test('errors for unknown topics are typed, name the topic, and do not hide the successes', async () => {
  const topic = uniqueTopic('admin-known');
  const missing = uniqueTopic('admin-missing');
  created.push(topic);
  await admin.createTopics([{ topic, partitions: 1 }]);

  const del = await adminError(admin.deleteTopics([missing]));
  const delFailure = kafkaFailure(del, missing);
  assert.equal(delFailure.errorCode, 3);
  assert.equal(delFailure.errorName, 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(delFailure.context.topic, missing);
  assert.match(del.message, new RegExp(missing));

  const offsets = await adminError(
    admin.listOffsets([
      { topic, partition: 0, spec: 'latest' },
      { topic: missing, partition: 0, spec: 'latest' },
      { topic, partition: 9, spec: 'latest' },
    ]),
  );
  assert.deepEqual(offsets.succeeded, [`${topic}/0`]);
  assert.deepEqual(offsets.failures.map((f) => f.entity), [`${missing}/0`, `${topic}/9`]);
  assert.equal(kafkaFailure(offsets, `${missing}/0`).context.topic, missing);
  assert.equal(kafkaFailure(offsets, `${topic}/9`).context.partition, 9);

  const configs = await adminError(admin.describeConfigs([{ type: 'topic', name: missing }]));
  assert.equal(kafkaFailure(configs, `topic:${missing}`).errorCode, 3);

  const partitions = await adminError(admin.createPartitions([{ topic: missing, count: 2 }]));
  assert.equal(kafkaFailure(partitions, missing).errorCode, 3);
});

test('broker-side rejections are aggregated per topic; TOPIC_ALREADY_EXISTS can be tolerated', async () => {
  const topic = uniqueTopic('admin-exists');
  const fresh = uniqueTopic('admin-fresh');
  const tooReplicated = uniqueTopic('admin-rf');
  created.push(topic, fresh);
  await admin.createTopics([{ topic, partitions: 2 }]);

  const err = await adminError(
    admin.createTopics([
      { topic, partitions: 1 },
      { topic: fresh, partitions: 1 },
      { topic: tooReplicated, partitions: 1, replicationFactor: 5 },
    ]),
  );
  assert.equal(kafkaFailure(err, topic).errorName, 'TOPIC_ALREADY_EXISTS');
  assert.equal(kafkaFailure(err, tooReplicated).errorName, 'INVALID_REPLICATION_FACTOR');
  assert.ok(kafkaFailure(err, tooReplicated).brokerMessage, 'the broker explained why');
  assert.deepEqual(err.succeeded, [fresh], 'the topic that could be created was');

  const [again] = await admin.createTopics([{ topic, partitions: 1 }], { ignoreExisting: true });
  assert.equal(again?.created, false);
  assert.equal(again?.partitions, 2, 'reports the existing topic, not the request');

  const shrink = await adminError(admin.createPartitions([{ topic, count: 1 }]));
  assert.equal(kafkaFailure(shrink, topic).errorName, 'INVALID_PARTITIONS');
});

test('validateOnly checks without creating', async () => {
  const topic = uniqueTopic('admin-validate');
  const [checked] = await admin.createTopics([{ topic, partitions: 4 }], { validateOnly: true });
  assert.equal(checked?.topic, topic);
  const err = await adminError(admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]));
  assert.equal(kafkaFailure(err, `${topic}/0`).errorCode, 3, 'nothing was created');
});

test('describeCluster and broker configs', async () => {
  const cluster = await admin.describeCluster();
  assert.ok(typeof cluster.clusterId === 'string' && cluster.clusterId.length > 0);
  assert.ok(cluster.brokers.length >= 1);
  const bootstrap = testBrokers()[0] as string;
  assert.ok(cluster.brokers.some((b) => `${b.host}:${b.port}` === bootstrap), 'the bootstrap broker is listed');
  assert.ok(cluster.brokers.some((b) => b.nodeId === cluster.controllerId));

  const brokerId = String(cluster.brokers[0]?.nodeId);
  const [configs] = await admin.describeConfigs([{ type: 'broker', name: brokerId, keys: ['auto.create.topics.enable', 'log.dirs'] }]);
  assert.deepEqual(configs?.entries.map((e) => e.name).sort(), ['auto.create.topics.enable', 'log.dirs']);
  const auto = configs?.entries.find((e) => e.name === 'auto.create.topics.enable');
  assert.equal(auto?.value, 'false');
  assert.equal(auto?.source, 'static-broker');

  const unknown = await adminError(admin.describeConfigs([{ type: 'broker', name: '9999' }]));
  assert.match(unknown.message, /broker 9999/);
});

test('invalid input throws InvalidOptionError naming the field, and nothing is sent', async () => {
  const topic = uniqueTopic('admin-invalid');
  await assert.rejects(
    admin.createTopics([{ topic, partitions: 2, replicationFactor: 0 }]),
    (e: unknown) => e instanceof InvalidOptionError && e.option === 'topics[0].replicationFactor',
  );
  await assert.rejects(
    admin.createTopics([{ topic, partitions: 1 }], { timeoutMs: -5 }),
    (e: unknown) => e instanceof InvalidOptionError && e.option === 'options.timeoutMs',
  );
  const err = await adminError(admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]));
  assert.equal(kafkaFailure(err, `${topic}/0`).errorCode, 3, 'the rejected calls created nothing');
  assert.throws(() => new Admin({ brokers: testBrokers(), retry: { retries: -1 } }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'retry.retries');
});
