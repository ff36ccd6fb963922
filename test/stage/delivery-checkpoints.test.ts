import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { COMPACT_AFTER, type MovingHeadQueue } from '../../src/util/moving-head-queue.js';
import { DeliveryCheckpoints } from '../../src/stage/delivery-checkpoints.js';

test('the age of the first unacked record, from the first read after its delivery', () => {
  const c = new DeliveryCheckpoints();
  // Offsets 0-9 delivered, read at t=1000.
  assert.equal(c.age(10, 0, 10, 1_000), 0);
  assert.equal(c.age(10, 0, 10, 5_000), 4_000);
  // 0-8 acked; 10-19 delivered, read at 6000.
  assert.equal(c.age(20, 9, 11, 6_000), 5_000, 'offset 9 was delivered by t=1000');
  assert.equal(c.age(20, 10, 10, 7_000), 1_000, 'offset 10 was delivered by t=6000');
  assert.equal(c.age(20, 20, 0, 8_000), 0, 'nothing in flight');
});

test('checkpoints are forgotten once everything below them is acked', () => {
  const c = new DeliveryCheckpoints();
  for (let i = 1; i <= 10_000; i++) c.age(i, i - 1, 1, i);
  // One checkpoint remains useful at a time: memory stays small however long it runs.
  const marks = (c as unknown as { marks: MovingHeadQueue<unknown> }).marks;
  assert.ok(marks.length <= 1, `${marks.length} checkpoints kept`);
  assert.ok(marks.storedLength <= 2 * COMPACT_AFTER + 2, `an array of ${marks.storedLength} under them`);
});

test('property: the age never exceeds the true age of the first unacked record', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ deliver: fc.nat(5), ack: fc.nat(5), dt: fc.nat(1_000) }), { maxLength: 60 }), (steps) => {
      const c = new DeliveryCheckpoints();
      const deliveredAt: number[] = [];
      let now = 0;
      let acked = 0;
      for (const step of steps) {
        now += step.dt;
        for (let i = 0; i < step.deliver; i++) deliveredAt.push(now);
        acked = Math.min(deliveredAt.length, acked + step.ack);
        const inFlight = deliveredAt.length - acked;
        const age = c.age(deliveredAt.length, acked, inFlight, now);
        if (inFlight === 0) assert.equal(age, 0);
        else assert.ok(age <= now - (deliveredAt[acked] as number), `age ${age}`);
        assert.ok(age >= 0);
      }
    }),
  );
});
