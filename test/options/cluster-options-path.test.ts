import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { clusterOptionsOf, resolveClusterOptions, type ResolvedClusterOptions } from '../../src/cluster/options.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { Producer } from '../../src/producer/producer.js';

const brokers = '127.0.0.1:9';
const cluster = { brokers, clientId: 'path-test', requestTimeoutMs: 7_000, logger: false as const };

test('a resolved cluster options object resolves to itself; a copy of it is not taken as resolved', () => {
  const resolved = resolveClusterOptions(cluster);
  assert.equal(resolveClusterOptions(resolved), resolved);
  assert.equal(new Cluster(resolved).options, resolved);
  const copy = { ...resolved } as unknown as ResolvedClusterOptions;
  // A look-alike is validated as user input (its brokers are objects, not "host:port" strings).
  assert.throws(() => resolveClusterOptions(copy));
});

test('every role builds its Cluster from the cluster options it resolved, once', async () => {
  const producer = new Producer({ ...cluster, lingerMs: 0 });
  assert.equal(producer.cluster.options, producer.options.cluster);
  assert.equal(producer.cluster.options.requestTimeoutMs, 7_000);

  const admin = new Admin({ ...cluster, operationTimeoutMs: 1_000 });
  assert.equal(admin.cluster.options.clientId, 'path-test');
  assert.equal(resolveClusterOptions(admin.cluster.options), admin.cluster.options);

  const group = new ConsumerGroup({ ...cluster, groupId: 'g', topics: ['t'] }, () => undefined);
  const groupInternals = group as unknown as { cluster: Cluster; options: { cluster: ResolvedClusterOptions } };
  assert.equal(groupInternals.cluster.options, groupInternals.options.cluster, 'the resolved consumer options hold what the Cluster runs on');

  const standalone = new StandaloneConsumer({ ...cluster, partitions: [{ topic: 't', partition: 0 }] }, () => undefined);
  const standaloneInternals = standalone as unknown as { cluster: Cluster; options: { cluster: ResolvedClusterOptions } };
  assert.equal(standaloneInternals.cluster.options, standaloneInternals.options.cluster);

  await Promise.all([producer.close(), admin.close(), group.stop(), standalone.stop()]);
});

test('clusterOptionsOf keeps the cluster keys of a role and leaves its own out', () => {
  const part = clusterOptionsOf({ ...cluster, groupId: 'g', topics: ['t'], lingerMs: 5 } as Parameters<typeof clusterOptionsOf>[0]);
  assert.deepEqual(part, cluster);
});
