import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CORRELATION_ID, nextCorrelationId } from '../../src/network/correlation.js';

describe('nextCorrelationId', () => {
  const none = new Set<number>();

  it('counts up from the last id', () => {
    assert.equal(nextCorrelationId(-1, none), 0);
    assert.equal(nextCorrelationId(41, none), 42);
  });

  it('wraps from the largest int32 to 0', () => {
    assert.equal(nextCorrelationId(MAX_CORRELATION_ID - 1, none), MAX_CORRELATION_ID);
    assert.equal(nextCorrelationId(MAX_CORRELATION_ID, none), 0);
  });

  it('skips ids still in flight, across the wrap too', () => {
    assert.equal(nextCorrelationId(4, new Set([5, 6])), 7);
    assert.equal(nextCorrelationId(MAX_CORRELATION_ID - 1, new Set([MAX_CORRELATION_ID, 0, 1])), 2);
  });
});
