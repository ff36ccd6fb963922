/**
 * The onFailure policy without a broker: option validation, backoff bounds, attempt counting, and
 * the stage's side (nack, a manual handler that throws, attempts on re-delivered records).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { deadLetterRecord, DEAD_LETTER_ERROR_MAX_CHARS, DEAD_LETTER_HEADERS } from '../../src/consumer/dead-letter.js';
import { resolveFailurePolicy, resolveFailurePolicyOption, retryDelay } from '../../src/consumer/failure-policy.js';
import { PartitionFailures } from '../../src/consumer/failure-state.js';
import type { FailureSink, PartitionStage } from '../../src/consumer/partition-stage.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { InvalidArgumentError, InvalidOptionError } from '../../src/errors.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { fetchInfo, fetchOnce, flush, makeBatch, makeRecord, makeStage } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

/** A failure sink that records what it hears and, as the stage host does, stops the stage's delivery. */
class RecordingFailures implements FailureSink {
  readonly calls: { offsets: number[]; error: Error }[] = [];
  failed(stage: PartitionStage, offsets: readonly number[], error: Error): void {
    this.calls.push({ offsets: [...offsets], error });
    void stage.revoke(0, 'failed');
  }
}

test('policy defaults: retry 200 ms .. 30 s, 10 attempts, then stop; a deadLetter topic makes exhausted deadLetter', () => {
  assert.deepEqual(resolveFailurePolicy('onFailure', {}), { retry: { initialMs: 200, maxMs: 30_000, maxAttempts: 10 }, exhausted: 'stop', deadLetter: null });
  const dl = resolveFailurePolicy('onFailure', { retry: { maxAttempts: 2 }, deadLetter: { topic: 'dlt' } });
  assert.equal(dl.exhausted, 'deadLetter');
  assert.equal(dl.retry.maxAttempts, 2);
  assert.equal(resolveFailurePolicy('onFailure', { deadLetter: { topic: 'dlt' }, exhausted: 'stop' }).exhausted, 'stop');
  assert.equal(resolveFailurePolicy('onFailure', { retry: { maxAttempts: Number.POSITIVE_INFINITY } }).retry.maxAttempts, Number.POSITIVE_INFINITY);
});

test('invalid policies throw InvalidOptionError naming the option', () => {
  const cases: [unknown, string][] = [
    [{ exhausted: 'deadLetter' }, 'onFailure.deadLetter'],
    [{ retry: { maxAttempt: 3 } }, 'onFailure.retry.maxAttempt'],
    [{ retries: 3 }, 'onFailure.retries'],
    [{ retry: { maxAttempts: 0 } }, 'onFailure.retry.maxAttempts'],
    [{ retry: { initialMs: 500, maxMs: 100 } }, 'onFailure.retry.maxMs'],
    [{ exhausted: 'skip' }, 'onFailure.exhausted'],
    [{ deadLetter: { topic: '' } }, 'onFailure.deadLetter.topic'],
    [{ deadLetter: {} }, 'onFailure.deadLetter.topic'],
    [{ deadLetter: { topic: 'x', partition: 1 } }, 'onFailure.deadLetter.partition'],
    ['retry', 'onFailure'],
  ];
  for (const [value, option] of cases) {
    assert.throws(() => resolveFailurePolicy('onFailure', value), (err: unknown) => err instanceof InvalidOptionError && err.option === option, JSON.stringify(value));
  }
});

test('onFailure on the consumers: checked in the constructor; a per-partition function is checked when it answers', () => {
  const base = { brokers: '127.0.0.1:1', groupId: 'g', topics: ['t'] };
  assert.throws(() => new ConsumerGroup({ ...base, onFailure: { retry: { intialMs: 5 } } as never }), { code: 'ERR_INVALID_OPTION', option: 'onFailure.retry.intialMs' });
  assert.throws(() => new StandaloneConsumer({ brokers: '127.0.0.1:1', partitions: [{ topic: 't', partition: 0 }], onFailure: { exhausted: 'deadLetter' } }), {
    code: 'ERR_INVALID_OPTION',
    option: 'onFailure.deadLetter',
  });
  const source = resolveFailurePolicyOption((tp) => (tp.partition === 0 ? { retry: { maxAttempts: 1 } } : ({ exhausted: 'never' } as never)));
  assert.equal(source.policyFor({ topic: 't', partition: 0 }).retry.maxAttempts, 1);
  assert.throws(() => source.policyFor({ topic: 't', partition: 1 }), { code: 'ERR_INVALID_OPTION', option: 'onFailure(t/1).exhausted' });
  const throwing = resolveFailurePolicyOption(() => {
    throw new Error('boom');
  });
  assert.throws(() => throwing.policyFor({ topic: 't', partition: 0 }), { code: 'ERR_INVALID_OPTION', option: 'onFailure' });
});

test('retry backoff: exponential from initialMs, half of it random, capped at maxMs', () => {
  const retry = { initialMs: 200, maxMs: 30_000 };
  assert.equal(retryDelay(1, retry, () => 0), 100);
  assert.equal(retryDelay(1, retry, () => 1), 200);
  assert.equal(retryDelay(3, retry, () => 0), 400);
  assert.equal(retryDelay(3, retry, () => 1), 800);
  assert.equal(retryDelay(20, retry, () => 0), 15_000);
  assert.equal(retryDelay(20, retry, () => 1), 30_000);
  assert.equal(retryDelay(5, { initialMs: 0, maxMs: 0 }), 0);
});

