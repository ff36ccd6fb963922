/**
 * Chaos defect D2: while the cluster is unreachable, a send must wait up to its deliveryTimeoutMs
 * (Java delivery.timeout.ms), not fail when one metadata or InitProducerId retry budget runs out.
 * The fake broker answers nothing useful for a while (connections closed, or
 * COORDINATOR_NOT_AVAILABLE), far longer than the retry budget, then recovers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryTimeoutError } from '../../src/producer/errors.js';
import type { ProducerOptions } from '../../src/producer/producer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { logOf, useFakeCluster } from './use-fake-cluster.js';

/** A retry budget that runs out after a few tens of ms: the outage below lasts 10× longer. */
const shortRetry = { retries: 2, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 100 };
const OUTAGE_MS = 1_000;

const world = useFakeCluster();

/** A fake cluster whose Metadata (or InitProducerId) fails while `setDown(true)` holds. */
async function setUp(fail: 'metadata' | 'init', options: Partial<ProducerOptions>) {
  const kafka = await world.start({ t: 1 });
  const producer = world.producer({ lingerMs: 0, retry: shortRetry, ...options });
  return {
    kafka,
    producer,
    setDown(down: boolean): void {
      if (!down) kafka.clearFaults();
      // While down the broker closes the connection instead of answering Metadata, or answers
      // InitProducerId with COORDINATOR_NOT_AVAILABLE.
      else if (fail === 'metadata') kafka.loseAnswer('Metadata', { how: 'close', times: Infinity });
      else kafka.fail('InitProducerId', 'COORDINATOR_NOT_AVAILABLE', { times: Infinity });
    },
    /** Requests the fake broker refused while down (Metadata closed, or InitProducerId failed). */
    refused: (): number =>
      fail === 'metadata'
        ? kafka.requests('Metadata').filter((r) => r.answer === 'closed').length
        : kafka.requests('InitProducerId').filter((r) => r.injectedError === ErrorCode.COORDINATOR_NOT_AVAILABLE).length,
  };
}

test('metadata unreachable for longer than the retry budget: the send waits and is delivered once the cluster answers', async () => {
  const { kafka, producer, setDown } = await setUp('metadata', { idempotent: false, acks: 1, deliveryTimeoutMs: 30_000 });
  setDown(true);
  const sent = producer.send('t', { value: 'after the outage' });
  const outcome = sent.then(
    (m) => ({ ok: true as const, at: Date.now(), offset: m.offset }),
    (e: unknown) => ({ ok: false as const, at: Date.now(), error: e }),
  );
  const healAt = Date.now() + OUTAGE_MS;
  setTimeout(() => setDown(false), OUTAGE_MS);
  const result = await outcome;
  assert.ok(result.ok, `send failed ${healAt - result.at} ms before the cluster came back: ${result.ok ? '' : String(result.error)}`);
  assert.deepEqual((await logOf(kafka, 't', 0)).map((r) => r.value), ['after the outage']);
});

test('InitProducerId failing for longer than the retry budget: idempotent sends wait and are delivered once it answers', async () => {
  const { kafka, producer, setDown } = await setUp('init', { deliveryTimeoutMs: 30_000 });
  setDown(true);
  const sent = Promise.all([0, 1, 2].map((i) => producer.send('t', { value: `v${i}` })));
  const outcome = sent.then(
    () => ({ ok: true as const, at: Date.now() }),
    (e: unknown) => ({ ok: false as const, at: Date.now(), error: e }),
  );
  const healAt = Date.now() + OUTAGE_MS;
  setTimeout(() => setDown(false), OUTAGE_MS);
  const result = await outcome;
  assert.ok(result.ok, `sends failed ${healAt - result.at} ms before InitProducerId answered: ${result.ok ? '' : String(result.error)}`);
  const log = await logOf(kafka, 't', 0);
  assert.deepEqual(log.map((r) => r.value), ['v0', 'v1', 'v2']);
  // Written with the producer id obtained after the outage: every InitProducerId before the last
  // refused one failed, and the records carry the id the producer holds now.
  const inits = kafka.requests('InitProducerId');
  const lastRefused = inits.findLastIndex((r) => r.injectedError !== null);
  assert.ok(lastRefused >= 0 && inits.slice(0, lastRefused).every((r) => r.injectedError !== null), 'no id handed out during the outage');
  assert.ok(log.every((r) => r.producerId === producer.producerId.producerId), 'written with the producer id obtained after the outage');
});

for (const fail of ['metadata', 'init'] as const) {
  test(`${fail} never answering: the send rejects with DeliveryTimeoutError once deliveryTimeoutMs passed, not before`, async () => {
    const deliveryTimeoutMs = 600;
    const { producer, setDown, refused } = await setUp(fail, { deliveryTimeoutMs, requestTimeoutMs: 500, ...(fail === 'metadata' ? { idempotent: false, acks: 1 as const } : {}) });
    setDown(true);
    const started = Date.now();
    const error = await producer.send('t', { value: 'never' }).then(
      () => assert.fail('delivered'),
      (e: unknown) => e,
    );
    const ms = Date.now() - started;
    const refusedBefore = refused();
    assert.ok(error instanceof DeliveryTimeoutError, `DeliveryTimeoutError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_DELIVERY_TIMEOUT');
    assert.ok(ms >= deliveryTimeoutMs - 5, `rejected after ${ms} ms`);
    // The first refused attempt is known within tens of ms (an attempt's failure counts, not only a
    // whole retry run's): by the deadline a cause exists.
    assert.ok(error.cause instanceof Error, `the last failure is the cause (${refusedBefore} requests refused before)`);
  });
}

test('a send expiring while the metadata load is still retrying names the failed attempt as its cause', async () => {
  // The load retries for 5 s, far past the send's 400 ms: no load ends before the send expires.
  const { producer, setDown, refused } = await setUp('metadata', {
    idempotent: false,
    acks: 1,
    deliveryTimeoutMs: 400,
    requestTimeoutMs: 300,
    retry: { retries: 1000, initialBackoffMs: 20, maxBackoffMs: 20, deadlineMs: 5_000 },
  });
  setDown(true);
  const error = await producer.send('t', { value: 'never' }).then(
    () => assert.fail('delivered'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof DeliveryTimeoutError, `DeliveryTimeoutError, got ${String(error)}`);
  assert.ok(refused() >= 2, `the broker refused ${refused()} Metadata requests`);
  assert.ok(error.cause instanceof Error && /closed/.test(error.cause.message), `the failed attempt is the cause, got ${String(error.cause)}`);
});
