/**
 * LeaderAssignment with a scripted metadata source and a fake clock: the assignor run over every
 * member's subscription and fresh partition counts (absent topics left out, denied ones refused),
 * and the stable leader's periodic look at whether those counts changed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterMetadata } from '../../src/cluster/metadata.js';
import { decodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { countsChanged, LeaderAssignment, partitionCountsOf } from '../../src/group/leader-assignment.js';
import { KafkaStageError } from '../../src/errors.js';
import { TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import { clusterMetadataOf } from '../helpers/metadata-answer.js';

/** Metadata naming `counts` topics (a negative count: the topic answers with that error code). */
function metadata(counts: Record<string, number>): ClusterMetadata {
  const topics = Object.entries(counts).map(([name, count]) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: Math.max(count, 0), errorCode: count < 0 ? -count : 0 }));
  return clusterMetadataOf([], { clusterId: 'c', controllerId: 1, topics });
}

const member = (memberId: string, topics: string[]) => ({ memberId, groupInstanceId: null, metadata: encodeSubscription({ topics, userData: null }) });

/** A leader over metadata the test replaces, on a clock the test moves; records look-ups and missing topics. */
function harness(counts: Record<string, number>) {
  const h = {
    counts,
    now: 1_000,
    lookUps: [] as string[][],
    missing: [] as string[][],
    /** When set, look-ups fail with it. */
    failure: null as Error | null,
    /** When set, look-ups wait for the test to call `release`. */
    held: false,
    release: (): void => undefined,
    leader: null as unknown as LeaderAssignment,
  };
  h.leader = new LeaderAssignment({
    groupId: 'g',
    refreshMetadata: async (topics) => {
      h.lookUps.push(topics);
      if (h.held) await new Promise<void>((resolve) => (h.release = resolve));
      if (h.failure) throw h.failure;
      return metadata(h.counts);
    },
    checkIntervalMs: 5_000,
    now: () => h.now,
    missing: (topics) => h.missing.push([...topics]),
  });
  return h;
}

describe('leader assignment: partition counts', () => {
  it('counts of existing topics; absent or failing topics left out (as Java); a denied topic refused with its name', () => {
    assert.deepEqual(partitionCountsOf(metadata({ a: 3, b: -3, c: 0 }), ['a', 'b', 'c', 'd'], 'g'), new Map([['a', 3]]));
    assert.throws(
      () => partitionCountsOf(metadata({ a: 3, secret: -TopicAuthorizationError.ERROR_CODE }), ['a', 'secret'], 'g'),
      (err: unknown) => err instanceof TopicAuthorizationError && err.message.includes('secret'),
    );
  });

  it('changed: a topic gained or lost partitions, appeared or vanished', () => {
    const before = new Map([['a', 2]]);
    assert.equal(countsChanged(['a'], before, new Map([['a', 2]])), false);
    assert.equal(countsChanged(['a'], before, new Map([['a', 3]])), true);
    assert.equal(countsChanged(['a', 'b'], before, new Map([['a', 2], ['b', 1]])), true, 'appeared');
    assert.equal(countsChanged(['a'], before, new Map()), true, 'vanished');
  });
});

describe('leader assignment: assigning', () => {
  it('assigns every member from fresh counts of all subscriptions, and names the missing topics', async () => {
    const h = harness({ a: 2, b: 1 });
    const assignments = await h.leader.assign('range', [member('m1', ['a']), member('m2', ['a', 'b', 'c'])]);
    assert.deepEqual(h.lookUps, [['a', 'b', 'c']]);
    assert.deepEqual(h.missing, [['c']]);
    assert.deepEqual(h.leader.assignedTopics, ['a', 'b', 'c']);
    const got = new Map(assignments.map((a) => [a.memberId, decodeAssignment(a.assignment).assignedPartitions]));
    assert.deepEqual(got.get('m1'), [{ topic: 'a', partitions: [0] }]);
    assert.deepEqual(got.get('m2'), [{ topic: 'a', partitions: [1] }, { topic: 'b', partitions: [0] }]);
  });

  it('an assignor this member did not offer, or a member that is not a consumer, is a protocol error for good', async () => {
    const h = harness({ a: 1 });
    await assert.rejects(h.leader.assign('weird', [member('m1', ['a'])]), (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_PROTOCOL');
    await assert.rejects(h.leader.assign(null, []), (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_PROTOCOL');
    const garbage = { memberId: 'x', groupInstanceId: null, metadata: Buffer.from([0xff]) };
    await assert.rejects(h.leader.assign('range', [garbage]), (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_PROTOCOL' && !err.retriable);
    assert.deepEqual(h.lookUps, [], 'no metadata asked for');
  });
});

describe('leader assignment: watching the counts', () => {
  it('no check before an assignment, nor before the interval has passed since it', async () => {
    const h = harness({ a: 2 });
    assert.equal(h.leader.checkCounts(), null);
    await h.leader.assign('range', [member('m1', ['a'])]);
    h.now += 4_999;
    assert.equal(h.leader.checkCounts(), null);
  });

  it('a due check says whether the counts changed; one check at a time, the next an interval later', async () => {
    const h = harness({ a: 2 });
    await h.leader.assign('range', [member('m1', ['a'])]);
    h.now += 5_000;
    const same = h.leader.checkCounts();
    assert.notEqual(same, null);
    assert.equal(h.leader.checkCounts(), null, 'one at a time');
    assert.equal(await same, false);
    h.counts = { a: 4 };
    assert.equal(h.leader.checkCounts(), null, 'not due again yet');
    h.now += 5_000;
    assert.equal(await h.leader.checkCounts(), true);
  });

  it('a change seen after a newer assignment is not reported; a failed look-up is not a change', async () => {
    const h = harness({ a: 2 });
    await h.leader.assign('range', [member('m1', ['a'])]);
    h.now += 5_000;
    h.counts = { a: 3 };
    h.held = true;
    const check = h.leader.checkCounts();
    const release = h.release;
    h.held = false;
    await h.leader.assign('range', [member('m1', ['a'])]);
    release();
    assert.equal(await check, false, 'the newer assignment already used the new count');

    h.now += 5_000;
    h.counts = { a: 5 };
    h.failure = new Error('unreachable');
    assert.equal(await h.leader.checkCounts(), false);
  });
});
