/** The fake's server-side assignors: uniform stays balanced and sticky as members come and go; range co-partitions. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partitionKey, rangeAssignor, uniformAssignor, type AssignableMember, type TargetAssignment } from '../../src/testing/assignors.js';

const member = (id: string, topics: string[], instanceId: string | null = null): AssignableMember => ({ id, instanceId, topicIds: new Set(topics) });
const sizes = (target: TargetAssignment): number[] => [...target.values()].map((s) => s.size).sort((a, b) => a - b);
const everyPartitionOnce = (target: TargetAssignment, total: number): void => {
  const all = [...target.values()].flatMap((s) => [...s]);
  assert.equal(all.length, total);
  assert.equal(new Set(all).size, total);
};

test('uniform: balanced within one; a member leaving moves only its partitions; a member joining takes only what balance needs', () => {
  const topics = [{ id: 'T', partitions: 10 }];
  const three = [member('a', ['T']), member('b', ['T']), member('c', ['T'])];
  const first = uniformAssignor(three, topics, new Map());
  everyPartitionOnce(first, 10);
  assert.deepEqual(sizes(first), [3, 3, 4]);
  const two = uniformAssignor(three.slice(0, 2), topics, first);
  everyPartitionOnce(two, 10);
  assert.deepEqual(sizes(two), [5, 5]);
  for (const id of ['a', 'b']) for (const key of first.get(id) ?? []) assert.ok(two.get(id)?.has(key), `${id} keeps ${key}`);
  const back = uniformAssignor([...three.slice(0, 2), member('d', ['T'])], topics, two);
  everyPartitionOnce(back, 10);
  assert.deepEqual(sizes(back), [3, 3, 4]);
  const moved = ['a', 'b'].reduce((n, id) => n + [...(two.get(id) ?? [])].filter((k) => !back.get(id)?.has(k)).length, 0);
  assert.equal(moved, back.get('d')?.size, 'only the newcomer\'s share moved');
});

test('uniform: a partition goes only to members subscribed to its topic', () => {
  const target = uniformAssignor([member('a', ['X']), member('b', ['X', 'Y'])], [{ id: 'X', partitions: 2 }, { id: 'Y', partitions: 4 }], new Map());
  everyPartitionOnce(target, 6);
  assert.ok([...(target.get('a') ?? [])].every((k) => k.startsWith('X:')));
  assert.deepEqual(sizes(target), [2, 4]);
});

test('range: contiguous ranges per topic in instance-id (else member-id) order, the first members taking the remainder', () => {
  const target = rangeAssignor([member('m2', ['X', 'Y'], 'i-1'), member('m1', ['X', 'Y'], 'i-2')], [{ id: 'X', partitions: 3 }, { id: 'Y', partitions: 3 }], new Map());
  assert.deepEqual([...(target.get('m2') ?? [])].sort(), [partitionKey('X', 0), partitionKey('X', 1), partitionKey('Y', 0), partitionKey('Y', 1)]);
  assert.deepEqual([...(target.get('m1') ?? [])].sort(), [partitionKey('X', 2), partitionKey('Y', 2)]);
});
