/**
 * Planning one broker's Fetch (fetch-plan.ts) on real partition stages: what each partition asks
 * for and reserves, who goes first, and that a partition passed over hears it (so it can wake the
 * scheduler again).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { END_ASK_BYTES, planFetch } from '../../src/consumer/fetch-plan.js';
import { newTargetState, type TargetState } from '../../src/consumer/fetch-state.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { ObservedStage, type ObservedTarget } from './fetch-scheduler-stages.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

const waker = { wakes: 0, wake(): void {
  this.wakes++;
} };

function states(count: number, budget: ByteBudget): TargetState[] {
  return Array.from({ length: count }, (_, p) => {
    const stage = new ObservedStage('t', p, 0, budget, waker, { maxRecords: 1000, maxBytes: 1024 * 1024, minFetchBytes: 1024 });
    stage.ask(100);
    return newTargetState(stage.target, `t:${p}`);
  });
}

test('owed partitions go first, longest owed first, whatever their place in the map (no starvation)', () => {
  const budget = new ByteBudget(64 * 1024);
  const all = states(64, budget);
  // Partitions 5, 40 and 2 became owed a batch in that order; 2 comes last in the map order among them.
  const owedOrder = [5, 40, 2];
  owedOrder.forEach((p, i) => {
    const s = all[p] as TargetState;
    s.minBytes = 30_000;
    s.owedSince = i + 1;
  });
  const plan = planFetch(all, 0, { budget, share: 16 * 1024, maxBytesPerPartition: 16 * 1024 });
  assert.equal(plan.parts[0]?.partition, 5, 'the longest owed goes first');
  assert.equal(plan.parts[0]?.partitionMaxBytes, 30_000, 'asking for the whole batch it is owed');
  assert.ok(
    plan.parts.slice(1).every((p) => p.state.minBytes === 0),
    'the other owed batches (larger than their room) wait for the first place instead of coming cut',
  );
  // The next round: 5 was served; 40 is first now, then 2.
  (all[5] as TargetState).minBytes = 0;
  const next = planFetch(all, 1, { budget, share: 16 * 1024, maxBytesPerPartition: 16 * 1024 });
  assert.equal(next.parts[0]?.partition, 40);
});

test('every part reserves what it may bring: the sum of reservations stays within the free budget, each ask within its reservation', () => {
  const budget = new ByteBudget(64 * 1024);
  const all = states(64, budget);
  for (const s of all) {
    s.batchBytes = 10_000; // batches larger than a partition's share of the budget
    // As if the stage had seen its records grow by a tenth once buffered.
    Object.defineProperty(s.target, 'growth', { value: 1.1 });
  }
  const plan = planFetch(all, 0, { budget, share: 1024, maxBytesPerPartition: 16 * 1024 });
  const reserved = plan.parts.reduce((n, p) => n + p.reserved, 0);
  assert.ok(reserved <= budget.free, `reserved ${reserved} of ${budget.free} free`);
  for (const p of plan.parts) assert.ok(Math.ceil(p.partitionMaxBytes * p.state.target.growth) <= p.reserved + 1, `partition ${p.partition} asks ${p.partitionMaxBytes} B on ${p.reserved} B reserved`);
});

test('a partition passed over (no budget left) is told so: its next want wakes the scheduler', () => {
  const budget = new ByteBudget(64 * 1024);
  const all = states(2, budget);
  const stage = (all[1]?.target as ObservedTarget).stage;
  assert.ok(fetchTargetOf(stage).fetchBytesWanted(budget.free) > 0, 'it wants bytes (and has said so)');
  budget.reserve(64 * 1024); // another broker's Fetch holds the whole budget
  const plan = planFetch(all, 0, { budget, share: 64 * 1024, maxBytesPerPartition: 16 * 1024 });
  assert.equal(plan.parts.length, 0);
  const before = waker.wakes;
  budget.settle(64 * 1024, 0); // that Fetch ended with nothing
  stage.ask(1); // more demand: the stage must wake the scheduler, since it was not served
  assert.equal(waker.wakes, before + 1);
});

test("a partition that has seen no batch yet is sized from its topic's partitions that have (batch size and growth), not another topic's", () => {
  const budget = new ByteBudget(32 * 1024 * 1024);
  const all = states(100, budget);
  const other = (() => {
    const stage = new ObservedStage('u', 0, 0, budget, waker, { maxRecords: 1000, maxBytes: 1024 * 1024, minFetchBytes: 1024 });
    stage.ask(100);
    return newTargetState(stage.target, 'u:0');
  })();
  const seen = all[7] as TargetState;
  seen.batchBytes = 20_000;
  Object.defineProperty(seen.target, 'growth', { value: 1.2 });
  const plan = planFetch([...all, other], 0, { budget, share: 32 * 1024, maxBytesPerPartition: 1024 * 1024 });
  const unseen = plan.parts.filter((p) => p.topic === 't' && p.partition !== 7);
  assert.equal(unseen.length, 99);
  for (const p of unseen) {
    assert.equal(p.partitionMaxBytes, 20_000, `partition ${p.partition} asks for a whole batch of the size its topic has`);
    assert.equal(p.reserved, 24_000, 'reserved at the growth its topic has seen');
  }
  const probe = plan.parts.find((p) => p.topic === 'u');
  assert.ok(probe && probe.partitionMaxBytes < 20_000, `topic u has seen nothing: it still probes (${probe?.partitionMaxBytes} B)`);
  const reserved = plan.parts.reduce((n, p) => n + p.reserved, 0);
  assert.ok(reserved <= budget.free, `reserved ${reserved} of ${budget.free} free`);
});

test('an owed batch seen to take more room once held than its growth estimate says waits for the first place, then reserves that room', () => {
  const budget = new ByteBudget(64 * 1024);
  const all = states(3, budget);
  for (const s of all) Object.defineProperty(s.target, 'growth', { value: 1.1 });
  // Partition 2 was refused: its 500 B batch took 5000 B once held (small records), more than its
  // room, and more than twice its share (the most a partition holding nothing may take whole).
  const refused = all[2] as TargetState;
  refused.minBytes = 500;
  refused.owedSince = 2;
  refused.owedHeld = 5000;
  // Partition 1 is owed too, since earlier: it goes first.
  const earlier = all[1] as TargetState;
  earlier.minBytes = 400;
  earlier.owedSince = 1;
  const plan = planFetch(all, 0, { budget, share: 2048, maxBytesPerPartition: 16 * 1024 });
  assert.equal(plan.parts[0]?.partition, 1);
  assert.ok(!plan.parts.some((p) => p.partition === 2), 'not asked where it would be refused again (500 B × 1.1 fits 2048 B; 5000 B does not)');
  // Its turn: first in the request, reserving all the room there is towards what it takes.
  earlier.minBytes = 0;
  const next = planFetch(all, 1, { budget, share: 2048, maxBytesPerPartition: 16 * 1024 });
  assert.equal(next.parts[0]?.partition, 2);
  assert.equal(next.parts[0]?.reserved, 2048, 'as much as its room allows; the rest on the licence of the first place');
});

test('a partition holding nothing, records waiting, takes one whole batch up to twice its share; not when it holds records, is at its end, or the batch is larger', () => {
  const budget = new ByteBudget(32 * 1024 * 1024);
  const all = states(5, budget);
  for (const s of all) {
    s.batchBytes = 16_000; // a 16 KB batch, held as 24 KB: more than the 16 KiB share
    Object.defineProperty(s.target, 'growth', { value: 1.5 });
  }
  const [fresh, waiting, atEnd, holding, huge] = all as [TargetState, TargetState, TargetState, TargetState, TargetState];
  waiting.endOffset = 500; // its latest answer ended before the log's end
  atEnd.endOffset = 0; // nothing past its position
  Object.defineProperty(holding.target, 'bufferedBytes', { value: 1000 });
  huge.batchBytes = 30_000; // held as 45 KB: past twice the share
  const share = 16 * 1024;
  const plan = planFetch(all, 0, { budget, share, maxBytesPerPartition: 1024 * 1024 });
  const part = (s: TargetState) => plan.parts.find((p) => p.state === s);
  for (const s of [fresh, waiting]) {
    assert.equal(part(s)?.partitionMaxBytes, 16_000, `partition ${s.target.partition} asks for its whole batch`);
    assert.equal(part(s)?.reserved, 24_000, 'and reserves what it takes once held, past its share');
  }
  for (const s of [atEnd, holding, huge]) {
    const p = part(s);
    assert.ok(p && p.reserved <= share, `partition ${s.target.partition} stays within its share (${p?.reserved} B reserved)`);
    assert.ok(p.partitionMaxBytes < 16_000, 'and asks less than a batch');
  }
});

test("after an empty answer a partition owed a batch of unknown size asks its topic's batch size, or a quarter more than the floor when its topic's batches are smaller", () => {
  const budget = new ByteBudget(32 * 1024 * 1024);
  const all = states(3, budget);
  for (const s of all) Object.defineProperty(s.target, 'growth', { value: 1.5 });
  const [seen, owed, past] = all as [TargetState, TargetState, TargetState];
  seen.batchBytes = 16_000; // the topic's batches, as another partition saw them
  // Asked 10 000 B and got no bytes although records waited: owed twice that, a guess.
  owed.minBytes = 20_000;
  owed.owedFloor = 10_001;
  owed.owedSince = 1;
  owed.batchBytes = 500;
  // Asked 16 000 B (the topic's size) and got none: its batch is larger than any the topic showed.
  past.minBytes = 32_000;
  past.owedFloor = 16_001;
  past.owedSince = 2;
  past.batchBytes = 500;
  const share = 16 * 1024;
  const plan = planFetch(all, 0, { budget, share, maxBytesPerPartition: 1024 * 1024 });
  const part = (s: TargetState) => plan.parts.find((p) => p.state === s);
  assert.equal(part(owed)?.partitionMaxBytes, 16_000, "the topic's batch size, past the floor (not the guess)");
  assert.equal(part(past)?.partitionMaxBytes, 20_002, 'a quarter more than the floor, which its room covers (not twice its ask, which it does not)');
  assert.equal(part(past)?.reserved, Math.ceil(20_002 * 1.5), 'reserved as one batch past its share');
});

test('on a contended budget (more partitions than floor shares) a partition at its end asks little; on a roomy one it asks as before', () => {
  const budget = new ByteBudget(32 * 1024 * 1024);
  const all = states(2, budget);
  for (const s of all) {
    s.batchBytes = 10_000;
    s.endOffset = 0; // its latest answer reached the log's end
    Object.defineProperty(s.target, 'growth', { value: 1.5 });
  }
  const ctx = { budget, share: 16 * 1024, maxBytesPerPartition: 1024 * 1024 };
  const contended = planFetch(all, 0, { ...ctx, contended: true });
  for (const p of contended.parts) assert.ok(p.partitionMaxBytes <= END_ASK_BYTES, `partition ${p.partition} at its end asks ${p.partitionMaxBytes} B, at most ${END_ASK_BYTES} B`);
  const roomy = planFetch(all, 0, { ...ctx, contended: false });
  for (const p of roomy.parts) assert.equal(p.partitionMaxBytes, 10_000, `partition ${p.partition}: a whole batch, as before`);
});
