import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COMPACT_AFTER, MovingHeadQueue } from '../../src/util/moving-head-queue.js';

test('a queue hands items out first in, first out, and reads them by position from the front', () => {
  const q = new MovingHeadQueue<string>();
  assert.equal(q.shift(), undefined);
  assert.equal(q.peek(), undefined);
  for (const s of ['a', 'b', 'c', 'd']) q.push(s);
  assert.equal(q.length, 4);
  assert.equal(q.shift(), 'a');
  assert.equal(q.peek(), 'b');
  assert.equal(q.at(0), 'b');
  assert.equal(q.at(2), 'd');
  assert.equal(q.at(3), undefined);
  assert.equal(q.at(-1), undefined);
  assert.deepEqual(q.take(2), ['b', 'c']);
  assert.deepEqual(q.take(5), ['d']);
  assert.equal(q.length, 0);
  assert.deepEqual(q.take(1), []);
});

test('drop takes the first items without handing them out', () => {
  const q = new MovingHeadQueue<number>();
  for (let i = 0; i < 5; i++) q.push(i);
  q.drop(2);
  assert.equal(q.length, 3);
  assert.equal(q.peek(), 2);
  q.drop(10);
  assert.equal(q.length, 0);
  assert.equal(q.storedLength, 0, 'an emptied queue forgets its array');
  q.drop(1);
  assert.equal(q.length, 0);
  q.push(9);
  assert.equal(q.shift(), 9);
});

test('clear drops every item', () => {
  const q = new MovingHeadQueue<number>();
  for (let i = 0; i < 10; i++) q.push(i);
  q.shift();
  q.clear();
  assert.equal(q.length, 0);
  assert.equal(q.storedLength, 0);
  q.push(7);
  assert.equal(q.shift(), 7);
});

test('past its compaction threshold the taken front is dropped, and positions still read the same items', () => {
  const q = new MovingHeadQueue<number>();
  const total = 4 * COMPACT_AFTER;
  for (let i = 0; i < total; i++) q.push(i);
  // Up to the threshold the taken items stay in the array (no copy per take).
  for (let i = 0; i <= COMPACT_AFTER; i++) assert.equal(q.shift(), i);
  assert.equal(q.storedLength, total);
  // Taken items are most of the array once past half: the next take drops them in one copy.
  q.take(total / 2 - COMPACT_AFTER);
  const left = total - (total / 2 + 1);
  assert.equal(q.length, left);
  assert.equal(q.storedLength, left, 'the taken front was dropped');
  assert.equal(q.peek(), total / 2 + 1);
  assert.equal(q.at(left - 1), total - 1);
  for (let i = total / 2 + 1; i < total; i++) assert.equal(q.shift(), i);
  assert.equal(q.storedLength, 0, 'an emptied queue holds no array');
});

test('memory stays bounded while items flow through a queue that is never emptied', () => {
  const q = new MovingHeadQueue<number>();
  let next = 0;
  let expected = 0;
  for (let i = 0; i < 10; i++) q.push(next++);
  for (let round = 0; round < 50 * COMPACT_AFTER; round++) {
    q.push(next++);
    assert.equal(q.shift(), expected++);
    assert.ok(q.storedLength <= 2 * COMPACT_AFTER + 20, `array of ${q.storedLength} for ${q.length} queued`);
  }
  assert.equal(q.length, 10);
});
