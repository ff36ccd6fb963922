import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { ConnectionClosedError, RequestTimeoutError } from '../../src/network/errors.js';
import { CorruptRecordError } from '../../src/protocol/errors.js';
import { decideOnFailure, type BatchFailureFacts } from '../../src/producer/error-policy.js';

const base: BatchFailureFacts = {
  error: null,
  idempotent: true,
  stampedWithCurrentEpoch: true,
  bumpPending: false,
  olderUnresolved: false,
};

function decide(error: unknown, facts: Partial<BatchFailureFacts> = {}) {
  return decideOnFailure({ ...base, ...facts, error });
}

test('retriable broker codes and network failures are retried', () => {
  for (const code of [5, 6, 7, 19, 20, 74]) assert.equal(decide(new KafkaError(code)), 'retry', `code ${code}`);
  assert.equal(decide(new ConnectionClosedError('gone')), 'retry');
  assert.equal(decide(new RequestTimeoutError('slow')), 'retry');
  assert.equal(decide(new KafkaError(6), { idempotent: false }), 'retry');
});

test('DUPLICATE_SEQUENCE_NUMBER is a success for an idempotent producer', () => {
  assert.equal(decide(new KafkaError(46)), 'success');
});

test('OUT_OF_ORDER_SEQUENCE: retried behind an unresolved older batch or after a bump, else fail and bump', () => {
  assert.equal(decide(new KafkaError(45), { olderUnresolved: true }), 'retry');
  assert.equal(decide(new KafkaError(45), { stampedWithCurrentEpoch: false }), 'retry');
  assert.equal(decide(new KafkaError(45), { bumpPending: true }), 'retry');
  assert.equal(decide(new KafkaError(45)), 'fail-and-bump');
  assert.equal(decide(new KafkaError(45), { idempotent: false }), 'fail');
});

test('UNKNOWN_PRODUCER_ID bumps the epoch and retries; INVALID_PRODUCER_EPOCH retries only stale batches', () => {
  assert.equal(decide(new KafkaError(59)), 'bump-and-retry');
  assert.equal(decide(new KafkaError(59), { stampedWithCurrentEpoch: false }), 'retry');
  assert.equal(decide(new KafkaError(47), { stampedWithCurrentEpoch: false }), 'retry');
  assert.equal(decide(new KafkaError(47)), 'fail-and-bump');
});

test('other errors fail the batch; an idempotent producer bumps to close the sequence gap', () => {
  assert.equal(decide(new KafkaError(10)), 'fail-and-bump');
  assert.equal(decide(new KafkaError(10), { idempotent: false }), 'fail');
  assert.equal(decide(new CorruptRecordError('bad')), 'fail-and-bump');
  assert.equal(decide(new Error('unexpected'), { idempotent: false }), 'fail');
});
