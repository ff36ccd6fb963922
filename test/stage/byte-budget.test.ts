import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteBudget } from '../../src/stage/byte-budget.js';

test('reservations never exceed the free bytes', () => {
  const b = new ByteBudget(1000);
  assert.equal(b.reserve(600), 600);
  assert.equal(b.reserve(600), 400, 'only what is left');
  assert.equal(b.reserve(1), 0);
  assert.equal(b.free, 0);
});

test('settling moves reserved bytes to held; releasing frees them', () => {
  const b = new ByteBudget(1000);
  b.reserve(500);
  b.settle(500, 300);
  assert.equal(b.reservedBytes, 0);
  assert.equal(b.heldBytes, 300);
  assert.equal(b.free, 700);
  b.release(300);
  assert.equal(b.free, 1000);
});

test('an overshooting response leaves no room until released', () => {
  const b = new ByteBudget(1000);
  b.reserve(1000);
  b.settle(1000, 1400);
  assert.equal(b.free, 0);
  assert.equal(b.reserve(10), 0);
  b.release(1400);
  assert.equal(b.free, 1000);
});
