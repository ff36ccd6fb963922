/**
 * Offset commits refused for lack of an ACL: OffsetCommit answers GROUP_AUTHORIZATION_FAILED or
 * TOPIC_AUTHORIZATION_FAILED per partition. The commit rejects at once, after one request, with
 * the typed error naming the group or the topics (not an OffsetCommitError of code 30/29 that the
 * caller must decode); the per-partition answer stays reachable as its `cause`.
 */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { OffsetCommitError } from '../../src/group/errors.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { commitOffsetsTo, STANDALONE_COMMIT } from '../../src/group/offsets.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { GroupAuthorizationError, TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import { FakeLogBroker, LOG_TOPIC } from '../consumer/fake-log-broker.js';

const T = { timeout: 20_000 };
const retry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 10_000 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(code: number): Promise<{ fake: FakeLogBroker; coordinator: GroupCoordinator }> {
  const fake = await FakeLogBroker.start({ partitions: 2, records: 10 });
  fake.broker.handle(OffsetCommit, (req) => {
    const body = req.decode();
    return {
      body: {
        throttleTimeMs: 0,
        topics: body.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })),
      },
    };
  });
  const cluster = new Cluster({ ...fake.cluster(), retry });
  const coordinator = new GroupCoordinator(cluster, 'private-group');
  cleanups.push(() => fake.stop(), () => cluster.close(), () => coordinator.close());
  return { fake, coordinator };
}

const offsets = [0, 1].map((partition) => ({ topic: LOG_TOPIC, partition, offset: 5 }));

async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const began = Date.now();
  const error = await work.then(
    () => null,
    (err: unknown) => err,
  );
  return { error, ms: Date.now() - began };
}

it('OffsetCommit GROUP_AUTHORIZATION_FAILED: rejects with GroupAuthorizationError naming the group, one request', T, async () => {
  const { fake, coordinator } = await setUp(30);
  const { error, ms } = await timed(commitOffsetsTo(coordinator, STANDALONE_COMMIT, offsets));
  assert.ok(error instanceof GroupAuthorizationError, `GroupAuthorizationError, got ${String(error)}`);
  assert.equal(error.groupId, 'private-group');
  assert.equal(error.retriable, false);
  assert.ok(error.cause instanceof OffsetCommitError, 'the per-partition answer is its cause');
  assert.equal(error.cause.failures.length, 2);
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(fake.broker.requestsFor({ apiKey: OffsetCommit.apiKey }).length, 1);
});

it('OffsetCommit TOPIC_AUTHORIZATION_FAILED: rejects with TopicAuthorizationError naming the topic once, one request', T, async () => {
  const { fake, coordinator } = await setUp(29);
  const { error, ms } = await timed(commitOffsetsTo(coordinator, STANDALONE_COMMIT, offsets));
  assert.ok(error instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(error)}`);
  assert.deepEqual(error.topics, [LOG_TOPIC]);
  assert.equal(error.context.group, 'private-group');
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(fake.broker.requestsFor({ apiKey: OffsetCommit.apiKey }).length, 1);
});
