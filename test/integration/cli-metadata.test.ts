/** `kafka-stage metadata` (kcat -L) as a user runs it (the built binary), checked against kafka-topics --describe and the admin client. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import type { MetadataListing } from '../../src/cli/metadata.js';
import { runCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaDescribeTopic } from '../helpers/java-topic-tool.js';

const brokers = testBrokers().join(',');
const b = ['-b', brokers];
const topic = uniqueTopic('cli-metadata');
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.createTopics([{ topic, partitions: 3 }]);
});
after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

test('--json: brokers as the cluster describes itself; partitions, leaders, replicas and ISR as kafka-topics --describe shows them', async () => {
  const r = await runCli(['metadata', '-t', topic, '--json', ...b]);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout) as MetadataListing;
  const cluster = await admin.describeCluster();
  assert.equal(m.clusterId, cluster.clusterId);
  assert.equal(m.controllerId, cluster.controllerId);
  assert.deepEqual(m.brokers, cluster.brokers);
  assert.ok(m.brokers.some((br) => testBrokers().includes(`${br.host}:${br.port}`)), 'a bootstrap address is among the brokers');
  assert.deepEqual(m.topics.map((t) => t.name), [topic]);

  const java = (await javaDescribeTopic(brokers, topic)).partitions;
  assert.equal(java.length, 3);
  assert.deepEqual(
    m.topics[0]?.partitions.map(({ partition, leader, replicas, isr }) => ({ partition, leader, replicas, isr })),
    java,
  );
  assert.deepEqual(m.topics[0]?.partitions.map((p) => p.offlineReplicas), [[], [], []]);
});

test('text: one line per broker (the controller marked) and per partition; every topic, internal ones marked, without -t', async () => {
  const r = await runCli(['metadata', ...b]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const cluster = await admin.describeCluster();
  assert.equal(lines[0], `cluster ${cluster.clusterId ?? '(no id)'}  controller ${cluster.controllerId}`);
  for (const br of cluster.brokers) assert.ok(lines.some((l) => l.startsWith(`  broker ${br.nodeId} at ${br.host}:${br.port}`)));
  const at = lines.indexOf(`  topic "${topic}" with 3 partitions:`);
  assert.ok(at > 0, r.stdout.slice(0, 2000));
  assert.match(lines[at + 1] as string, /^ {4}partition 0, leader \d+, replicas: \d+, isrs: \d+$/);
  assert.ok(lines.includes('  topic "__consumer_offsets" with ' + String((await admin.describeTopics(['__consumer_offsets']))[0]?.partitions.length) + ' partitions (internal):'));
});
