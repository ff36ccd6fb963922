/**
 * `kafka-stage topics` as a user runs it (the built binary) against the real broker, judged by
 * Kafka's own kafka-topics tool (TopicCommand --describe) and by the admin client.
 */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Producer } from '../../src/producer/producer.js';
import { topicConfigOnce } from '../helpers/topic-config.js';
import { runCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaDescribeTopic } from '../helpers/java-topic-tool.js';

const brokers = testBrokers().join(',');
const b = ['-b', brokers];
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
});
after(async () => {
  await admin.close();
});

interface DescribedJson {
  name: string;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[]; offlineReplicas: number[]; lowOffset: number; highOffset: number }[];
  configs: Record<string, string>;
}

test('create, then describe: what kafka-topics --describe shows, with each partition\'s offsets', async () => {
  const topic = uniqueTopic('cli-topics');
  const created = await runCli(['topics', 'create', topic, '--partitions', '3', '--set', 'retention.ms=3600000', ...b]);
  assert.equal(created.code, 0, created.stderr);
  assert.equal(created.stdout, `created topic ${topic}  partitions 3  replication-factor 1\n`);

  const producer = new Producer({ brokers: testBrokers() });
  await Promise.all(Array.from({ length: 5 }, (_, i) => producer.send(topic, { value: `v${i}`, partition: 1 })));
  await producer.close();

  const java = await javaDescribeTopic(brokers, topic);
  assert.equal(java.partitionCount, 3);
  assert.equal(java.configs['retention.ms'], '3600000');

  const r = await runCli(['topics', 'describe', topic, '--json', ...b]);
  assert.equal(r.code, 0, r.stderr);
  const [ours] = JSON.parse(r.stdout) as DescribedJson[];
  assert.ok(ours);
  assert.deepEqual(
    ours.partitions.map(({ partition, leader, replicas, isr }) => ({ partition, leader, replicas, isr })),
    java.partitions,
  );
  // The same non-default configs the Java tool lists.
  assert.deepEqual(ours.configs, java.configs);
  assert.deepEqual(
    ours.partitions.map((p) => [p.lowOffset, p.highOffset]),
    [
      [0, 0],
      [0, 5],
      [0, 0],
    ],
  );

  const table = await runCli(['topics', 'describe', '-t', topic, ...b]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0] as string, new RegExp(`^topic ${topic}  id \\S+  partitions 3  replication-factor 1$`));
  assert.match(lines[1] as string, /retention\.ms=3600000/);
  assert.deepEqual(lines[2]?.split(/\s+/), ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'LOW', 'HIGH']);
  assert.deepEqual(lines[4]?.split(/\s+/), ['1', String(java.partitions[1]?.leader), '1', '1', '-', '0', '5']);
  await admin.deleteTopics([topic]);
});

test('alter-config sets and deletes single configs, leaving the others; --dry-run changes nothing', async () => {
  const topic = uniqueTopic('cli-topics-alter');
  await admin.createTopics([{ topic, partitions: 1, configs: { 'retention.ms': '3600000', 'max.message.bytes': '200000' } }]);
  const dynamic = (entries: Parameters<Parameters<typeof topicConfigOnce>[2]>[0]) => Object.fromEntries(entries.filter((e) => e.source === 'dynamic-topic').map((e) => [e.name, e.value]));
  const configOnce = (expected: Record<string, string>) => topicConfigOnce(admin, topic, dynamic, (v) => isDeepStrictEqual(v, expected));

  const dry = await runCli(['topics', 'alter-config', topic, '--set', 'cleanup.policy=compact', '--dry-run', ...b]);
  assert.equal(dry.code, 0, dry.stderr);
  // Nothing changed: what a created topic's brokers show once they have its configs.
  assert.deepEqual(await configOnce({ 'retention.ms': '3600000', 'max.message.bytes': '200000' }), { 'retention.ms': '3600000', 'max.message.bytes': '200000' });

  const r = await runCli(['topics', 'alter-config', topic, '--set', 'cleanup.policy=compact', '--delete', 'retention.ms', ...b]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `altered topic ${topic}: cleanup.policy=compact -retention.ms\n`);
  assert.deepEqual(await configOnce({ 'cleanup.policy': 'compact', 'max.message.bytes': '200000' }), { 'cleanup.policy': 'compact', 'max.message.bytes': '200000' });

  const bad = await runCli(['topics', 'alter-config', topic, '--set', 'retention.ms=soon', ...b]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^kafka-stage topics: alterConfigs failed .*retention\.ms/);
  await admin.deleteTopics([topic]);
});

test('list hides internal topics unless --all; delete needs --yes and then removes the topic', async () => {
  const topic = uniqueTopic('cli-topics-list');
  await admin.createTopics([{ topic, partitions: 2 }]);
  const list = await runCli(['topics', 'list', ...b]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(list.stdout.split('\n').some((l) => l.split(/\s+/).join(' ') === `${topic} 2 1`), list.stdout);
  assert.ok(!list.stdout.includes('__consumer_offsets'));
  const all = await runCli(['topics', 'list', '--all', '--json', ...b]);
  const listed = JSON.parse(all.stdout) as { name: string; isInternal: boolean }[];
  assert.ok(listed.some((t) => t.name === '__consumer_offsets' && t.isInternal));

  const refused = await runCli(['topics', 'delete', topic, ...b]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /add --yes to confirm/);
  assert.ok((await admin.listTopics()).some((t) => t.name === topic), 'still there');

  const deleted = await runCli(['topics', 'delete', topic, '--yes', ...b]);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.ok(!(await admin.listTopics()).some((t) => t.name === topic), 'gone');
});

test('a topic that does not exist: exit 1 naming it', async () => {
  const missing = uniqueTopic('cli-topics-missing');
  const r = await runCli(['topics', 'describe', missing, ...b]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`${missing}: UNKNOWN_TOPIC_OR_PARTITION`));
  assert.equal(r.stdout, '');
});
