/**
 * Group offsets against a fake coordinator: the pre-batching versions (FindCoordinator v3 `key`,
 * OffsetCommit and OffsetFetch v7), per-partition failures (retriable ones retried alone,
 * others aggregated into one typed error), coordinator moves, group-level errors, bad offsets.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { isFencingError, isRebalanceInProgressError, OffsetCommitError, OffsetFetchError } from '../../src/group/errors.js';
import { GroupOffsets, STANDALONE_COMMIT } from '../../src/group/offsets.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { KafkaError, TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import { InvalidOptionError } from '../../src/errors.js';
import type { RequestOut } from '../../src/protocol/schema.js';
import { FakeBroker } from '../helpers/fake-broker.js';

const fastRetry = { retries: 20, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 5_000 };
const ranges = (max: { find: number; commit: number; fetch: number }) => [
  { apiKey: ApiVersions.apiKey, minVersion: 0, maxVersion: 3 },
  { apiKey: Metadata.apiKey, minVersion: Metadata.minVersion, maxVersion: Metadata.maxVersion },
  { apiKey: FindCoordinator.apiKey, minVersion: 0, maxVersion: max.find },
  { apiKey: OffsetCommit.apiKey, minVersion: 2, maxVersion: max.commit },
  { apiKey: OffsetFetch.apiKey, minVersion: 1, maxVersion: max.fetch },
];

/** A broker that is its own coordinator, with scripted per-partition codes. */
async function fakeCoordinator(max = { find: 3, commit: 7, fetch: 7 }) {
  const broker = await FakeBroker.start({ apiVersions: ranges(max) });
  const commits: RequestOut<typeof OffsetCommit>[] = [];
  const fetches: RequestOut<typeof OffsetFetch>[] = [];
  const committed = new Map<string, { offset: bigint; epoch: number; metadata: string | null }>();
  const state = {
    /** Per-request lists of per-partition codes: `commitCodes[i].get(partition)` for the i-th commit. */
    commitCodes: [] as Map<number, number>[],
    fetchPartitionCodes: [] as Map<number, number>[],
    fetchGroupCode: 0,
  };
  broker.handle(Metadata, () => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: broker.host, port: broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      clusterAuthorizedOperations: 0,
      topics: [],
    },
  }));
  broker.handle(FindCoordinator, (req) => {
    const entry = { nodeId: 1, host: broker.host, port: broker.port, errorCode: 0, errorMessage: null };
    return { body: { throttleTimeMs: 0, ...entry, coordinators: [{ key: req.decode().key, ...entry }] } };
  });
  broker.handle(OffsetCommit, (req) => {
    const body = req.decode();
    commits.push(body);
    const codes = state.commitCodes.shift() ?? new Map<number, number>();
    const topics = body.topics.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => {
        const errorCode = codes.get(p.partitionIndex) ?? 0;
        if (errorCode === 0) committed.set(`${t.name}:${p.partitionIndex}`, { offset: p.committedOffset, epoch: p.committedLeaderEpoch, metadata: p.committedMetadata });
        return { partitionIndex: p.partitionIndex, errorCode };
      }),
    }));
    return { body: { throttleTimeMs: 0, topics } };
  });
  broker.handle(OffsetFetch, (req) => {
    const body = req.decode();
    fetches.push(body);
    const codes = state.fetchPartitionCodes.shift() ?? new Map<number, number>();
    const topics = (body.topics ?? []).map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const c = committed.get(`${t.name}:${p}`);
        return { partitionIndex: p, committedOffset: c?.offset ?? -1n, committedLeaderEpoch: c?.epoch ?? -1, metadata: c?.metadata ?? null, errorCode: codes.get(p) ?? 0 };
      }),
    }));
    return { body: { throttleTimeMs: 0, topics, errorCode: state.fetchGroupCode, groups: [] } };
  });
  return { broker, commits, fetches, committed, state };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setUp(max?: { find: number; commit: number; fetch: number }) {
  const fake = await fakeCoordinator(max);
  cleanup.push(() => fake.broker.stop());
  const cluster = new Cluster({ brokers: [fake.broker.address], retry: fastRetry });
  cleanup.push(() => cluster.close());
  const offsets = new GroupOffsets(cluster);
  cleanup.push(() => offsets.close());
  return { ...fake, offsets };
}

