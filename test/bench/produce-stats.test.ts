/**
 * The arithmetic of the bench harness's producer scenarios (bench/harness/produce-stats.mjs): the
 * fixed-rate schedule and the acknowledged rate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ackedPerSecond, dueBy } from '../../bench/harness/produce-stats.mjs';

describe('dueBy (the fixed-rate schedule)', () => {
  it('is rate × elapsed time, rounded down', () => {
    assert.equal(dueBy(1, 10_000, 60_000), 10);
    assert.equal(dueBy(1.25, 10_000, 60_000), 12);
    assert.equal(dueBy(999, 1_000, 60_000), 999);
    assert.equal(dueBy(1_000, 1_000, 60_000), 1_000);
  });

  it('sends nothing before the start and never more than the count', () => {
    assert.equal(dueBy(0, 10_000, 60_000), 0);
    assert.equal(dueBy(-5, 10_000, 60_000), 0);
    assert.equal(dueBy(Number.NaN, 10_000, 60_000), 0);
    assert.equal(dueBy(6_000, 10_000, 60_000), 60_000);
    assert.equal(dueBy(60_000, 10_000, 60_000), 60_000);
  });

  it('catches up after a late tick: what fell due meanwhile is due at once', () => {
    const before = dueBy(10, 10_000, 60_000);
    const afterStall = dueBy(60, 10_000, 60_000);
    assert.equal(afterStall - before, 500);
  });
});

describe('ackedPerSecond', () => {
  it('is acknowledged records over the first-send-to-last-ack time', () => {
    assert.equal(ackedPerSecond({ records: 1_000_000, firstToLastMs: 2_000 }), 500_000);
    assert.equal(ackedPerSecond({ records: 60_000, firstToLastMs: 6_000 }), 10_000);
  });

  it('is null without a time span to divide by', () => {
    assert.equal(ackedPerSecond({ records: 0, firstToLastMs: null }), null);
    assert.equal(ackedPerSecond({ records: 5, firstToLastMs: 0 }), null);
    assert.equal(ackedPerSecond(null), null);
  });
});
