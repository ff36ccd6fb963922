/** Admin.deleteGroups, alterGroupOffsets, alterConfigs and describeTopics against the real broker: results and typed errors. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin, AdminOperationError, ConsumerGroup, GroupNotEmptyError, KafkaError } from '../../src/index.js';
import { topicConfigOnce } from '../helpers/topic-config.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const topic = uniqueTopic('admin-group-changes');
let admin: Admin;

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.createTopics([{ topic, partitions: 2 }]);
});
after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
});

test('a group with a member: alterGroupOffsets throws GroupNotEmptyError with its state, deleteGroups fails with it per group', async () => {
  const groupId = uniqueTopic('admin-active');
  let assigned!: () => void;
  const joined = new Promise<void>((resolve) => (assigned = resolve));
  const group = new ConsumerGroup({ brokers: testBrokers(), groupId, topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }, async (stage) => {
    assigned();
    for await (const batch of stage.batches()) await stage.ack(batch);
  });
  await group.start();
  try {
    await joined;
    await assert.rejects(admin.alterGroupOffsets(groupId, [{ topic, partition: 0, offset: 0 }]), (err: unknown) => {
      assert.ok(err instanceof GroupNotEmptyError);
      assert.equal(err.code, 'ERR_GROUP_NOT_EMPTY');
      assert.equal(err.groupId, groupId);
      assert.match(String(err.state), /^(Stable|PreparingRebalance|CompletingRebalance)$/);
      return true;
    });
    await assert.rejects(admin.deleteGroups([groupId]), (err: unknown) => {
      assert.ok(err instanceof AdminOperationError);
      assert.ok(err.failureOf(groupId) instanceof GroupNotEmptyError);
      return true;
    });
  } finally {
    await group.stop();
  }
  // Once the member left, both work.
  await admin.alterGroupOffsets(groupId, [{ topic, partition: 1, offset: 0 }]);
  await admin.deleteGroups([groupId]);
  assert.deepEqual(await admin.fetchGroupOffsets(groupId), []);
});

test('deleteGroups of a group that does not exist: GROUP_ID_NOT_FOUND for it, the others deleted', async () => {
  const existing = uniqueTopic('admin-existing');
  const missing = uniqueTopic('admin-missing');
  await admin.alterGroupOffsets(existing, [{ topic, partition: 0, offset: 0 }]);
  await assert.rejects(admin.deleteGroups([existing, missing]), (err: unknown) => {
    assert.ok(err instanceof AdminOperationError);
    assert.deepEqual(err.succeeded, [existing]);
    const failure = err.failureOf(missing);
    assert.ok(failure instanceof KafkaError);
    assert.equal(failure.errorCode, 69);
    return true;
  });
  assert.equal((await admin.describeGroup(existing)).state, 'Dead');
});

test('alterConfigs: append and subtract on a list config; describeTopics reports replicas, ISR and no offline replicas', async () => {
  const policyOnce = (expected: string) => topicConfigOnce(admin, topic, (entries) => entries.find((e) => e.name === 'cleanup.policy')?.value, (v) => v === expected);
  await admin.alterConfigs([{ type: 'topic', name: topic, ops: [{ name: 'cleanup.policy', op: 'append', value: 'compact' }] }]);
  assert.equal(await policyOnce('delete,compact'), 'delete,compact');
  await admin.alterConfigs([{ type: 'topic', name: topic, ops: [{ name: 'cleanup.policy', op: 'subtract', value: 'delete' }] }]);
  assert.equal(await policyOnce('compact'), 'compact');

  const [described] = await admin.describeTopics([topic]);
  assert.equal(described?.partitions.length, 2);
  for (const p of described?.partitions ?? []) {
    assert.ok(p.leader >= 0);
    assert.deepEqual(p.isr, p.replicas);
    assert.deepEqual(p.offlineReplicas, []);
  }
});
