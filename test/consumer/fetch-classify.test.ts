/** The verdict on a partition's Fetch error code, decided without the scheduler. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyFetchError } from '../../src/consumer/fetch-classify.js';
import { CORRUPT_ROUNDS } from '../../src/consumer/fetch-error-policy.js';

test('OFFSET_OUT_OF_RANGE goes to the offset-reset policy', () => {
  assert.equal(classifyFetchError(1, false, 0).action, 'out-of-range');
});

test('stale-leader codes re-route, the position kept; KAFKA_STORAGE_ERROR is reported too', () => {
  for (const code of [3, 5, 6, 9, 74, 100, 103]) assert.deepEqual(classifyFetchError(code, true, 2), { action: 'reroute', report: false, corruptRounds: 0 }, `code ${code}`);
  assert.deepEqual(classifyFetchError(56, true, 0), { action: 'reroute', report: true, corruptRounds: 0 });
  // UNKNOWN_LEADER_EPOCH: the broker is behind the client, not the other way round (Java does not
  // refresh metadata for it either): retry at the same leader.
  assert.deepEqual(classifyFetchError(75, true, 2), { action: 'back-off', report: false, corruptRounds: 0 });
});

test('CORRUPT_MESSAGE is reported and retried, then parked after CORRUPT_ROUNDS answers in a row', () => {
  let rounds = 0;
  for (let i = 1; i < CORRUPT_ROUNDS; i++) {
    const v = classifyFetchError(2, true, rounds);
    assert.deepEqual(v, { action: 'back-off', report: true, corruptRounds: i });
    rounds = v.corruptRounds;
  }
  assert.deepEqual(classifyFetchError(2, true, rounds), { action: 'park', report: true, corruptRounds: 0 });
});

test('other codes: retriable ones back off, the rest park the partition with the error', () => {
  assert.deepEqual(classifyFetchError(7, true, 3), { action: 'back-off', report: false, corruptRounds: 0 });
  assert.deepEqual(classifyFetchError(29, false, 0), { action: 'park', report: false, corruptRounds: 0 });
});
