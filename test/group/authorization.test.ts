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
import { GroupAuthorizationError, TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import { FakeKafkaCluster, type KafkaErrorName } from '../../src/testing/index.js';

const T = { timeout: 20_000 };
const TOPIC = 'log';
const retry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 10_000 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A cluster whose next OffsetCommit is refused with `error` on every partition. */
async function setUp(error: KafkaErrorName): Promise<{ fake: FakeKafkaCluster; coordinator: GroupCoordinator }> {
  const fake = await FakeKafkaCluster.start({ topics: [{ topic: TOPIC, partitions: 2 }] });
  fake.fail('OffsetCommit', error);
  const cluster = new Cluster({ brokers: fake.bootstrap, retry });
  const coordinator = new GroupCoordinator(cluster, 'private-group');
  cleanups.push(() => fake.stop(), () => cluster.close(), () => coordinator.close());
  return { fake, coordinator };
}

const offsets = [0, 1].map((partition) => ({ topic: TOPIC, partition, offset: 5 }));

async function timed(work: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const began = Date.now();
  const error = await work.then(
    () => null,
    (err: unknown) => err,
  );
  return { error, ms: Date.now() - began };
}

it('OffsetCommit GROUP_AUTHORIZATION_FAILED: rejects with GroupAuthorizationError naming the group, one request', T, async () => {
  const { fake, coordinator } = await setUp('GROUP_AUTHORIZATION_FAILED');
  const { error, ms } = await timed(commitOffsetsTo(coordinator, STANDALONE_COMMIT, offsets));
  assert.ok(error instanceof GroupAuthorizationError, `GroupAuthorizationError, got ${String(error)}`);
  assert.equal(error.groupId, 'private-group');
  assert.equal(error.retriable, false);
  assert.ok(error.cause instanceof OffsetCommitError, 'the per-partition answer is its cause');
  assert.equal(error.cause.failures.length, 2);
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(fake.requests('OffsetCommit').length, 1);
});

it('OffsetCommit TOPIC_AUTHORIZATION_FAILED: rejects with TopicAuthorizationError naming the topic once, one request', T, async () => {
  const { fake, coordinator } = await setUp('TOPIC_AUTHORIZATION_FAILED');
  const { error, ms } = await timed(commitOffsetsTo(coordinator, STANDALONE_COMMIT, offsets));
  assert.ok(error instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(error)}`);
  assert.deepEqual(error.topics, [TOPIC]);
  assert.equal(error.context.group, 'private-group');
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(fake.requests('OffsetCommit').length, 1);
});
