import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProducerBatch } from '../../src/producer/batch.js';
import { incrementSequence, MAX_PRODUCER_EPOCH, SequenceState } from '../../src/producer/sequences.js';

function batch(topic: string, partition: number, records: number): ProducerBatch<number> {
  const b = new ProducerBatch<number>(topic, partition, 0);
  for (let i = 0; i < records; i++) b.add({ key: null, value: Buffer.from('v'), headers: [], timestamp: 0 }, 10, i);
  return b;
}

test('sequences count records per partition from 0', () => {
  const s = new SequenceState();
  s.setProducer(7n, 0);
  const a = batch('t', 0, 3);
  const b = batch('t', 0, 2);
  const c = batch('t', 1, 4);
  const d = batch('u', 0, 1);
  for (const x of [a, b, c, d]) s.stamp(x);
  assert.deepEqual([a, b, c, d].map((x) => x.baseSequence), [0, 3, 0, 0]);
  assert.equal(a.producerId, 7n);
  assert.equal(a.producerEpoch, 0);
  const e = batch('t', 0, 1);
  s.stamp(e);
  assert.equal(e.baseSequence, 5);
});

test('a retried batch keeps its sequence under the same epoch', () => {
  const s = new SequenceState();
  s.setProducer(7n, 0);
  const a = batch('t', 0, 3);
  s.stamp(a);
  s.stamp(a);
  assert.equal(a.baseSequence, 0);
  const b = batch('t', 0, 1);
  s.stamp(b);
  assert.equal(b.baseSequence, 3, 'restamping a did not consume sequences');
});

test('an epoch bump restarts every partition at 0 and restamps old batches in the order sent', () => {
  const s = new SequenceState();
  s.setProducer(7n, 4);
  const a = batch('t', 0, 3);
  const b = batch('t', 0, 2);
  s.stamp(a);
  s.stamp(b);
  s.requestBump();
  assert.equal(s.bumpNeeded, true);
  assert.equal(s.isCurrent(a), true);
  assert.equal(s.bumpEpoch(), true);
  assert.equal(s.bumpNeeded, false);
  assert.equal(s.producerEpoch, 5);
  assert.equal(s.isCurrent(a), false);
  s.stamp(b);
  s.stamp(a);
  assert.equal(b.baseSequence, 0);
  assert.equal(b.producerEpoch, 5);
  assert.equal(a.baseSequence, 2);
});

test('the epoch cannot be bumped past int16: a new producer id is needed', () => {
  const s = new SequenceState();
  s.setProducer(7n, MAX_PRODUCER_EPOCH);
  assert.equal(s.bumpEpoch(), false);
  assert.equal(s.producerEpoch, MAX_PRODUCER_EPOCH);
  s.setProducer(8n, 0);
  assert.equal(s.producerId, 8n);
});

test('sequences wrap from 2^31-1 to 0 as in Java', () => {
  assert.equal(incrementSequence(5, 3), 8);
  assert.equal(incrementSequence(0x7fffffff, 1), 0);
  assert.equal(incrementSequence(0x7ffffffe, 3), 1);
});
