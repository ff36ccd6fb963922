/**
 * Offsets of partitions of many topics the client has no metadata for (a member given partitions
 * of 30 topics after a rebalance): their topic ids come from one Metadata request, not one per
 * topic. One by one, each request queued behind whatever the connection carried (a Fetch waiting
 * out its maxWaitMs): a member took 15 s to start its new partitions at 60 topics × 50 partitions.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { GroupOffsets, STANDALONE_COMMIT } from '../../src/group/offsets.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import type { RequestOut } from '../../src/protocol/schema.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

test('committed offsets of partitions of 30 topics without metadata: one Metadata request for their topic ids', async () => {
  const names = Array.from({ length: 30 }, (_, i) => `topic-${i}`);
  const fake = await FakeKafkaCluster.start({ topics: names.map((topic) => ({ topic, partitions: 2 })) });
  cleanup.push(() => fake.stop());
  const cluster = new Cluster({ brokers: fake.bootstrap });
  cleanup.push(() => cluster.close());
  const offsets = new GroupOffsets(cluster);
  cleanup.push(() => offsets.close());
  await offsets.commitOffsets('g', STANDALONE_COMMIT.generationId, STANDALONE_COMMIT.memberId, null, [{ topic: 'topic-0', partition: 1, offset: 0 }]);
  const before = fake.requests(Metadata).length;
  const partitions = names.map((topic) => ({ topic, partition: 1 }));
  const back = await offsets.fetchCommittedOffsets('g', partitions);
  const asked = fake.requests<RequestOut<typeof OffsetFetch>>(OffsetFetch).at(-1)?.body;
  assert.ok(asked, 'an OffsetFetch was sent');
  assert.equal(back.size, 30);
  assert.equal(back.get('topic-0:1')?.offset, 0, 'the commit read back');
  const metadata = fake.requests<RequestOut<typeof Metadata>>(Metadata).slice(before);
  assert.ok(metadata.length <= 1, `${metadata.length} Metadata requests for 30 topics' ids (one is enough)`);
});
