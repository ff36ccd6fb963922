import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OffsetTracker } from '../../src/stage/offset-tracker.js';

test('in-order acks advance the committable offset one by one', () => {
  const t = new OffsetTracker(10);
  for (const o of [10, 11, 12]) t.delivered(o);
  assert.equal(t.committableOffset, 10);
  t.ack(10);
  assert.equal(t.committableOffset, 11);
  t.ack(11);
  t.ack(12);
  assert.equal(t.committableOffset, 13);
  assert.equal(t.inFlight, 0);
});

test('out-of-order acks commit only the contiguous prefix', () => {
  const t = new OffsetTracker(0);
  for (let o = 0; o < 5; o++) t.delivered(o);
  assert.equal(t.ack(3), 'acked');
  assert.equal(t.ack(1), 'acked');
  assert.equal(t.committableOffset, 0, 'offset 0 is not acked: nothing may be committed');
  t.ack(0);
  assert.equal(t.committableOffset, 2, '0 and 1 acked, 2 not');
  t.ack(2);
  assert.equal(t.committableOffset, 4);
  t.ack(4);
  assert.equal(t.committableOffset, 5);
});

test('gaps from compaction or control records do not block the prefix', () => {
  const t = new OffsetTracker(10);
  for (const o of [10, 11, 12, 15]) t.delivered(o);
  t.ack(11);
  t.ack(15);
  assert.equal(t.committableOffset, 10);
  t.ack(10);
  assert.equal(t.committableOffset, 12);
  t.ack(12);
  assert.equal(t.committableOffset, 16);
});

test('skipped control records move the position once everything before is acked', () => {
  const t = new OffsetTracker(0);
  t.delivered(0);
  t.skipTo(3); // offsets 1-2 were a commit marker
  assert.equal(t.committableOffset, 0);
  t.ack(0);
  assert.equal(t.committableOffset, 3);
});

test('duplicate, unknown and future acks are reported and change nothing', () => {
  const t = new OffsetTracker(5);
  t.delivered(5);
  t.delivered(7);
  assert.equal(t.ack(4), 'duplicate');
  assert.equal(t.ack(6), 'unknown', 'never delivered');
  assert.equal(t.ack(8), 'unknown', 'beyond the position');
  assert.equal(t.ack(7), 'acked');
  assert.equal(t.ack(7), 'duplicate');
  assert.equal(t.committableOffset, 5);
});

test('batch acks cover delivered offsets in the range only', () => {
  const t = new OffsetTracker(0);
  for (const o of [0, 1, 2, 5, 6]) t.delivered(o);
  assert.equal(t.ackRange(1, 5), 3);
  assert.equal(t.committableOffset, 0);
  assert.equal(t.ackRange(0, 0), 1);
  assert.equal(t.committableOffset, 6);
});

test('deliveries must move forward', () => {
  const t = new OffsetTracker(3);
  t.delivered(3);
  assert.throws(() => t.delivered(3), RangeError);
});

test('property: committable is always the first unacked delivered offset, never beyond', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 400 }),
      (steps, ackPicks) => {
        const offsets: number[] = [];
        let o = 100;
        for (const s of steps) offsets.push((o += s));
        const t = new OffsetTracker(offsets[0] as number);
        for (const x of offsets) t.delivered(x);
        const acked = new Set<number>();
        let last = t.committableOffset;
        for (const pick of ackPicks) {
          const target = offsets[pick % offsets.length] as number;
          t.ack(target);
          acked.add(target);
          const firstUnacked = offsets.find((x) => !acked.has(x));
          const expected = firstUnacked ?? (offsets[offsets.length - 1] as number) + 1;
          assert.equal(t.committableOffset, expected);
          assert.ok(t.committableOffset >= last, 'never moves backwards');
          last = t.committableOffset;
        }
      },
    ),
  );
});

test('property: batch acks and single acks, in any order, count and commit as acking each offset once', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 120 }),
      fc.array(fc.record({ from: fc.nat(), span: fc.nat({ max: 40 }), single: fc.boolean() }), { maxLength: 60 }),
      (steps, acks) => {
        const offsets: number[] = [];
        let o = 50;
        for (const s of steps) offsets.push((o += s));
        const t = new OffsetTracker(offsets[0] as number);
        for (const x of offsets) t.delivered(x);
        const acked = new Set<number>();
        for (const { from: pick, span, single } of acks) {
          // Ranges start on a delivered offset or between two, and may run past the last one.
          const from = (offsets[pick % offsets.length] as number) - (pick % 2);
          const to = from + span;
          const fresh = offsets.filter((x) => x >= from && x <= (single ? from : to) && !acked.has(x));
          if (single) {
            const result = t.ack(from);
            assert.equal(result === 'acked', fresh.length === 1);
          } else {
            assert.equal(t.ackRange(from, to), fresh.length);
          }
          for (const x of fresh) acked.add(x);
          const firstUnacked = offsets.find((x) => !acked.has(x));
          assert.equal(t.committableOffset, firstUnacked ?? (offsets[offsets.length - 1] as number) + 1);
          assert.equal(t.inFlight, offsets.length - acked.size);
          assert.deepEqual(t.unackedIn(0, Number.MAX_SAFE_INTEGER), offsets.filter((x) => !acked.has(x)));
        }
      },
    ),
  );
});
