/**
 * The one rule for which records of a Fetch answer are visible from a position, shared by the
 * partition stage and the partition reader: decided without either, from batches alone.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { CorruptRecordError } from '../../src/protocol/errors.js';
import type { RecordBatch } from '../../src/protocol/records/types.js';
import { visibleRecords, type VisibleRecords } from '../../src/consumer/visible-records.js';
import { makeBatch } from './delivery/fixtures.js';

const offsetsOf = (v: VisibleRecords): number[] => v.runs.flatMap((r) => r.records.map((x) => x.offset));

test('records below the position are not visible; the position moves past each batch', () => {
  const v = visibleRecords([makeBatch(0, 4), makeBatch(5, 9)], 3, { abortedTransactions: null });
  assert.deepEqual(offsetsOf(v), [3, 4, 5, 6, 7, 8, 9]);
  assert.equal(v.position, 10);
  assert.equal(v.count, 7);
  assert.equal(v.reachedLimit, false);
  assert.equal(v.unreadable, null);
});

test('a whole batch comes back as its own array (no copy); a batch wholly below the position is skipped', () => {
  const whole = makeBatch(5, 9);
  const v = visibleRecords([makeBatch(0, 4), whole], 5, { abortedTransactions: null });
  assert.equal(v.runs.length, 1);
  assert.equal(v.runs[0]?.records, whole.records);
  assert.equal(v.runs[0]?.batch, whole);
});

test('compaction gaps and control batches move the position without records', () => {
  const v = visibleRecords([makeBatch(0, 9, { offsets: [2, 7] }), makeBatch(10, 10, { isControl: true }), makeBatch(11, 20, { offsets: [] })], 0, {
    abortedTransactions: null,
  });
  assert.deepEqual(offsetsOf(v), [2, 7]);
  assert.equal(v.position, 21);
});

test('offsets that go backwards or past the batch end are not visible', () => {
  const v = visibleRecords([makeBatch(0, 4, { offsets: [0, 1, 1, 0, 3, 9] })], 0, { abortedTransactions: null });
  assert.deepEqual(offsetsOf(v), [0, 1, 3]);
  assert.equal(v.position, 5);
});

test('read_committed: the batches of an aborted transaction are hidden until its marker', () => {
  const batches: RecordBatch[] = [
    makeBatch(0, 1, { isTransactional: true, producerId: 7n }),
    makeBatch(2, 2, { isControl: true, producerId: 7n, marker: 0 }),
    makeBatch(3, 4, { isTransactional: true, producerId: 7n }),
  ];
  const committed = visibleRecords(batches, 0, { abortedTransactions: [{ producerId: 7n, firstOffset: 0 }] });
  assert.deepEqual(offsetsOf(committed), [3, 4]);
  assert.equal(committed.position, 5);
  // The same answer under read_uncommitted shows every data record.
  assert.deepEqual(offsetsOf(visibleRecords(batches, 0, { abortedTransactions: null })), [0, 1, 3, 4]);
  // First offsets as the wire's bigint are understood alike.
  assert.deepEqual(offsetsOf(visibleRecords(batches, 0, { abortedTransactions: [{ producerId: 7n, firstOffset: 0n }] })), [3, 4]);
});

test('read_committed: an unreadable marker stops the walk before its batch', () => {
  const bad = makeBatch(3, 3, { isControl: true, producerId: 7n });
  (bad.records[0] as { key: Buffer | null }).key = Buffer.alloc(2);
  const v = visibleRecords([makeBatch(0, 2), bad, makeBatch(4, 5)], 0, { abortedTransactions: [] });
  assert.deepEqual(offsetsOf(v), [0, 1, 2]);
  assert.equal(v.position, 3);
  assert.equal(v.unreadable?.batch, bad);
  assert.ok(v.unreadable?.cause instanceof CorruptRecordError);
  // Under read_uncommitted the marker is skipped unread.
  assert.equal(visibleRecords([makeBatch(0, 2), bad, makeBatch(4, 5)], 0, { abortedTransactions: null }).unreadable, null);
});

test('recordRoom is checked between batches: the batch that reaches it is taken whole', () => {
  const v = visibleRecords([makeBatch(0, 4), makeBatch(5, 9), makeBatch(10, 14)], 0, { abortedTransactions: null, recordRoom: 6 });
  assert.deepEqual(offsetsOf(v), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(v.position, 10);
  assert.equal(v.reachedLimit, false);
});

test('until and maxRecords cut inside a batch; the position ends after the last record taken', () => {
  const byUntil = visibleRecords([makeBatch(0, 9)], 2, { abortedTransactions: null, until: 5 });
  assert.deepEqual(offsetsOf(byUntil), [2, 3, 4]);
  assert.equal(byUntil.position, 5);
  assert.equal(byUntil.reachedLimit, true);
  const byCount = visibleRecords([makeBatch(0, 4), makeBatch(5, 9)], 0, { abortedTransactions: null, maxRecords: 7 });
  assert.deepEqual(offsetsOf(byCount), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(byCount.position, 7);
  assert.equal(byCount.reachedLimit, true);
  // A marker past `until` ends the walk too.
  const pastUntil = visibleRecords([makeBatch(0, 0, { isControl: true }), makeBatch(1, 3)], 0, { abortedTransactions: null, until: 1 });
  assert.deepEqual(offsetsOf(pastUntil), []);
  assert.equal(pastUntil.reachedLimit, true);
});

test('wire bytes stand for the visible share of each batch', () => {
  const v = visibleRecords([makeBatch(0, 9, { wireBytes: 1000 })], 5, { abortedTransactions: null });
  assert.equal(v.wireBytes, 500);
});
