/**
 * Group offsets against FakeKafkaCluster playing a broker of the pre-batching versions
 * (`maxVersion`: FindCoordinator v3 `key`, OffsetCommit and OffsetFetch v7), a member of the group
 * joined over the wire, per-partition failures (retriable ones retried alone,
 * others aggregated into one typed error), coordinator moves, group-level errors, bad offsets.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { isFencingError, isRebalanceInProgressError, OffsetCommitError, OffsetFetchError } from '../../src/group/errors.js';
import { GroupOffsets, STANDALONE_COMMIT } from '../../src/group/offsets.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { KafkaError, TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import { InvalidOptionError } from '../../src/errors.js';
import type { RequestOut } from '../../src/protocol/schema.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { roundTrip } from '../testing/wire.js';

const fastRetry = { retries: 20, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 5_000 };
const PRE_BATCHING = { find: 3, commit: 7, fetch: 7 };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/**
 * A one-broker cluster (its own coordinator) playing a broker whose group APIs stop at `max`, with
 * topic `t` of `tPartitions` partitions and `u` of 6; what was committed is read back from the cluster.
 */
async function setUp(tPartitions = 3, max = PRE_BATCHING) {
  const fake = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: tPartitions }, { topic: 'u', partitions: 6 }] });
  cleanup.push(() => fake.stop());
  fake.maxVersion(FindCoordinator, max.find);
  fake.maxVersion(OffsetCommit, max.commit);
  fake.maxVersion(OffsetFetch, max.fetch);
  const cluster = new Cluster({ brokers: fake.bootstrap, retry: fastRetry });
  cleanup.push(() => cluster.close());
  const offsets = new GroupOffsets(cluster);
  cleanup.push(() => offsets.close());
  const commits = (): RequestOut<typeof OffsetCommit>[] => fake.requests<RequestOut<typeof OffsetCommit>>(OffsetCommit).map((r) => r.body);
  const fetches = (): RequestOut<typeof OffsetFetch>[] => fake.requests<RequestOut<typeof OffsetFetch>>(OffsetFetch).map((r) => r.body);
  /** The `topic:partition` keys group `g` has an offset for. */
  const committed = (): string[] =>
    [...fake.topicNames()].sort().flatMap((topic) => [0, 1, 2, 3, 4, 5].filter((p) => fake.committed('g', topic, p) !== undefined).map((p) => `${topic}:${p}`));
  return { fake, commits, fetches, committed, offsets };
}

/**
 * Makes `instanceId` a static member of group `g` in a stable generation, over the wire, so the
 * coordinator accepts its commits as a broker would: its member id and generation.
 */
async function joinedMember(fake: FakeKafkaCluster, instanceId: string): Promise<{ memberId: string; generation: number }> {
  const address = fake.bootstrap[0] as string;
  const protocol = { name: 'range', metadata: Buffer.alloc(0) };
  const join = await roundTrip(address, JoinGroup, 5, {
    groupId: 'g',
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: instanceId,
    protocolType: 'consumer',
    protocols: [protocol],
  });
  assert.ok(join && join.errorCode === 0, `joined: ${join?.errorCode}`);
  const member = { memberId: join.memberId, generation: join.generationId };
  const sync = await roundTrip(address, SyncGroup, 3, { groupId: 'g', generationId: member.generation, memberId: member.memberId, groupInstanceId: instanceId, assignments: [] });
  assert.equal(sync?.errorCode, 0, 'synced');
  return member;
}

