/**
 * The default retry budget against a broker failover: with KRaft's defaults a dead broker is fenced
 * after broker.session.timeout.ms (9 s) and its partitions (the group coordinator's among them)
 * get new leaders shortly after, so an operation retried with the default policy must still be
 * retrying then. Time is mocked: the test runs in milliseconds.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { DEFAULT_RETRY, RetriesExhaustedError, withRetry } from '../../src/cluster/retry.js';
import { KafkaStageError } from '../../src/errors.js';

/** KRaft's broker.session.timeout.ms default plus a leader election's few seconds. */
const FAILOVER_MS = 12_000;

/** Runs withRetry with the default policy against an operation failing until `healsAfterMs` of mocked time. */
async function retriedThroughOutage(healsAfterMs: number, random: () => number): Promise<{ result: unknown; attempts: number }> {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const realRandom = Math.random;
  Math.random = random;
  try {
    const started = Date.now();
    let attempts = 0;
    const run = withRetry(
      'commit',
      async () => {
        attempts++;
        if (Date.now() - started < healsAfterMs) throw new KafkaStageError('ERR_CONNECTION', 'connect ECONNREFUSED', { retriable: true });
        return 'ok';
      },
      DEFAULT_RETRY,
    );
    let settled = false;
    const outcome = run.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ).finally(() => {
      settled = true;
    });
    // Let each attempt run, then move the clock to the next timer; 10 s of mocked time per step at most.
    for (let i = 0; i < 10_000 && !settled; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      mock.timers.tick(10);
    }
    const out = await outcome;
    return { result: 'value' in out ? out.value : out.error, attempts };
  } finally {
    Math.random = realRandom;
    mock.timers.reset();
  }
}

test('default retry policy: an operation keeps retrying through a broker failover (12 s) whatever the jitter', async () => {
  for (const [name, random] of [['shortest backoffs', () => 0], ['longest backoffs', () => 0.999999]] as const) {
    const { result, attempts } = await retriedThroughOutage(FAILOVER_MS, random);
    assert.equal(result, 'ok', `${name}: gave up after ${attempts} attempts: ${result instanceof Error ? result.message : String(result)}`);
  }
});

test('default retry policy: still bounded, by retry.deadlineMs, for an outage that does not end', async () => {
  const { result } = await retriedThroughOutage(Number.MAX_SAFE_INTEGER, () => 0.5);
  assert.ok(result instanceof RetriesExhaustedError, String(result));
  assert.equal(result.code, 'ERR_RETRIES_EXHAUSTED');
});
