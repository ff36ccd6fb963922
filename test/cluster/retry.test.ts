import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, RetriesExhaustedError, withRetry } from '../../src/cluster/retry.js';
import { KafkaStageError } from '../../src/errors.js';

const fast = { retries: 3, initialBackoffMs: 1, maxBackoffMs: 4, deadlineMs: 10_000 };
const retriable = () => new KafkaStageError('ERR_CONNECTION', 'down', { retriable: true });

test('backoff grows exponentially, is capped, and is never below half its ceiling', () => {
  const opts = { initialBackoffMs: 100, maxBackoffMs: 1000 };
  assert.equal(backoffDelay(1, opts, () => 0), 50);
  assert.equal(backoffDelay(1, opts, () => 1), 100);
  assert.equal(backoffDelay(3, opts, () => 1), 400);
  assert.equal(backoffDelay(10, opts, () => 1), 1000);
  assert.equal(backoffDelay(1000, opts, () => 0), 500);
});

test('retriable errors are retried until success', async () => {
  let calls = 0;
  const value = await withRetry('op', async () => {
    calls++;
    if (calls < 3) throw retriable();
    return 'ok';
  }, fast);
  assert.equal(value, 'ok');
  assert.equal(calls, 3);
});

test('non-retriable errors are thrown at once', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry('op', async () => {
      calls++;
      throw new KafkaStageError('ERR_PROTOCOL', 'bad');
    }, fast),
    (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_PROTOCOL',
  );
  assert.equal(calls, 1);
});

test('retries run out with a typed error carrying the cause', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry('op', async () => {
      calls++;
      throw retriable();
    }, fast),
    (err: unknown) => {
      assert.ok(err instanceof RetriesExhaustedError);
      assert.equal(err.code, 'ERR_RETRIES_EXHAUSTED');
      assert.ok(err.cause instanceof KafkaStageError);
      return true;
    },
  );
  assert.equal(calls, fast.retries + 1);
});

test('the deadline bounds retrying even with retries left', async () => {
  const started = Date.now();
  await assert.rejects(
    withRetry('op', async () => {
      throw retriable();
    }, { retries: 1_000_000, initialBackoffMs: 5, maxBackoffMs: 10, deadlineMs: 100 }),
    RetriesExhaustedError,
  );
  assert.ok(Date.now() - started < 1000);
});
