/**
 * Smoke test of every client role against whatever broker KAFKA_BROKERS names: CI runs it against
 * the oldest Kafka releases we support (3.9.x, 3.7.x) as well as the default one. Admin creates a
 * topic, the idempotent producer writes keyed records with headers, a consumer group of two members
 * consumes and commits them, admin describes the group while it is stable and its offsets after it
 * stops, then deletes the topic. The API versions negotiated with the broker are printed as test
 * diagnostics, so a run's log shows what an older broker made us speak.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/index.js';
import { ConsumerGroup } from '../../../src/consumer/consumer-group.js';
import { ALL_APIS } from '../../../src/protocol/apis/index.js';
import { ConsumerGroupHeartbeat } from '../../../src/protocol/apis/consumer-group-heartbeat.js';
import { KafkaStageError } from '../../../src/errors.js';
import type { KafkaRecord } from '../../../src/protocol/records/types.js';
import { Producer } from '../../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../../helpers/env.js';
import { eventually } from '../../helpers/eventually.js';

const brokers = testBrokers();
const PARTITIONS = 3;
const RECORDS = 600;
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers });
  await admin.connect();
});
after(async () => {
  await admin.close();
});

test('the negotiated version of every API we speak is listed (a broker lacking one is reported, not fatal here)', async (t) => {
  const speak: string[] = [];
  for (const api of ALL_APIS) {
    try {
      speak.push(`${api.name} v${await admin.cluster.versionFor('any', api)}`);
    } catch (err) {
      speak.push(`${api.name} -: ${(err as Error).message}`);
    }
  }
  t.diagnostic(`negotiated with ${brokers.join(',')}: ${speak.join(', ')}`);
  // The APIs this test goes on to use must all have a version in common with the broker.
  for (const name of ['Produce', 'Fetch', 'ListOffsets', 'Metadata', 'OffsetCommit', 'OffsetFetch', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'DescribeGroups', 'CreateTopics', 'DeleteTopics', 'InitProducerId']) {
    assert.ok(speak.some((s) => s.startsWith(`${name} v`)), `no version of ${name} in common: ${speak.join(', ')}`);
  }
});

test('create topic, produce, group consume and commit, describe the group, delete the topic', async () => {
  const topic = uniqueTopic('smoke');
  const groupId = uniqueTopic('smoke-g');
  const created = await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  assert.deepEqual(created.map((c) => c.topic), [topic]);

  // Keyed records with headers through the idempotent producer (the default), gzip-compressed.
  const producer = new Producer({ brokers, lingerMs: 5, compression: 'gzip' });
  const sent = new Map<string, number>();
  try {
    const acks = await Promise.all(
      Array.from({ length: RECORDS }, (_, i) =>
        producer.send(topic, { key: `k${i % 37}`, value: `v${i}`, headers: [{ key: 'n', value: String(i) }] }),
      ),
    );
    acks.forEach((ack, i) => sent.set(`v${i}`, ack.partition));
  } finally {
    await producer.close();
  }
  const ends = await admin.listOffsets(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  assert.equal(ends.reduce((n, e) => n + e.offset, 0), RECORDS, 'log end offsets add up to what was acknowledged');

  // Two members share the partitions; each acks every batch, so the final commits are the log ends.
  const received: KafkaRecord[] = [];
  const members = [0, 1].map(
    () =>
      new ConsumerGroup(
        { brokers, groupId, topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' },
        async (stage) => {
          for await (const batch of stage.batches({ maxDemand: 100 })) {
            received.push(...batch.records);
            await stage.ack(batch);
          }
        },
      ),
  );
  try {
    await Promise.all(members.map((m) => m.start()));
    await eventually(() => new Set(received.map((r) => r.value?.toString())).size >= RECORDS, { what: `${RECORDS} records`, timeoutMs: 30_000, intervalMs: 50 });
    // The group may still be settling its second member's join: describe until it reports Stable.
    const description = await eventually(
      async () => {
        const d = await admin.describeGroup(groupId);
        return d.state === 'Stable' && d.members.length === 2 && d.members.every((m) => m.assignment.length > 0) && d;
      },
      { what: 'a stable group of two members that both own partitions', timeoutMs: 30_000, intervalMs: 50 },
    );
    // Kafka 4 answers ConsumerGroupDescribe with GROUP_ID_NOT_FOUND for a classic group, 3.9 with
    // UNSUPPORTED_VERSION, 3.7 does not list it: each time the admin asks DescribeGroups instead.
    assert.equal(description.type, 'classic');
    assert.equal(description.protocolType, 'consumer');
    const owned = description.members.flatMap((m) => m.assignment.map((a) => `${a.topic}/${a.partition}`)).sort();
    assert.deepEqual(owned, Array.from({ length: PARTITIONS }, (_, p) => `${topic}/${p}`));
  } finally {
    await Promise.all(members.map((m) => m.stop()));
  }

  // Each record once (a rebalance may re-deliver uncommitted ones: count distinct), on the partition
  // its acknowledgement named, with its key and header intact, in offset order per partition.
  const byValue = new Map(received.map((r) => [r.value?.toString(), r]));
  assert.equal(byValue.size, RECORDS);
  for (const [value, partition] of sent) {
    const r = byValue.get(value);
    assert.ok(r, `record ${value} not received`);
    assert.equal(r.partition, partition);
    const i = Number(value.slice(1));
    assert.equal(r.key?.toString(), `k${i % 37}`);
    assert.deepEqual(r.headers.map((h) => [h.key, h.value?.toString()]), [['n', String(i)]]);
  }
  for (let p = 0; p < PARTITIONS; p++) {
    const offsets = [...new Set(received.filter((r) => r.partition === p).map((r) => r.offset))];
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `partition ${p} in order`);
  }

  const after = await admin.describeGroupOffsets(groupId);
  assert.equal(after.state, 'Empty');
  assert.equal(after.totalLag, 0);
  assert.deepEqual(
    after.partitions.map((p) => [p.partition, p.committedOffset]),
    ends.map((e) => [e.partition, e.offset]),
  );

  await admin.deleteTopics([topic]);
  // The broker's metadata cache follows the controller shortly after the deletion is committed.
  await eventually(async () => ((await admin.cluster.refreshMetadata([topic])).topics.get(topic)?.partitions.length ?? 0) === 0, {
    what: 'the deleted topic to leave metadata',
    timeoutMs: 10_000,
    intervalMs: 50,
  });
});

test("groupProtocol 'consumer': a broker that offers ConsumerGroupHeartbeat serves the group; one that does not fails start() with a typed error naming the API", async () => {
  const topic = uniqueTopic('smoke-848');
  const groupId = uniqueTopic('smoke-848-g');
  await admin.createTopics([{ topic, partitions: 2 }]);
  const offered = await admin.cluster.versionFor('any', ConsumerGroupHeartbeat).then(
    (v) => v,
    () => null,
  );
  const producer = new Producer({ brokers });
  try {
    await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send(topic, { partition: i % 2, value: `v${i}` })));
  } finally {
    await producer.close();
  }
  const seen: number[] = [];
  const group = new ConsumerGroup({ brokers, groupId, topics: [topic], groupProtocol: 'consumer', autoOffsetReset: 'earliest' }, async (stage) => {
    for await (const batch of stage.batches()) {
      seen.push(...batch.records.map((r) => r.offset));
      await stage.ack(batch);
    }
  });
  try {
    // Kafka 4 offers v1 and serves it. Kafka 3.x either lacks the API or lists v0 and refuses it
    // (its preview of the protocol is off unless switched on, which the scripts' brokers do not).
    if (offered === null || offered < 1) {
      await assert.rejects(group.start(), (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_UNSUPPORTED_VERSION' && /ConsumerGroupHeartbeat|groupProtocol 'consumer'/.test(err.message));
    } else {
      await group.start();
      assert.ok(group.generationId > 0, `member epoch ${group.generationId} (ConsumerGroupHeartbeat v${offered})`);
      await eventually(() => seen.length >= 40, { what: '40 records', timeoutMs: 30_000 });
      const d = await admin.describeGroup(groupId);
      assert.equal(d.type, 'consumer');
      assert.deepEqual(
        d.members.map((m) => m.memberId),
        [group.memberId],
      );
    }
  } finally {
    await group.stop();
    await admin.deleteTopics([topic]);
  }
});
