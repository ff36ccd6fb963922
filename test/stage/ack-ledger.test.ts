/**
 * AckLedger (issue #8, defect 11): ack tracking across seeks, checked against a model of
 * deliveries — each delivery (an offset, from before or after some seek) is acked or not; an ack
 * goes to the oldest unacked delivery of its offset; the committable offset never passes an unacked
 * delivery of the current or an earlier position.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AckLedger } from '../../src/stage/ack-ledger.js';

test('a forward seek holds the committable offset at the earlier unacked record', () => {
  const l = new AckLedger(0);
  for (let o = 0; o < 10; o++) l.delivered(o);
  l.ackRange(0, 4);
  l.seek(1000);
  assert.equal(l.committableOffset, 5);
  assert.equal(l.holding, true);
  for (let o = 1000; o < 3000; o++) l.delivered(o);
  assert.equal(l.ackRange(1000, 2999), 2000);
  assert.equal(l.committableOffset, 5);
  assert.equal(l.inFlight, 5);
  assert.equal(l.ackRange(5, 9), 5);
  assert.equal(l.committableOffset, 3000);
  assert.equal(l.holding, false);
});

test('a seek with nothing in flight forgets the old position', () => {
  const l = new AckLedger(0);
  l.delivered(0);
  l.ack(0);
  l.seek(50);
  assert.equal(l.holding, false);
  assert.equal(l.committableOffset, 50);
});

test('after a backward seek an offset in flight twice is acked for the older delivery first', () => {
  const l = new AckLedger(0);
  for (let o = 0; o < 5; o++) l.delivered(o);
  l.seek(2);
  for (let o = 2; o < 5; o++) l.delivered(o);
  assert.equal(l.inFlight, 8);
  assert.equal(l.ack(3), 'acked');
  assert.equal(l.ack(3), 'acked', 'the second ack of 3 is the later delivery');
  assert.equal(l.ack(3), 'duplicate');
  assert.equal(l.inFlight, 6);
  assert.equal(l.committableOffset, 0);
});

interface Delivery {
  offset: number;
  acked: boolean;
}

/** The model: deliveries per seek generation, oldest first. */
class Model {
  gens: { start: number; position: number; deliveries: Delivery[] }[];
  constructor(start: number) {
    this.gens = [{ start, position: start, deliveries: [] }];
  }
  get current() {
    return this.gens[this.gens.length - 1] as Model['gens'][number];
  }
  private static committable(g: Model['gens'][number]): number {
    return g.deliveries.find((d) => !d.acked)?.offset ?? g.position;
  }
  /** Generations still counted: the current one and earlier ones with unacked deliveries. */
  live() {
    return this.gens.filter((g, i) => i === this.gens.length - 1 || g.deliveries.some((d) => !d.acked));
  }
  committableOffset(): number {
    return Math.min(...this.live().map(Model.committable));
  }
  inFlight(): number {
    return this.gens.reduce((n, g) => n + g.deliveries.filter((d) => !d.acked).length, 0);
  }
  /** Acks `offset` in the oldest generation where it is unacked; true when that acked something. */
  ack(offset: number): boolean {
    for (const g of this.gens) {
      const d = g.deliveries.find((x) => x.offset === offset && !x.acked);
      if (d) {
        d.acked = true;
        return true;
      }
    }
    return false;
  }
  /** Acks [from, to] in the oldest generation where it acks anything; returns the count. */
  ackRange(from: number, to: number): number {
    for (const g of this.gens) {
      const hit = g.deliveries.filter((d) => d.offset >= from && d.offset <= to && !d.acked);
      if (hit.length > 0) {
        for (const d of hit) d.acked = true;
        return hit.length;
      }
    }
    return 0;
  }
}

type Op =
  | { kind: 'deliver'; gap: number; count: number }
  | { kind: 'seek'; to: number }
  | { kind: 'ack'; pick: number; shift: number }
  | { kind: 'ackRange'; pick: number; length: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), gap: fc.nat({ max: 3 }), count: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('seek' as const), to: fc.nat({ max: 30_000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ack' as const), pick: fc.nat(), shift: fc.integer({ min: -1, max: 1 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ackRange' as const), pick: fc.nat(), length: fc.integer({ min: 1, max: 5000 }) }) },
);

test('property: across seeks, committable and inFlight equal the model, and never pass an unacked delivery', () => {
  fc.assert(
    fc.property(fc.nat({ max: 10_000 }), fc.array(opArb, { minLength: 5, maxLength: 40 }), (start, ops) => {
      const l = new AckLedger(start);
      const m = new Model(start);
      for (const op of ops) {
        if (op.kind === 'deliver') {
          const g = m.current;
          let o = g.position + op.gap;
          for (let i = 0; i < op.count; i++, o++) {
            l.delivered(o);
            g.deliveries.push({ offset: o, acked: false });
          }
          g.position = o;
        } else if (op.kind === 'seek') {
          l.seek(op.to);
          m.gens = m.live();
          m.gens.push({ start: op.to, position: op.to, deliveries: [] });
        } else {
          const all = m.gens.flatMap((g) => g.deliveries);
          if (all.length === 0) continue;
          const base = (all[op.pick % all.length] as Delivery).offset;
          if (op.kind === 'ack') {
            const acked = m.ack(base + op.shift);
            assert.equal(l.ack(base + op.shift) === 'acked', acked, `ack ${base + op.shift}`);
          } else {
            assert.equal(l.ackRange(base, base + op.length - 1), m.ackRange(base, base + op.length - 1));
          }
        }
        assert.equal(l.committableOffset, m.committableOffset(), `committable after ${JSON.stringify(op)}`);
        assert.equal(l.inFlight, m.inFlight());
        // The contract itself: nothing unacked lies below the committable offset in any generation.
        for (const g of m.gens) for (const d of g.deliveries) if (!d.acked) assert.ok(d.offset >= l.committableOffset);
      }
    }),
    { numRuns: 60 },
  );
});
