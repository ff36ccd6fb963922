import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompressionRatios } from '../../src/producer/compression-ratio.js';

test('a topic never seen is sized uncompressed; the estimate falls slowly and rises fast', () => {
  const r = new CompressionRatios();
  assert.equal(r.expectedBytes('t', 1000), 1000, 'no batch seen yet: no shrinking assumed');
  r.observe('t', 1000, 300);
  // One batch lowers the estimate by 0.005 only, with the 5% margin on top.
  assert.ok(Math.abs(r.expectedBytes('t', 1000) - 995 * 1.05) < 1e-9);
  for (let i = 0; i < 1000; i++) r.observe('t', 1000, 300);
  assert.ok(Math.abs(r.expectedBytes('t', 1000) - 300 * 1.05) < 1e-9, 'settles on what the batches show');
  // Incompressible data: back up at once (at least 0.05 a batch, straight to what was seen).
  r.observe('t', 1000, 900);
  assert.ok(Math.abs(r.expectedBytes('t', 1000) - 900 * 1.05) < 1e-9);
  r.observe('t', 1000, 1200);
  assert.equal(r.expectedBytes('t', 1000), 1000 * 1.05, 'never assumed to grow the data');
  assert.equal(r.expectedBytes('other', 1000), 1000, 'per topic');
});
