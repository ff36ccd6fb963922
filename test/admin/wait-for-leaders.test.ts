import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterMetadata, PartitionInfo } from '../../src/cluster/metadata.js';
import { topicsNotReady } from '../../src/admin/wait-for-leaders.js';

const p = (partition: number, leader: number, errorCode = 0): PartitionInfo => ({ partition, leader, leaderEpoch: 0, replicas: [1], isr: [1], errorCode });
const metadata = (topics: Record<string, PartitionInfo[]>, errorCode = 0): ClusterMetadata => ({
  clusterId: 'c',
  controllerId: 1,
  brokers: new Map([[1, { nodeId: 1, host: 'h', port: 1, rack: null }]]),
  topics: new Map(Object.entries(topics).map(([name, partitions]) => [name, { name, topicId: 'x', isInternal: false, partitions, errorCode }])),
  fetchedAt: 0,
});

test('a topic is ready when it has the expected partitions, each led by a known broker', () => {
  assert.deepEqual(topicsNotReady(metadata({ a: [p(0, 1), p(1, 1)] }), new Map([['a', 2]])), []);
});

test('missing partitions, leaderless partitions, unknown leaders and unknown topics are not ready', () => {
  const md = metadata({ few: [p(0, 1)], leaderless: [p(0, 1), p(1, -1)], stranger: [p(0, 7)], erroring: [p(0, 1, 5)] });
  const expected = new Map([['few', 2], ['leaderless', 2], ['stranger', 1], ['erroring', 1], ['absent', 1]]);
  assert.deepEqual(topicsNotReady(md, expected), ['few', 'leaderless', 'stranger', 'erroring', 'absent']);
});

test('a topic reported with an error is not ready', () => {
  assert.deepEqual(topicsNotReady(metadata({ a: [p(0, 1)] }, 3), new Map([['a', 1]])), ['a']);
});
