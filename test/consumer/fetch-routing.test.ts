/** The fetch scheduler's pure decisions: which targets a pass fetches for, and where each goes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needsRefresh, placeTarget, planPass } from '../../src/consumer/fetch-routing.js';
import { newTargetState, type TargetState } from '../../src/consumer/fetch-state.js';
import type { FetchTarget } from '../../src/consumer/fetch-target.js';
import { clusterMetadataOf } from '../helpers/metadata-answer.js';

function target(partition: number, over: Partial<{ active: boolean; fetchOffset: number }> = {}): FetchTarget {
  return {
    topic: 't',
    partition,
    fetchOffset: over.fetchOffset ?? 0,
    leaderEpoch: -1,
    active: over.active ?? true,
    growth: 1,
    fetchBytesWanted: () => 0,
    onFetched: () => undefined,
    onFetchError: () => undefined,
  };
}

function state(partition: number, over: Partial<TargetState> = {}, t: FetchTarget = target(partition)): TargetState {
  return Object.assign(newTargetState(t, `t:${partition}`), over);
}

test('a pass groups routed targets by leader and leaves out the busy, the backing off and the parked', () => {
  const now = 1_000;
  const plan = planPass(
    [
      state(0, { leader: 1 }),
      state(1, { leader: 2 }),
      state(2, { leader: 1 }),
      state(3, { leader: 1, inFlight: { parts: [], unsettled: 0, slack: true, answered: false } }),
      state(4, { leader: 1, retryAt: 5_000 }),
      state(5, { leader: 1, parkedAt: 0 }),
      state(6, { leader: null }),
    ],
    now,
  );
  assert.deepEqual([...plan.ready].map(([leader, list]) => [leader, list.map((s) => s.target.partition)]), [
    [1, [0, 2]],
    [2, [1]],
  ]);
  assert.equal(plan.unrouted, true);
  assert.equal(plan.wakeAt, 5_000);
  assert.deepEqual(plan.inactive, []);
  assert.deepEqual(plan.unparked, []);
});

test('a pass forgets stopped targets and unparks those whose stage moved the position', () => {
  const stopped = state(0, { leader: 1 }, target(0, { active: false }));
  const moved = state(1, { leader: 1, parkedAt: 5 }, target(1, { fetchOffset: 9 }));
  const plan = planPass([stopped, moved], 0);
  assert.deepEqual(plan.inactive, [stopped]);
  assert.deepEqual(plan.unparked, [moved]);
  assert.deepEqual(plan.ready.get(1), [moved], 'fetched again in the same pass');
  assert.equal(moved.parkedAt, 5, 'deciding changes nothing: the scheduler applies it');
});

/** Topic `t` from broker 1, fetched at 1_000: partition 0 led by 1 (epoch 4), 1 leaderless, 2 led by an unknown broker. */
const metadata = clusterMetadataOf(
  [{ nodeId: 1, host: 'h', port: 1 }],
  { clusterId: null, topics: [{ name: 't', topicId: 'id-t', partitions: [{ leader: 1, leaderEpoch: 4 }, { leader: -1 }, { leader: 7 }] }] },
  1_000,
);

test('metadata is refreshed when stale, missing, old or lacking a topic', () => {
  assert.equal(needsRefresh(metadata, ['t'], false, 1_500, 1_000), false);
  assert.equal(needsRefresh(metadata, ['t'], true, 1_500, 1_000), true, 'an error said so');
  assert.equal(needsRefresh(null, ['t'], false, 1_500, 1_000), true, 'none yet');
  assert.equal(needsRefresh(metadata, ['t'], false, 2_001, 1_000), true, 'older than the max age');
  assert.equal(needsRefresh(metadata, ['t', 'u'], false, 1_500, 1_000), true, 'a topic it does not know');
});

test('a target is placed at its leader, or not at all while metadata names no usable one', () => {
  assert.deepEqual(placeTarget(metadata, 't', 0), { leader: 1, topicId: 'id-t', leaderEpoch: 4 });
  assert.equal(placeTarget(metadata, 't', 1), null, 'no leader yet');
  assert.equal(placeTarget(metadata, 't', 2), null, 'a leader not among the brokers');
  assert.equal(placeTarget(metadata, 't', 3), null, 'no such partition');
  assert.equal(placeTarget(metadata, 'u', 0), null, 'no such topic');
  assert.equal(placeTarget(null, 't', 0), null);
});
