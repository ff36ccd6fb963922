import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeMetadata, type MetadataResponseLike } from '../../src/cluster/metadata.js';

const partition = (i: number, leader: number) => ({ errorCode: 0, partitionIndex: i, leaderId: leader, leaderEpoch: 3, replicaNodes: [leader], isrNodes: [leader] });
const response = (topics: MetadataResponseLike['topics']): MetadataResponseLike => ({
  brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
  clusterId: 'c',
  controllerId: 1,
  topics,
});

test('a refresh for some topics keeps the others', () => {
  const first = mergeMetadata(null, response([{ errorCode: 0, name: 'a', topicId: 'x', isInternal: false, partitions: [partition(0, 1)] }]), 1);
  const second = mergeMetadata(first, response([{ errorCode: 0, name: 'b', topicId: 'y', isInternal: false, partitions: [partition(1, 1), partition(0, 1)] }]), 2);
  assert.deepEqual([...second.topics.keys()].sort(), ['a', 'b']);
  const b = second.topics.get('b');
  assert.equal(b?.partitions.length, 2);
  assert.equal(b?.partitions[1]?.partition, 1, 'partitions are indexed by partition number, whatever the response order');
  assert.equal(second.fetchedAt, 2);
});

test('a topic reported with an error replaces the cached entry', () => {
  const first = mergeMetadata(null, response([{ errorCode: 0, name: 'a', topicId: 'x', isInternal: false, partitions: [partition(0, 1)] }]), 1);
  const second = mergeMetadata(first, response([{ errorCode: 3, name: 'a', topicId: 'x', isInternal: false, partitions: [] }]), 2);
  assert.equal(second.topics.get('a')?.errorCode, 3);
  assert.equal(second.topics.get('a')?.partitions.length, 0);
});
