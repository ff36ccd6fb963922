import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PartitionBuffer } from '../../src/stage/partition-buffer.js';

const limits = { maxRecords: 100, maxBytes: 10_000, minFetchBytes: 10 };

test('a size function lets the buffer hold items that carry no size', () => {
  const b = new PartitionBuffer<{ n: number }>(limits, (item) => item.n);
  b.push([{ n: 10 }, { n: 20 }, { n: 30 }]);
  assert.equal(b.bufferedBytes, 60);
  b.ask(2);
  assert.deepEqual(b.take(), [{ n: 10 }, { n: 20 }]);
  assert.equal(b.bufferedBytes, 30);
});

test('takeOne takes against demand, one item at a time', () => {
  const b = new PartitionBuffer(limits);
  b.push([{ sizeInBytes: 5 }, { sizeInBytes: 7 }]);
  assert.equal(b.takeOne(), undefined, 'no demand');
  b.ask(1);
  assert.deepEqual(b.takeOne(), { sizeInBytes: 5 });
  assert.equal(b.takeOne(), undefined, 'demand met');
  assert.equal(b.bufferedBytes, 7);
  b.ask(5);
  assert.deepEqual(b.takeOne(), { sizeInBytes: 7 });
  assert.equal(b.takeOne(), undefined, 'buffer empty');
  assert.equal(b.outstandingDemand, 4);
  assert.equal(b.bufferedBytes, 0);
});

test('fetch size: demand beyond the record bound is not fetched for', () => {
  const b = new PartitionBuffer({ maxRecords: 10, maxBytes: 1_000_000, minFetchBytes: 1 });
  b.push([{ sizeInBytes: 100 }]);
  b.ask(1_000);
  assert.equal(b.fetchBytesWanted(1e9), 5 * 100, 'half the record bound per fetch, not the demand of 1000');
  b.push(Array.from({ length: 6 }, () => ({ sizeInBytes: 100 })));
  assert.equal(b.fetchBytesWanted(1e9), 3 * 100, 'room for 3 more records');
  assert.equal(b.take().length, 7);
  assert.equal(b.fetchBytesWanted(1e9), 5 * 100);
});

test('fetch size: the first records seen replace the initial guess of their size', () => {
  const b = new PartitionBuffer({ maxRecords: 1000, maxBytes: 1_000_000, minFetchBytes: 1 });
  b.push([{ sizeInBytes: 40 }, { sizeInBytes: 60 }]);
  b.ask(12);
  assert.equal(b.fetchBytesWanted(1e9), 10 * 50);
});