describe('group offsets on a fake coordinator', () => {
  it('speaks the pre-batching versions: FindCoordinator v3, OffsetCommit v7 (instance id), OffsetFetch v7', async () => {
    const { fake, commits, fetches, offsets } = await setUp();
    const member = await joinedMember(fake, 'instance-x');
    await offsets.commitOffsets('g', member.generation, member.memberId, 'instance-x', [
      { topic: 't', partition: 0, offset: 11, leaderEpoch: 2, metadata: 'hello' },
      { topic: 'u', partition: 1, offset: 22 },
    ]);
    assert.deepEqual(fake.requests(FindCoordinator).map((r) => r.version), [3]);
    assert.equal(fake.requests(OffsetCommit)[0]?.version, 7);
    const [commit] = commits();
    assert.equal(commit?.groupId, 'g');
    assert.equal(commit?.generationIdOrMemberEpoch, member.generation);
    assert.equal(commit?.memberId, member.memberId);
    assert.equal(commit?.groupInstanceId, 'instance-x');
    assert.deepEqual(commit?.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.committedMetadata])]), [
      ['t', [[0, 11n, 2, 'hello']]],
      ['u', [[1, 22n, -1, '']]],
    ]);

    const back = await offsets.fetchCommittedOffsets('g', [{ topic: 't', partition: 0 }, { topic: 'u', partition: 1 }, { topic: 'u', partition: 5 }]);
    assert.equal(fake.requests(OffsetFetch)[0]?.version, 7);
    assert.equal(fetches()[0]?.groupId, 'g');
    assert.equal(fetches()[0]?.requireStable, true);
    assert.deepEqual(back, new Map([
      ['t:0', { offset: 11, leaderEpoch: 2, metadata: 'hello' }],
      ['u:1', { offset: 22, leaderEpoch: -1, metadata: '' }],
      ['u:5', null],
    ]));
  });

  it('a standalone commit carries generation -1 and no member id', async () => {
    const { commits, offsets } = await setUp();
    await offsets.commitOffsets('g', STANDALONE_COMMIT.generationId, STANDALONE_COMMIT.memberId, STANDALONE_COMMIT.groupInstanceId, [{ topic: 't', partition: 0, offset: 1 }]);
    assert.equal(commits()[0]?.generationIdOrMemberEpoch, -1);
    assert.equal(commits()[0]?.memberId, '');
  });

  it('partitions failing retriably are retried alone; the rest is committed once', async () => {
    const { fake, commits, committed, offsets } = await setUp();
    const member = await joinedMember(fake, 'instance-m');
    fake.fail(OffsetCommit, 'UNKNOWN_TOPIC_OR_PARTITION', { topic: 't', partition: 1 });
    fake.fail(OffsetCommit, 'REQUEST_TIMED_OUT', { topic: 't', partition: 1 });
    await offsets.commitOffsets('g', member.generation, member.memberId, null, [0, 1, 2].map((partition) => ({ topic: 't', partition, offset: 100 + partition })));
    assert.deepEqual(commits().map((c) => c.topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex))), [[0, 1, 2], [1], [1]]);
    assert.deepEqual(committed().sort(), ['t:0', 't:1', 't:2']);
  });

  it('a partition failing for good makes one OffsetCommitError naming it; the others are committed', async () => {
    // Topic t has partitions 0 and 1 only: partition 2 is UNKNOWN_TOPIC_OR_PARTITION, as a broker answers.
    const { fake, commits, committed, offsets } = await setUp(2);
    const member = await joinedMember(fake, 'instance-m');
    fake.fail(OffsetCommit, 'OFFSET_METADATA_TOO_LARGE', { topic: 't', partition: 0 });
    await assert.rejects(
      offsets.commitOffsets('g', member.generation, member.memberId, null, [0, 1, 2].map((partition) => ({ topic: 't', partition, offset: 5 }))),
      (err: unknown) => {
        assert.ok(err instanceof OffsetCommitError);
        assert.ok(err instanceof KafkaError, 'callers may treat it as a KafkaError');
        assert.equal(err.errorName, 'OFFSET_METADATA_TOO_LARGE', 'the non-retriable code speaks for the error');
        assert.deepEqual(err.failures.map((f) => [f.partition, f.error.errorName]), [[0, 'OFFSET_METADATA_TOO_LARGE'], [2, 'UNKNOWN_TOPIC_OR_PARTITION']]);
        assert.equal(err.retriable, false);
        assert.ok(!isFencingError(err));
        assert.match(err.message, /t\/0: OFFSET_METADATA_TOO_LARGE, t\/2: UNKNOWN_TOPIC_OR_PARTITION/);
        return true;
      },
    );
    assert.equal(commits().length, 1);
    assert.deepEqual(committed(), ['t:1']);
  });

  it('fencing and rebalance codes are told apart', async () => {
    const { fake, offsets } = await setUp();
    const member = await joinedMember(fake, 'instance-m');
    const cases = [['ILLEGAL_GENERATION', true, false], ['UNKNOWN_MEMBER_ID', true, false], ['FENCED_INSTANCE_ID', true, false], ['REBALANCE_IN_PROGRESS', false, true]] as const;
    for (const [code, fencing, rebalancing] of cases) {
      fake.fail(OffsetCommit, code, { topic: 't', partition: 0 });
      const err = await offsets.commitOffsets('g', member.generation, member.memberId, null, [{ topic: 't', partition: 0, offset: 1 }]).then(
        () => assert.fail('committed'),
        (e: unknown) => e,
      );
      assert.equal(isFencingError(err), fencing, `code ${code} fencing`);
      assert.equal(isRebalanceInProgressError(err), rebalancing, `code ${code} rebalancing`);
    }
  });

  it('NOT_COORDINATOR on every partition: the coordinator is looked up again and the commit retried', async () => {
    const { fake, offsets, committed } = await setUp();
    const member = await joinedMember(fake, 'instance-m');
    fake.fail(OffsetCommit, 'NOT_COORDINATOR');
    await offsets.commitOffsets('g', member.generation, member.memberId, null, [0, 1].map((partition) => ({ topic: 't', partition, offset: 3 })));
    assert.equal(fake.requests(FindCoordinator).length, 2);
    assert.equal(committed().length, 2);
  });

  it('OffsetFetch: UNSTABLE_OFFSET_COMMIT is retried; partition errors aggregate; a group error is thrown as is', async () => {
    const { fake, offsets, fetches } = await setUp();
    fake.fail(OffsetFetch, 'UNSTABLE_OFFSET_COMMIT', { topic: 't', partition: 0 });
    assert.deepEqual(await offsets.fetchCommittedOffsets('g', [{ topic: 't', partition: 0 }]), new Map([['t:0', null]]));
    assert.equal(fetches().length, 2);

    // An authorization failure is thrown typed (issue #10), the per-partition aggregate as its cause.
    fake.fail(OffsetFetch, 'TOPIC_AUTHORIZATION_FAILED', { topic: 't', partition: 1 });
    await assert.rejects(offsets.fetchCommittedOffsets('g', [0, 1].map((partition) => ({ topic: 't', partition }))), (err: unknown) => {
      assert.ok(err instanceof TopicAuthorizationError);
      assert.deepEqual(err.topics, ['t']);
      assert.ok(err.cause instanceof OffsetFetchError);
      assert.equal(err.cause.errorName, 'TOPIC_AUTHORIZATION_FAILED');
      assert.deepEqual(err.cause.failures.map((f) => f.partition), [1]);
      return true;
    });

    fake.fail(OffsetFetch, 'GROUP_AUTHORIZATION_FAILED');
    await assert.rejects(offsets.fetchCommittedOffsets('g', [{ topic: 't', partition: 0 }]), (err: unknown) => err instanceof KafkaError && err.errorName === 'GROUP_AUTHORIZATION_FAILED');
  });

  it('a negative or fractional offset is refused before anything is sent', async () => {
    const { fake, offsets } = await setUp();
    await assert.rejects(offsets.commitOffsets('g', 1, 'm', null, [{ topic: 't', partition: 0, offset: -1 }]), (err: unknown) => err instanceof InvalidOptionError && err.option === 'offsets[0].offset');
    await assert.rejects(offsets.commitOffsets('g', 1, 'm', null, [{ topic: 't', partition: 0, offset: 1.5 }]), InvalidOptionError);
    assert.equal(fake.requests(OffsetCommit).length, 0);
  });
});
