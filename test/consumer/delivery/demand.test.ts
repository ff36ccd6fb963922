import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_DEMAND, refill, resolveDemand } from '../../../src/consumer/delivery/demand.js';

test('defaults: maxDemand 2000, minDemand 75 % of it, chunks of the difference', () => {
  assert.equal(DEFAULT_MAX_DEMAND, 2000);
  assert.deepEqual(resolveDemand(), { maxDemand: 2000, minDemand: 1500, chunk: 500 });
  assert.deepEqual(resolveDemand({ maxDemand: 1 }), { maxDemand: 1, minDemand: 0, chunk: 1 });
  assert.deepEqual(resolveDemand({ maxDemand: 10, minDemand: 0 }), { maxDemand: 10, minDemand: 0, chunk: 10 });
});

test('invalid demand options name the option', () => {
  for (const [options, option] of [
    [{ maxDemand: 0 }, 'maxDemand'],
    [{ maxDemand: 1.5 }, 'maxDemand'],
    [{ maxDemand: 10, minDemand: 10 }, 'minDemand'],
    [{ maxDemand: 10, minDemand: -1 }, 'minDemand'],
  ] as const) {
    assert.throws(() => resolveDemand(options), { code: 'ERR_INVALID_OPTION', option });
  }
});

test('refill asks up to maxDemand once outstanding demand fell to minDemand', () => {
  const policy = resolveDemand({ maxDemand: 100, minDemand: 60 });
  assert.equal(refill(policy, 61), 0);
  assert.equal(refill(policy, 60), 40);
  assert.equal(refill(policy, 0), 100);
});
