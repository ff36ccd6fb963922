/** The cluster client against the real broker: bootstrap, negotiated versions, metadata and leaders. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { ALL_APIS } from '../../src/protocol/apis/index.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const topic = uniqueTopic('cluster');
let cluster: Cluster;
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
  await admin.createTopics([{ topic, partitions: 3 }]);
  cluster = new Cluster({ brokers: testBrokers() });
  await cluster.connect();
});

after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
  await cluster.close();
});

test('bootstrap loads the broker list and the cluster id', () => {
  const md = cluster.metadata;
  assert.ok(md, 'metadata loaded');
  assert.ok(md.brokers.size >= 1);
  assert.ok(md.clusterId && md.clusterId.length > 0);
  assert.ok(md.brokers.has(md.controllerId) || md.controllerId === -1);
});

test('every API we speak negotiates a version inside both ranges', async () => {
  const node = [...(cluster.metadata?.brokers.keys() ?? [])][0] as number;
  for (const api of ALL_APIS) {
    const version = await cluster.versionFor(node, api);
    assert.ok(version >= api.minVersion && version <= api.maxVersion, `${api.name} v${version}`);
  }
});

test('topic metadata has a leader per partition and a topic id', async () => {
  const info = await cluster.topic(topic);
  assert.equal(info.partitions.length, 3);
  assert.notEqual(info.topicId, 'AAAAAAAAAAAAAAAAAAAAAA');
  for (let p = 0; p < 3; p++) {
    const leader = await cluster.leaderFor(topic, p);
    assert.ok(cluster.metadata?.brokers.has(leader));
  }
});

test('an unknown topic is a typed error naming it', async () => {
  const missing = uniqueTopic('missing');
  await assert.rejects(cluster.topic(missing), (err: unknown) => {
    assert.ok(err instanceof KafkaError, String(err));
    assert.equal(err.errorName, 'UNKNOWN_TOPIC_OR_PARTITION');
    assert.equal(err.context.topic, missing);
    return true;
  });
});
