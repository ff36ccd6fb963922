/**
 * OffsetTracker at the scales users run (issue #8, defect 1): past the 1024-entry compaction of the
 * pending queue, with batches up to 5000 records, checked step by step against a trivially correct
 * model (the sets of delivered and acked offsets).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OffsetTracker } from '../../src/stage/offset-tracker.js';

test('defect 1: ackRange over 20 000 delivered offsets in batches of 1000 and 5000 acks them all', () => {
  for (const batch of [1000, 5000]) {
    const t = new OffsetTracker(0);
    for (let o = 0; o < 20_000; o++) t.delivered(o);
    let acked = 0;
    for (let from = 0; from < 20_000; from += batch) acked += t.ackRange(from, from + batch - 1);
    assert.equal(acked, 20_000, `batch ${batch}: every offset newly acked once`);
    assert.equal(t.committableOffset, 20_000, `batch ${batch}`);
    assert.equal(t.inFlight, 0, `batch ${batch}`);
  }
});

test('defect 1: one ackRange of 5000 offsets after 2000 single acks (the queue head past 1024) acks the rest', () => {
  const t = new OffsetTracker(100);
  for (let o = 100; o < 7100; o++) t.delivered(o);
  for (let o = 100; o < 2100; o++) t.ack(o);
  assert.equal(t.ackRange(2100, 7099), 5000);
  assert.equal(t.committableOffset, 7100);
  assert.equal(t.inFlight, 0);
});

/** The model: what was delivered (in order), what was acked, and the position. */
class Model {
  readonly delivered: number[] = [];
  readonly acked = new Set<number>();
  position: number;
  constructor(start: number) {
    this.position = start;
  }
  /** First delivered offset not acked, else the position. */
  committable(): number {
    for (const o of this.delivered) if (!this.acked.has(o)) return o;
    return this.position;
  }
  inFlight(): number {
    let n = 0;
    for (const o of this.delivered) if (!this.acked.has(o)) n++;
    return n;
  }
}

type Op =
  | { kind: 'deliver'; gap: number; count: number; step: number }
  | { kind: 'skip'; by: number }
  | { kind: 'ack'; pick: number; shift: number; front: boolean }
  | { kind: 'ackRange'; pick: number; length: number; shift: number; front: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Batches of 1..5000 records, after a gap of never-delivered offsets, every `step`-th offset (compaction).
  fc.record({ kind: fc.constant('deliver' as const), gap: fc.nat({ max: 50 }), count: fc.integer({ min: 1, max: 5000 }), step: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('skip' as const), by: fc.integer({ min: 1, max: 20 }) }),
  // Picks index into what was delivered, or (front) start at the first unacked offset, as consumers
  // acking in order do; shift sometimes lands on unknown or duplicate offsets.
  fc.record({ kind: fc.constant('ack' as const), pick: fc.nat(), shift: fc.integer({ min: -2, max: 2 }), front: fc.boolean() }),
  fc.record({
    kind: fc.constant('ackRange' as const),
    pick: fc.nat(),
    length: fc.integer({ min: 1, max: 5000 }),
    shift: fc.integer({ min: -3, max: 3 }),
    front: fc.boolean(),
  }),
);

test('defect 1 property: committableOffset and inFlight equal the model after every step, at ≥ 10 000 offsets', () => {
  fc.assert(
    fc.property(fc.nat({ max: 1_000_000 }), fc.array(opArb, { minLength: 20, maxLength: 60 }), (start, ops) => {
      const t = new OffsetTracker(start);
      const m = new Model(start);
      // Deliver 10 000 offsets first so every run works past the compaction threshold.
      const script: Op[] = [{ kind: 'deliver', gap: 0, count: 10_000, step: 1 }, ...ops];
      for (const op of script) {
        if (op.kind === 'deliver') {
          let o = m.position + op.gap;
          for (let i = 0; i < op.count; i++, o += op.step) {
            t.delivered(o);
            m.delivered.push(o);
          }
          m.position = o - op.step + 1;
        } else if (op.kind === 'skip') {
          m.position += op.by;
          t.skipTo(m.position);
          // Skipped offsets count as never delivered: only the position moves.
        } else if (m.delivered.length > 0) {
          const base = op.front ? m.committable() : (m.delivered[op.pick % m.delivered.length] as number);
          if (op.kind === 'ack') {
            const o = base + op.shift;
            const known = m.delivered.includes(o);
            const fresh = known && !m.acked.has(o);
            const result = t.ack(o);
            if (fresh) assert.equal(result, 'acked', `ack ${o}`);
            else assert.notEqual(result, 'acked', `ack ${o} changes nothing`);
            if (known) m.acked.add(o);
          } else {
            const from = base + op.shift;
            const to = from + op.length - 1;
            let fresh = 0;
            for (const o of m.delivered) {
              if (o >= from && o <= to && !m.acked.has(o)) {
                m.acked.add(o);
                fresh++;
              }
            }
            assert.equal(t.ackRange(from, to), fresh, `ackRange ${from}..${to}`);
          }
        }
        assert.equal(t.committableOffset, m.committable(), `committable after ${JSON.stringify(op)}`);
        assert.equal(t.inFlight, m.inFlight(), `inFlight after ${JSON.stringify(op)}`);
        assert.equal(t.deliveredPosition, m.position);
      }
    }),
    { numRuns: 25 },
  );
});
