import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupByLeader, nextSequenceStep, planRequest, produceBody, type SequenceFacts } from '../../src/producer/produce-plan.js';
import { ProtocolError } from '../../src/protocol/errors.js';

function facts(overrides: Partial<SequenceFacts> = {}): SequenceFacts {
  return { idempotent: true, bumpNeeded: false, requestsInFlight: 0, unknownFateRetryWaiting: () => false, hasProducerId: true, ...overrides };
}

test('without idempotence the sender always sends', () => {
  assert.equal(nextSequenceStep(facts({ idempotent: false, bumpNeeded: true, requestsInFlight: 3, hasProducerId: false })), 'send');
});

test('an idempotent producer sends once it has a producer id, and fetches one first', () => {
  assert.equal(nextSequenceStep(facts()), 'send');
  assert.equal(nextSequenceStep(facts({ hasProducerId: false })), 'get-producer-id');
});

test('a due bump waits for every answer, then resends batches of unknown fate under the old stamp, then bumps', () => {
  let asked = 0;
  const unknownFate = (answer: boolean) => () => {
    asked++;
    return answer;
  };
  assert.equal(nextSequenceStep(facts({ bumpNeeded: true, requestsInFlight: 1, unknownFateRetryWaiting: unknownFate(true) })), 'wait-for-answers');
  assert.equal(asked, 0, 'the retries are not scanned while answers are awaited');
  assert.equal(nextSequenceStep(facts({ bumpNeeded: true, unknownFateRetryWaiting: unknownFate(true) })), 'resend-stamped-retries');
  assert.equal(nextSequenceStep(facts({ bumpNeeded: true, unknownFateRetryWaiting: unknownFate(false) })), 'bump-epoch');
  assert.equal(nextSequenceStep(facts({ bumpNeeded: true, hasProducerId: false })), 'bump-epoch', 'the bump comes before a producer id is fetched');
});

test('ready partitions are grouped by leader in the order given; those without a known leader are set apart', () => {
  const leaders: Record<string, number | null> = { a: 1, b: 2, c: 1, d: null, e: 2 };
  const { byLeader, leaderless } = groupByLeader(['a', 'b', 'c', 'd', 'e'], (q) => leaders[q] ?? null);
  assert.deepEqual([...byLeader], [
    [1, ['a', 'c']],
    [2, ['b', 'e']],
  ]);
  assert.deepEqual(leaderless, ['d']);
});

test('a request takes one batch per partition while it fits; the rest wait for the next request', () => {
  const sizes: Record<string, number | undefined> = { a: 400, b: 300, c: 500, d: undefined, e: 200 };
  const next = (q: string) => sizes[q];
  // overhead 100: a (500), b (800), c would make 1300 > 1000 and waits, d has nothing, e (1000) fits exactly.
  assert.deepEqual(planRequest(['a', 'b', 'c', 'd', 'e'], next, 1_000, 100), { into: ['a', 'b', 'e'], left: ['c'] });
  assert.deepEqual(planRequest(['c'], next, 1_000, 100), { into: ['c'], left: [] });
  assert.deepEqual(planRequest(['d'], next, 1_000, 100), { into: [], left: [] });
});

test('the first batch of a request goes however large it is (the broker judges it)', () => {
  assert.deepEqual(planRequest(['big', 'small'], (q) => (q === 'big' ? 5_000 : 10), 1_000, 100), { into: ['big'], left: ['small'] });
});

test('a Produce body groups the batches by topic in the order they come; from v13 a topic without a known id cannot be named', () => {
  const batches = [
    { topic: 't', partition: 1 },
    { topic: 'u', partition: 0 },
    { topic: 't', partition: 0 },
  ];
  const encoded = [Buffer.from('a'), Buffer.from('b'), Buffer.from('c')];
  const ids: Record<string, string> = { t: 'id-t' };
  const body = produceBody(batches, encoded, { version: 12, acks: -1, timeoutMs: 30_000, topicIdOf: (topic) => ids[topic] ?? '' });
  assert.deepEqual(body, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [
      { name: 't', topicId: 'id-t', partitionData: [{ index: 1, records: encoded[0] }, { index: 0, records: encoded[2] }] },
      { name: 'u', topicId: '', partitionData: [{ index: 0, records: encoded[1] }] },
    ],
  });
  assert.throws(() => produceBody(batches, encoded, { version: 13, acks: 1, timeoutMs: 1, topicIdOf: (topic) => ids[topic] ?? '' }), ProtocolError);
});
