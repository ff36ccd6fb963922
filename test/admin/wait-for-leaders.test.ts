import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topicsNotReady } from '../../src/admin/wait-for-leaders.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { clusterMetadataOf, type AnswerPartition } from '../helpers/metadata-answer.js';

/** A partition (its index: its place in the topic's list) led by `leader`, replicas [1]. */
const p = (leader: number, errorCode = 0): AnswerPartition => ({ leader, replicas: [1], errorCode });
/** Metadata from broker 1 naming `topics`, each answered with `errorCode`. */
const metadata = (topics: Record<string, AnswerPartition[]>, errorCode = 0) =>
  clusterMetadataOf([{ nodeId: 1, host: 'h', port: 1 }], { clusterId: 'c', topics: Object.entries(topics).map(([name, partitions]) => ({ name, partitions, errorCode })) });

test('a topic is ready when it has the expected partitions, each led by a known broker', () => {
  assert.deepEqual(topicsNotReady(metadata({ a: [p(1), p(1)] }), new Map([['a', 2]])), []);
});

test('missing partitions, leaderless partitions, unknown leaders and unknown topics are not ready', () => {
  const md = metadata({ few: [p(1)], leaderless: [p(1), p(-1)], stranger: [p(7)], erroring: [p(1, ErrorCode.LEADER_NOT_AVAILABLE)] });
  const expected = new Map([['few', 2], ['leaderless', 2], ['stranger', 1], ['erroring', 1], ['absent', 1]]);
  assert.deepEqual(topicsNotReady(md, expected), ['few', 'leaderless', 'stranger', 'erroring', 'absent']);
});

test('a topic reported with an error is not ready', () => {
  assert.deepEqual(topicsNotReady(metadata({ a: [p(1)] }, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), new Map([['a', 1]])), ['a']);
});
