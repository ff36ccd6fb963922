/**
 * Authorization failures reach `send()` at once, typed and naming the resource, after exactly one
 * request: Metadata with TOPIC_AUTHORIZATION_FAILED for the topic, Produce with it for a
 * partition, InitProducerId with CLUSTER_AUTHORIZATION_FAILED or
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED. Retries are generous (50 attempts, 10 s) so a retry loop
 * would show as extra requests and time.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Producer } from '../../src/producer/producer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import type { AuthorizationError } from '../../src/protocol/kafka-error.js';
import { ClusterAuthorizationError, KafkaError, TopicAuthorizationError, TransactionalIdAuthorizationError } from '../../src/protocol/kafka-error.js';
import type { FakeApi, FakeKafkaCluster } from '../../src/testing/index.js';
import { useFakeCluster } from './use-fake-cluster.js';

const T = { timeout: 20_000 };
const retry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 10_000 };
const world = useFakeCluster();

async function setUp(idempotent: boolean): Promise<{ kafka: FakeKafkaCluster; producer: Producer }> {
  const kafka = await world.start({ t: 2 });
  return { kafka, producer: world.producer({ lingerMs: 0, retry, idempotent }) };
}

/** The rejection of `send` and how long it took. */
async function rejectionOf(send: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const began = Date.now();
  const error = await send.then(
    () => null,
    (err: unknown) => err,
  );
  return { error, ms: Date.now() - began };
}

function count(k: FakeKafkaCluster, api: FakeApi): number {
  return k.requests(api).length;
}

function assertNotRetriable(error: AuthorizationError, ms: number): void {
  assert.ok(error instanceof KafkaError, 'still a KafkaError');
  assert.equal(error.retriable, false);
  assert.ok(ms < 1_000, `reached the caller in ${ms} ms`);
}

it('Metadata TOPIC_AUTHORIZATION_FAILED for the topic: send() rejects with TopicAuthorizationError naming it, one Metadata request for it', T, async () => {
  const { kafka, producer } = await setUp(false);
  kafka.fail('Metadata', 'TOPIC_AUTHORIZATION_FAILED', { topic: 'secret', times: Infinity });
  const { error, ms } = await rejectionOf(producer.send('secret', { value: 'x' }));
  assert.ok(error instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_TOPIC_AUTHORIZATION');
  assert.deepEqual(error.topics, ['secret']);
  assert.match(error.message, /secret/);
  assertNotRetriable(error, ms);
  const asked = kafka.requests('Metadata').filter((r) => r.partitions.some((p) => p.topic === 'secret'));
  assert.equal(asked.length, 1, 'one Metadata request for the topic');
  assert.equal(asked[0]?.injectedError, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
});

for (const idempotent of [false, true]) {
  it(`Produce TOPIC_AUTHORIZATION_FAILED (idempotent ${idempotent}): send() rejects with TopicAuthorizationError naming the partition, one Produce request`, T, async () => {
    const { kafka, producer } = await setUp(idempotent);
    kafka.fail('Produce', 'TOPIC_AUTHORIZATION_FAILED', { topic: 't', partition: 1, times: Infinity });
    const { error, ms } = await rejectionOf(producer.send('t', { value: 'x', partition: 1 }));
    assert.ok(error instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(error)}`);
    assert.deepEqual(error.topics, ['t']);
    assert.equal(error.context.partition, 1);
    assert.equal(error.context.api, 'Produce');
    assertNotRetriable(error, ms);
    assert.equal(count(kafka, 'Produce'), 1);
  });
}

for (const [code, type] of [
  ['CLUSTER_AUTHORIZATION_FAILED', ClusterAuthorizationError],
  ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', TransactionalIdAuthorizationError],
] as const) {
  it(`InitProducerId error ${code}: send() rejects with ${type.name}, one InitProducerId request`, T, async () => {
    const { kafka, producer } = await setUp(true);
    kafka.fail('InitProducerId', code, { times: Infinity });
    const { error, ms } = await rejectionOf(producer.send('t', { value: 'x', partition: 0 }));
    assert.ok(error instanceof type, `${type.name}, got ${String(error)}`);
    assert.equal(error.context.api, 'InitProducerId');
    assertNotRetriable(error, ms);
    assert.equal(count(kafka, 'InitProducerId'), 1);
    assert.equal(count(kafka, 'Produce'), 0);
  });
}
