import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDelay } from '../../src/network/backoff.js';

describe('nextDelay', () => {
  it('draws from [0, initial × 2^attempt) with full jitter', () => {
    assert.equal(nextDelay(0, { random: () => 0 }), 0);
    assert.equal(nextDelay(0, { random: () => 0.5 }), 50);
    assert.equal(nextDelay(1, { random: () => 0.5 }), 100);
    assert.equal(nextDelay(3, { initialMs: 10, random: () => 0.5 }), 40);
    assert.equal(nextDelay(0, { random: () => 0.999999 }), 99);
  });

  it('caps the ceiling at maxMs', () => {
    assert.equal(nextDelay(20, { random: () => 0.5 }), 5000);
    assert.equal(nextDelay(7, { initialMs: 100, maxMs: 1000, random: () => 0.5 }), 500);
  });

  it('never reaches the ceiling, even when random() returns 1', () => {
    assert.equal(nextDelay(2, { random: () => 1 }), 399);
  });

  it('stays finite and within the cap for absurd attempts', () => {
    for (const attempt of [1023, 1024, 5000, Number.MAX_SAFE_INTEGER, Infinity]) {
      const d = nextDelay(attempt, { random: () => 0.5 });
      assert.equal(d, 5000, `attempt ${attempt}`);
    }
  });

  it('treats negative and NaN attempts as the first', () => {
    assert.equal(nextDelay(-3, { random: () => 0.5 }), 50);
    assert.equal(nextDelay(Number.NaN, { random: () => 0.5 }), 50);
  });

  it('returns whole milliseconds spread over the range with the default random', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const d = nextDelay(4);
      assert.ok(Number.isInteger(d) && d >= 0 && d < 1600, `delay ${d}`);
      seen.add(Math.floor(d / 400));
    }
    assert.equal(seen.size, 4, 'every quarter of the range is hit');
  });
});
