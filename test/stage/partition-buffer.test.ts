import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PartitionBuffer } from '../../src/stage/partition-buffer.js';

const limits = { maxRecords: 100, maxBytes: 10_000, minFetchBytes: 500 };
const rec = (sizeInBytes = 100) => ({ sizeInBytes });
const recs = (n: number, size = 100) => Array.from({ length: n }, () => rec(size));

test('never delivers more than the outstanding demand', () => {
  const b = new PartitionBuffer(limits);
  b.push(recs(50));
  assert.deepEqual(b.take(), [], 'no demand, nothing delivered');
  b.ask(10);
  assert.equal(b.take().length, 10);
  assert.equal(b.take().length, 0, 'demand met');
  assert.equal(b.bufferedRecords, 40);
});

test('demand accumulates across asks instead of being overwritten', () => {
  const b = new PartitionBuffer(limits);
  b.ask(5);
  b.ask(7);
  assert.equal(b.outstandingDemand, 12);
  b.push(recs(20));
  assert.equal(b.take().length, 12);
  assert.equal(b.outstandingDemand, 0);
});

test('a full buffer wants no fetch, whatever the demand', () => {
  const b = new PartitionBuffer(limits);
  b.ask(1_000_000);
  b.push(recs(100));
  assert.ok(b.isFull);
  assert.equal(b.fetchBytesWanted(1e9), 0);
  const bytesFull = new PartitionBuffer(limits);
  bytesFull.ask(1_000_000);
  bytesFull.push(recs(2, 5_000));
  assert.ok(bytesFull.isFull);
  assert.equal(bytesFull.fetchBytesWanted(1e9), 0);
});

test('fetch size follows the uncovered demand, the free room and the budget', () => {
  const b = new PartitionBuffer(limits);
  assert.equal(b.fetchBytesWanted(1e9), 0, 'no demand, no fetch');
  b.push(recs(10, 100));
  b.ask(10);
  assert.equal(b.fetchBytesWanted(1e9), 0, 'demand covered by buffered records');
  b.ask(30);
  const wanted = b.fetchBytesWanted(1e9);
  assert.ok(wanted >= 500 && wanted <= 10_000 - 1_000, `wanted ${wanted}`);
  assert.equal(b.fetchBytesWanted(200), 200, 'the consumer-wide budget caps it');
  assert.equal(b.fetchBytesWanted(0), 0);
});

test('one fetch asks for at most half the buffer, so the next can leave while the first half is taken', () => {
  // 100 B records; bounds 100 records / 10 000 B: half is 50 records or 5 000 B.
  const b = new PartitionBuffer(limits);
  b.push(recs(1, 100));
  b.take(); // nothing taken: no demand yet; the sample of 100 B per record stays
  b.ask(1_000);
  assert.equal(b.take().length, 1);
  assert.equal(b.bufferedRecords, 0);
  assert.equal(b.fetchBytesWanted(1e9), 5_000, 'demand far beyond the buffer: half of it (50 records of 100 B)');
  b.push(recs(50, 100));
  assert.equal(b.fetchBytesWanted(1e9), 5_000, 'the first half arrived: the second half is asked at once');
  b.push(recs(30, 100));
  assert.equal(b.fetchBytesWanted(1e9), 2_000, 'then only the room left (20 records)');
  const big = new PartitionBuffer({ maxRecords: 1_000, maxBytes: 10_000, minFetchBytes: 500 });
  big.push(recs(1, 1_000));
  big.ask(1_000);
  big.take();
  assert.equal(big.fetchBytesWanted(1e9), 5_000, 'large records: half the byte bound');
});

test('clear drops the buffer but keeps the demand', () => {
  const b = new PartitionBuffer(limits);
  b.push(recs(5));
  b.ask(3);
  assert.equal(b.clear(), 5);
  assert.equal(b.bufferedBytes, 0);
  assert.equal(b.outstandingDemand, 3);
});

test('property: delivered ≤ total demand, bytes accounting stays exact', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.record({ ask: fc.nat(50) }), fc.record({ push: fc.nat(30) }), fc.record({ take: fc.nat(60) })), { maxLength: 100 }),
      (ops) => {
        const b = new PartitionBuffer(limits);
        let asked = 0;
        let delivered = 0;
        let pushed = 0;
        for (const op of ops) {
          if ('ask' in op) {
            b.ask(op.ask);
            asked += op.ask;
          } else if ('push' in op) {
            b.push(recs(op.push, 7));
            pushed += op.push;
          } else {
            delivered += b.take(op.take).length;
          }
          assert.ok(delivered <= asked);
          assert.equal(b.outstandingDemand, asked - delivered);
          assert.equal(b.bufferedRecords, pushed - delivered);
          assert.equal(b.bufferedBytes, (pushed - delivered) * 7);
        }
      },
    ),
  );
});
