/**
 * Chaos defect D2: while the cluster is unreachable, a send must wait up to its deliveryTimeoutMs
 * (Java delivery.timeout.ms), not fail when one metadata or InitProducerId retry budget runs out.
 * The fake broker answers nothing useful for a while (connections closed, or
 * COORDINATOR_NOT_AVAILABLE), far longer than the retry budget, then recovers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InitProducerId } from '../../src/protocol/apis/init-producer-id.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { DeliveryTimeoutError } from '../../src/producer/errors.js';
import type { ProducerOptions } from '../../src/producer/producer.js';
import type { ResponseIn } from '../../src/protocol/schema.js';
import { useFakeKafka } from './use-fake-kafka.js';

/** A retry budget that runs out after a few tens of ms: the outage below lasts 10× longer. */
const shortRetry = { retries: 2, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 100 };
const OUTAGE_MS = 1_000;

const world = useFakeKafka();

type MetadataOf = (names: string[] | null) => ResponseIn<typeof Metadata>;

/** A fake cluster whose Metadata (or InitProducerId) fails while `down()` says so. */
async function setUp(fail: 'metadata' | 'init', options: Partial<ProducerOptions>) {
  const kafka = await world.start({ t: 1 });
  let down = false;
  /** Requests the fake broker refused while down (Metadata closed, or InitProducerId failed). */
  let refused = 0;
  const metadataOf = (kafka as unknown as { metadata: MetadataOf }).metadata.bind(kafka);
  if (fail === 'metadata') {
    kafka.broker.handle(Metadata, (req) => {
      if (!down) return { body: metadataOf(req.decode().topics?.map((t) => t.name ?? '') ?? null) };
      refused++;
      return 'close';
    });
  } else {
    let id = 5000n;
    kafka.broker.handle(InitProducerId, () => {
      if (down) refused++;
      return { body: { throttleTimeMs: 0, errorCode: down ? 15 : 0, producerId: down ? -1n : id++, producerEpoch: down ? -1 : 0 } };
    });
  }
  const producer = world.producer({ lingerMs: 0, retry: shortRetry, ...options });
  return {
    kafka,
    producer,
    setDown(value: boolean): void {
      down = value;
    },
    refused: () => refused,
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
  assert.deepEqual(kafka.log('t', 0).map((r) => r.value), ['after the outage']);
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
  assert.deepEqual(kafka.log('t', 0).map((r) => r.value), ['v0', 'v1', 'v2']);
  assert.ok(kafka.log('t', 0).every((r) => r.producerId >= 5000n), 'written with the producer id obtained after the outage');
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
    // One run (withRetry: retries 2, so at most 3 attempts) fails before the next request goes: a
    // fourth refusal means a failure was known before the send expired. A machine that stalled for
    // the whole deliveryTimeoutMs may expire the send before anything failed, and then no cause exists.
    if (refusedBefore >= 4) assert.ok(error.cause instanceof Error, `the last failure is the cause (${refusedBefore} requests refused before)`);
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