test('attempts: the worked example of failure-state.ts', () => {
  const f = new PartitionFailures();
  assert.equal(f.attemptOf(7), 1);
  const first = f.fail(7, 7, 50, new Error('a'));
  assert.deepEqual([first.offset, first.failures, first.attempts], [7, 1, 1]);
  assert.equal(f.attemptOf(7), 2);
  assert.equal(f.attemptOf(49), 2);
  assert.equal(f.attemptOf(50), 1, 'never delivered: first attempt');
  const second = f.fail(7, 7, 50, new Error('b'));
  assert.deepEqual([second.failures, second.attempts], [2, 2]);
  assert.equal(f.attemptOf(7), 3);
  const other = f.fail(9, 9, 50, new Error('c'));
  assert.deepEqual([other.offset, other.failures, other.attempts], [9, 1, 3]);
  assert.equal(f.attemptOf(9), 4);
  assert.equal(f.attemptOf(8), 3);
  f.resetFailures();
  assert.equal(f.current?.failures, 0);
  // A subscriber that threw holding nothing: a failure without deliveries.
  const empty = new PartitionFailures().fail(100, 100, 100, new Error('d'));
  assert.deepEqual([empty.failures, empty.attempts], [1, 1]);
});

test('nack(batch): the failure sink hears the unacked offsets of the batch; the stage stops delivering (signal reason failed)', async () => {
  const failures = new RecordingFailures();
  const { stage, budget } = makeStage({ failureSink: failures });
  const it = stage.batches({ maxDemand: 10, minDemand: 0 });
  const pending = it.next();
  fetchOnce(stage, budget);
  const batch = (await pending).value;
  assert.ok(batch);
  await stage.ack(batch.records[0] as KafkaRecord);
  const err = new Error('handler failed');
  assert.equal(stage.nack(batch, err), true);
  assert.deepEqual(failures.calls[0]?.offsets, batch.records.slice(1).map((r) => r.offset));
  assert.equal(failures.calls[0]?.error, err);
  assert.equal(stage.signal.aborted, true);
  assert.equal((stage.signal.reason as InvalidArgumentError).context.reason, 'failed');
  assert.equal((await it.next()).done, true);
  // Not delivering any more: a second nack does nothing.
  assert.equal(stage.nack(batch, err), false);
  assert.equal(failures.calls.length, 1);
});

test('nack: an acked or never delivered record fails nothing; a record of another partition is an InvalidArgumentError; a non-Error is wrapped', async () => {
  const failures = new RecordingFailures();
  const { stage, budget } = makeStage({ failureSink: failures });
  const it = stage.records({ maxDemand: 5 });
  const pending = it.next();
  fetchOnce(stage, budget);
  const first = (await pending).value as KafkaRecord;
  await stage.ack(first);
  assert.equal(stage.nack(first, new Error('x')), false, 'acked');
  assert.equal(stage.nack(40, new Error('x')), false, 'never delivered');
  assert.throws(() => stage.nack(makeRecord(1, 't', 3), new Error('x')), InvalidArgumentError);
  assert.throws(() => stage.nack(null as never, new Error('x')), InvalidArgumentError);
  const second = (await it.next()).value as KafkaRecord;
  assert.equal(stage.nack(second, 'plain string'), true);
  assert.equal(failures.calls[0]?.error.message, 'plain string');
  assert.deepEqual(failures.calls[0]?.offsets, [second.offset]);
});

test('a manual handler that throws without onError is a subscriber failure (no uncaught exception)', async () => {
  const failures = new RecordingFailures();
  const { stage, budget } = makeStage({ failureSink: failures });
  stage.onRecords(() => {
    throw new Error('handler threw');
  });
  stage.ask(3);
  fetchOnce(stage, budget);
  await flush();
  assert.equal(failures.calls.length, 1);
  assert.equal(failures.calls[0]?.error.message, 'handler threw');
  assert.deepEqual(failures.calls[0]?.offsets, [0, 1, 2]);
});

test('a stage re-delivering after failures sets record.attempt from the rewinds; records past them stay at 1', async () => {
  const history = new PartitionFailures();
  history.fail(3, 3, 6, new Error('a'));
  history.fail(3, 3, 5, new Error('b'));
  const { stage } = makeStage({ startOffset: 3, redelivery: history });
  const it = stage.records({ maxDemand: 10 });
  const pending = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(3, 9)], fetchInfo(10));
  const attempts = [((await pending).value as KafkaRecord).attempt];
  for (let i = 0; i < 6; i++) attempts.push(((await it.next()).value as KafkaRecord).attempt);
  // 3 and 4 were delivered in both rewinds, 5 in the first, 6-9 never.
  assert.deepEqual(attempts, [3, 3, 2, 1, 1, 1, 1]);
});

test('a dead-letter record keeps key, value and headers and adds the dlt headers; the error message is bounded', () => {
  const record: KafkaRecord = { ...makeRecord(42, 'orders', 3), key: Buffer.from('k'), headers: [{ key: 'trace', value: Buffer.from('abc') }], timestamp: 1_700_000_000_000 };
  const out = deadLetterRecord(record, 2, new Error('x'.repeat(5000)));
  assert.equal(out.key, record.key);
  assert.equal(out.value, record.value);
  const headers = out.headers as { key: string; value: Buffer | string | null }[];
  assert.deepEqual(headers[0], { key: 'trace', value: record.headers[0]?.value });
  const byKey = new Map(headers.map((h) => [h.key, h.value]));
  const h = DEAD_LETTER_HEADERS;
  assert.equal(byKey.get(h.topic), 'orders');
  assert.equal(byKey.get(h.partition), '3');
  assert.equal(byKey.get(h.offset), '42');
  assert.equal(byKey.get(h.timestamp), '1700000000000');
  assert.equal(byKey.get(h.attempts), '2');
  assert.equal((byKey.get(h.error) as string).length, DEAD_LETTER_ERROR_MAX_CHARS);
});
