/** Cutting a partition's fetched bytes to what was asked before decoding, and its batches to its buffer's room after (fetch-bounds.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cutToAsked, cutToRoom } from '../../src/consumer/fetch-bounds.js';
import type { RecordBatch } from '../../src/protocol/records/types.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';

/** Three batches of 10 records × 100 B each, one after the other, as a Fetch answer holds them. */
async function threeBatches(): Promise<{ bytes: Buffer; size: number }> {
  const batches = await Promise.all(
    [0, 1, 2].map(() => encodeRecordBatch({ records: Array.from({ length: 10 }, (_, i) => ({ value: 'v'.repeat(100), timestamp: 1000 + i })), compression: 'none' })),
  );
  const size = (batches[0] as Buffer).length;
  assert.ok(batches.every((b) => b.length === size), 'batches of one size');
  return { bytes: Buffer.concat(batches), size };
}

test('whole batches within what was asked; a first batch past it is reported, not cut', async () => {
  const { bytes, size } = await threeBatches();
  assert.deepEqual(cutToAsked(bytes, 3 * size), { end: 3 * size, oversizedFirst: 0 });
  assert.deepEqual(cutToAsked(bytes, 2 * size + 10), { end: 2 * size, oversizedFirst: 0 });
  assert.deepEqual(cutToAsked(bytes, size - 1), { end: size, oversizedFirst: size });
});

test('an ask past the room (a whole batch owed) keeps its first batch, then only what the room covers', async () => {
  const { bytes, size } = await threeBatches();
  // Asked for three batches' worth, the room covering a little more than one: one batch kept, not three.
  assert.deepEqual(cutToAsked(bytes, 3 * size, size + 10), { end: size, oversizedFirst: 0 });
  // The room covering two: two kept.
  assert.deepEqual(cutToAsked(bytes, 3 * size, 2 * size), { end: 2 * size, oversizedFirst: 0 });
  // The room smaller than the first batch: the first batch still comes (it was asked whole), alone.
  assert.deepEqual(cutToAsked(bytes, 3 * size, 10), { end: size, oversizedFirst: 0 });
  // What is kept never goes past what was asked.
  assert.deepEqual(cutToAsked(bytes, 2 * size, 3 * size), { end: 2 * size, oversizedFirst: 0 });
});

/** Stand-ins for decoded batches: cutToRoom looks only at their count and the sizes given beside them. */
function batchesOf(n: number): RecordBatch[] {
  return Array.from({ length: n }, (_, i) => ({ baseOffset: i }) as unknown as RecordBatch);
}

test('cutToRoom: the batches within a partition room, then one past it, never two', () => {
  const batches = batchesOf(4);
  const sizes = [100, 100, 100, 100];
  assert.equal(cutToRoom(batches, sizes, 1000), batches, 'all fit: the same array');
  assert.equal(cutToRoom(batches, sizes, 400).length, 4);
  assert.equal(cutToRoom(batches, sizes, 250).length, 3, 'two fit, the third crosses the bound');
  assert.equal(cutToRoom(batches, sizes, 200).length, 2, 'exactly full after two: no batch past it');
  assert.equal(cutToRoom(batches, sizes, 1).length, 1, 'any room left takes one batch, however large');
  assert.equal(cutToRoom(batches, [5000, 1, 1, 1], 10).length, 1);
  assert.equal(cutToRoom(batches, sizes, 0).length, 0, 'a buffer at its bound takes nothing');
  assert.equal(cutToRoom(batches, sizes, -50).length, 0, 'nor one past it');
  assert.equal(cutToRoom([], [], 0).length, 0);
});
