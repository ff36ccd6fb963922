import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideBatchFate, readProduceAnswer, type BatchFateFacts } from '../../src/producer/produce-answer.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { ConnectionError } from '../../src/network/errors.js';

type Answer = Parameters<typeof readProduceAnswer>[1];

function partition(index: number, errorCode = 0, baseOffset = 0n) {
  return { index, errorCode, baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null };
}

function answer(topics: { name?: string; topicId?: string; partitions: ReturnType<typeof partition>[] }[]): Answer {
  return {
    responses: topics.map((t) => ({ name: t.name ?? '', topicId: t.topicId ?? '', partitionResponses: t.partitions })),
    throttleTimeMs: 0,
  } as unknown as Answer;
}

test('each batch gets what the answer says of its partition, in the order the batches were sent', () => {
  const batches = [
    { topic: 't', partition: 1 },
    { topic: 't', partition: 0 },
    { topic: 'u', partition: 0 },
  ];
  const outcomes = readProduceAnswer(batches, answer([{ name: 't', partitions: [partition(0, 0, 10n), partition(1, 0, 20n)] }, { name: 'u', partitions: [partition(0, 0, 5n)] }]), 3, null);
  assert.deepEqual(outcomes, [
    { ok: true, baseOffset: 20, logAppendTime: -1 },
    { ok: true, baseOffset: 10, logAppendTime: -1 },
    { ok: true, baseOffset: 5, logAppendTime: -1 },
  ]);
});

test('an error code fails the batch; REQUEST_TIMED_OUT, NETWORK_EXCEPTION and NOT_ENOUGH_REPLICAS_AFTER_APPEND leave its fate unknown', () => {
  for (const [code, unknown] of [
    [7, true],
    [13, true],
    [20, true],
    [6, false],
    [10, false],
  ] as const) {
    const [outcome] = readProduceAnswer([{ topic: 't', partition: 0 }], answer([{ name: 't', partitions: [partition(0, code)] }]), 1, null);
    assert.ok(outcome && !outcome.ok);
    assert.ok(outcome.error instanceof KafkaError && outcome.error.errorCode === code);
    assert.equal(outcome.fateUnknown, unknown, `code ${code}`);
    assert.equal((outcome.error as KafkaError).context.broker, 1);
  }
});

test('a partition missing from the answer is a protocol error that says nothing of the fate; v13 answers name topics by id', () => {
  const [missing] = readProduceAnswer([{ topic: 't', partition: 2 }], answer([{ name: 't', partitions: [partition(0)] }]), 1, null);
  assert.ok(missing && !missing.ok && missing.error instanceof ProtocolError);
  assert.equal(missing.fateUnknown, undefined);
  const byId = readProduceAnswer([{ topic: 't', partition: 0 }], answer([{ topicId: 'id-t', partitions: [partition(0, 0, 7n)] }, { topicId: 'id-x', partitions: [partition(0)] }]), 1, new Map([['id-t', 't']]));
  assert.deepEqual(byId, [{ ok: true, baseOffset: 7, logAppendTime: -1 }]);
});

function fate(error: unknown, overrides: Partial<BatchFateFacts> = {}) {
  return decideBatchFate({ error, idempotent: true, stampedWithCurrentEpoch: true, bumpPending: false, olderUnresolved: false, createdAt: 0, now: 1_000, deliveryTimeoutMs: 120_000, ...overrides });
}

test('a retriable failure is retried until the delivery timeout, then fails as timed out, bumping an idempotent epoch', () => {
  const retriable = new ConnectionError('gone');
  assert.deepEqual(fate(retriable), { kind: 'retry', bumpEpoch: false });
  assert.deepEqual(fate(retriable, { now: 120_000 }), { kind: 'fail', bumpEpoch: true, timedOut: true });
  assert.deepEqual(fate(retriable, { now: 120_000, idempotent: false }), { kind: 'fail', bumpEpoch: false, timedOut: true });
});

test('UNKNOWN_PRODUCER_ID retries under a new epoch; past the timeout it fails, still bumping', () => {
  assert.deepEqual(fate(new KafkaError(59)), { kind: 'retry', bumpEpoch: true });
  assert.deepEqual(fate(new KafkaError(59), { now: 200_000 }), { kind: 'fail', bumpEpoch: true, timedOut: true });
});

test('a duplicate is a success; a fatal error fails at once, bumping when idempotent', () => {
  assert.deepEqual(fate(new KafkaError(46)), { kind: 'success' });
  assert.deepEqual(fate(new KafkaError(10)), { kind: 'fail', bumpEpoch: true, timedOut: false });
  assert.deepEqual(fate(new KafkaError(10), { idempotent: false }), { kind: 'fail', bumpEpoch: false, timedOut: false });
  assert.deepEqual(fate(new KafkaError(45)), { kind: 'fail', bumpEpoch: true, timedOut: false }, 'a sequence gap with nothing older unresolved');
});