describe('group offsets on a fake coordinator', () => {
  it('speaks the pre-batching versions: FindCoordinator v3, OffsetCommit v7 (instance id), OffsetFetch v7', async () => {
    const { broker, commits, fetches, offsets } = await setUp();
    await offsets.commitOffsets('g', 4, 'member-x', 'instance-x', [
      { topic: 't', partition: 0, offset: 11, leaderEpoch: 2, metadata: 'hello' },
      { topic: 'u', partition: 1, offset: 22 },
    ]);
    assert.deepEqual(broker.requestsFor(FindCoordinator).map((r) => r.apiVersion), [3]);
    assert.equal(broker.requestsFor(OffsetCommit)[0]?.apiVersion, 7);
    const [commit] = commits;
    assert.equal(commit?.groupId, 'g');
    assert.equal(commit?.generationIdOrMemberEpoch, 4);
    assert.equal(commit?.memberId, 'member-x');
    assert.equal(commit?.groupInstanceId, 'instance-x');
    assert.deepEqual(commit?.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.committedMetadata])]), [
      ['t', [[0, 11n, 2, 'hello']]],
      ['u', [[1, 22n, -1, '']]],
    ]);

    const back = await offsets.fetchCommittedOffsets('g', [{ topic: 't', partition: 0 }, { topic: 'u', partition: 1 }, { topic: 'u', partition: 5 }]);
    assert.equal(broker.requestsFor(OffsetFetch)[0]?.apiVersion, 7);
    assert.equal(fetches[0]?.groupId, 'g');
    assert.equal(fetches[0]?.requireStable, true);
    assert.deepEqual(back, new Map([
      ['t:0', { offset: 11, leaderEpoch: 2, metadata: 'hello' }],
      ['u:1', { offset: 22, leaderEpoch: -1, metadata: '' }],
      ['u:5', null],
    ]));
  });

  it('a standalone commit carries generation -1 and no member id', async () => {
    const { commits, offsets } = await setUp();
    await offsets.commitOffsets('g', STANDALONE_COMMIT.generationId, STANDALONE_COMMIT.memberId, STANDALONE_COMMIT.groupInstanceId, [{ topic: 't', partition: 0, offset: 1 }]);
    assert.equal(commits[0]?.generationIdOrMemberEpoch, -1);
    assert.equal(commits[0]?.memberId, '');
  });

  it('partitions failing retriably are retried alone; the rest is committed once', async () => {
    const { commits, committed, offsets, state } = await setUp();
    state.commitCodes = [new Map([[1, 3]]), new Map([[1, 7]])];
    await offsets.commitOffsets('g', 1, 'm', null, [0, 1, 2].map((partition) => ({ topic: 't', partition, offset: 100 + partition })));
    assert.deepEqual(commits.map((c) => c.topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex))), [[0, 1, 2], [1], [1]]);
    assert.deepEqual([...committed.keys()].sort(), ['t:0', 't:1', 't:2']);
  });

  it('a partition failing for good makes one OffsetCommitError naming it; the others are committed', async () => {
    const { commits, committed, offsets, state } = await setUp();
    state.commitCodes = [new Map([[0, 12], [2, 3]])];
    await assert.rejects(
      offsets.commitOffsets('g', 1, 'm', null, [0, 1, 2].map((partition) => ({ topic: 't', partition, offset: 5 }))),
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
    assert.equal(commits.length, 1);
    assert.deepEqual([...committed.keys()], ['t:1']);
  });

  it('fencing and rebalance codes are told apart', async () => {
    const { offsets, state } = await setUp();
    for (const [code, fencing, rebalancing] of [[22, true, false], [25, true, false], [82, true, false], [27, false, true]] as const) {
      state.commitCodes = [new Map([[0, code]])];
      const err = await offsets.commitOffsets('g', 1, 'm', null, [{ topic: 't', partition: 0, offset: 1 }]).then(
        () => assert.fail('committed'),
        (e: unknown) => e,
      );
      assert.equal(isFencingError(err), fencing, `code ${code} fencing`);
      assert.equal(isRebalanceInProgressError(err), rebalancing, `code ${code} rebalancing`);
    }
  });

  it('NOT_COORDINATOR on every partition: the coordinator is looked up again and the commit retried', async () => {
    const { broker, offsets, state, committed } = await setUp();
    state.commitCodes = [new Map([[0, 16], [1, 16]])];
    await offsets.commitOffsets('g', 1, 'm', null, [0, 1].map((partition) => ({ topic: 't', partition, offset: 3 })));
    assert.equal(broker.requestsFor(FindCoordinator).length, 2);
    assert.equal(committed.size, 2);
  });

  it('OffsetFetch: UNSTABLE_OFFSET_COMMIT is retried; partition errors aggregate; a group error is thrown as is', async () => {
    const { offsets, state, fetches } = await setUp();
    state.fetchPartitionCodes = [new Map([[0, 88]])];
    assert.deepEqual(await offsets.fetchCommittedOffsets('g', [{ topic: 't', partition: 0 }]), new Map([['t:0', null]]));
    assert.equal(fetches.length, 2);

    // An authorization failure is thrown typed (issue #10), the per-partition aggregate as its cause.
    state.fetchPartitionCodes = [new Map([[1, 29]])];
    await assert.rejects(offsets.fetchCommittedOffsets('g', [0, 1].map((partition) => ({ topic: 't', partition }))), (err: unknown) => {
      assert.ok(err instanceof TopicAuthorizationError);
      assert.deepEqual(err.topics, ['t']);
      assert.ok(err.cause instanceof OffsetFetchError);
      assert.equal(err.cause.errorName, 'TOPIC_AUTHORIZATION_FAILED');
      assert.deepEqual(err.cause.failures.map((f) => f.partition), [1]);
      return true;
    });

    state.fetchGroupCode = 30;
    await assert.rejects(offsets.fetchCommittedOffsets('g', [{ topic: 't', partition: 0 }]), (err: unknown) => err instanceof KafkaError && err.errorName === 'GROUP_AUTHORIZATION_FAILED');
  });

  it('a negative or fractional offset is refused before anything is sent', async () => {
    const { broker, offsets } = await setUp();
    await assert.rejects(offsets.commitOffsets('g', 1, 'm', null, [{ topic: 't', partition: 0, offset: -1 }]), (err: unknown) => err instanceof InvalidOptionError && err.option === 'offsets[0].offset');
    await assert.rejects(offsets.commitOffsets('g', 1, 'm', null, [{ topic: 't', partition: 0, offset: 1.5 }]), InvalidOptionError);
    assert.equal(broker.requestsFor(OffsetCommit).length, 0);
  });
});
