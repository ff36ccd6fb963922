/** The one wire↔buffered estimate of a partition: what the stage asks and the scheduler reserves with. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_GROWTH, UNSAMPLED_GROWTH, WireEstimate } from '../../src/stage/wire-estimate.js';

test('before the first sample: a cautious growth for reservations, and asks pass through unconverted', () => {
  const e = new WireEstimate();
  assert.equal(e.growth, UNSAMPLED_GROWTH);
  assert.equal(e.wireFor(512), 512);
});

test('the first sample replaces the guess; later ones move it by 30 %', () => {
  const e = new WireEstimate();
  e.sample(1000, 4000); // gzip-like: 4 buffered bytes per wire byte
  assert.equal(e.growth, 4);
  assert.equal(e.wireFor(4000), 1000, 'asks in wire bytes what fills the buffered room');
  e.sample(1000, 1000);
  assert.equal(e.growth, 0.7 * 4 + 0.3 * 1);
});

test('samples are bounded: never below 1 (wire bytes of records skipped inflate one), never above MAX_GROWTH', () => {
  const e = new WireEstimate();
  e.sample(5000, 1000);
  assert.equal(e.growth, 1);
  const bomb = new WireEstimate();
  bomb.sample(1, 10_000_000);
  assert.equal(bomb.growth, MAX_GROWTH);
});

test('an empty sample (no wire bytes, or nothing buffered) changes nothing', () => {
  const e = new WireEstimate();
  e.sample(0, 100);
  e.sample(100, 0);
  assert.equal(e.growth, UNSAMPLED_GROWTH);
  assert.equal(e.wireFor(300), 300);
});
