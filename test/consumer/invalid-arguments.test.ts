/**
 * Bad arguments to the subscriber's and the consumer's methods (issue 11 point 4): each one is an
 * InvalidArgumentError (`ERR_INVALID_ARGUMENT`, a KafkaStageError), acks nothing and leaves the
 * stage usable — never a RangeError, nor a TypeError thrown from inside the ack path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import type { Ackable, ConsumerBatch } from '../../src/consumer/types.js';
import { InvalidArgumentError, KafkaStageError } from '../../src/errors.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { fetchInfo, flush, makeBatch, makeStage } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

function isInvalidArgument(argument: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.ok(err instanceof KafkaStageError);
    assert.equal(err.code, 'ERR_INVALID_ARGUMENT');
    assert.equal(err.argument, argument);
    return true;
  };
}

/** A stage with records 0..9 delivered through ask/onRecords. */
async function stageWithDelivered(): Promise<{ stage: ReturnType<typeof makeStage>['stage']; got: KafkaRecord[] }> {
  const { stage } = makeStage();
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(10);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  assert.equal(got.length, 10);
  return { stage, got };
}

test('ask(n) with a negative, fractional or non-number n throws InvalidArgumentError and attaches nothing', () => {
  const { stage } = makeStage();
  for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number]) {
    assert.throws(() => stage.ask(n), isInvalidArgument('n'), `ask(${String(n)})`);
  }
  // Nothing was attached by the failed calls: another way of taking records is still free.
  assert.doesNotThrow(() => stage.records());
});

test('ack of something that is no record, batch or offset rejects with InvalidArgumentError and acks nothing', async () => {
  const { stage } = await stageWithDelivered();
  const bad: unknown[] = [null, undefined, 'x', -1, 2.5, Number.NaN, {}, { topic: 't', partition: 0 }, { topic: 't', partition: 0, records: [], firstOffset: 0 }];
  for (const item of bad) {
    let result: Promise<void> | undefined;
    // Must not throw synchronously either: a caller awaiting the promise would miss it.
    assert.doesNotThrow(() => {
      result = stage.ack(item as Ackable);
    }, `ack(${JSON.stringify(item)}) threw synchronously`);
    await assert.rejects(result as Promise<void>, isInvalidArgument('item'), `ack(${JSON.stringify(item)})`);
  }
  assert.equal(stage.stats().ackedOffset, 0, 'nothing acked');
  await stage.ack(0);
  assert.equal(stage.stats().ackedOffset, 1, 'the stage still takes acks');
});

test('ack of a record or batch of another partition rejects with InvalidArgumentError naming both partitions', async () => {
  const { stage, got } = await stageWithDelivered();
  const foreign = { ...(got[3] as KafkaRecord), partition: 1 };
  await assert.rejects(stage.ack(foreign), (err: unknown) => {
    isInvalidArgument('item')(err);
    assert.match((err as Error).message, /a record of t\/1 was acked on the stage of t\/0/);
    return true;
  });
  const batch: ConsumerBatch = { topic: 'u', partition: 0, records: got, firstOffset: 0, lastOffset: 9 };
  await assert.rejects(stage.ack(batch), isInvalidArgument('item'));
  assert.equal(stage.stats().ackedOffset, 0);
});

test('consumer.ack and consumer.commit with bad arguments reject with InvalidArgumentError before any I/O', async () => {
  // Never started: nothing connects; the checks come before any look-up of the partition.
  const consumer = new StandaloneConsumer({ brokers: ['127.0.0.1:1'], groupId: 'g', partitions: [{ topic: 't', partition: 0 }] });
  await assert.rejects(consumer.ack(null as unknown as ConsumerBatch), isInvalidArgument('item'));
  await assert.rejects(consumer.ack(7 as unknown as ConsumerBatch), isInvalidArgument('batch'));
  await assert.rejects(consumer.ack('t', 0, { nope: true } as unknown as Ackable), isInvalidArgument('item'));
  for (const offset of [-1, 1.5, Number.NaN]) {
    await assert.rejects(consumer.commit({ topic: 't', partition: 0, offset }), isInvalidArgument('target.offset'));
  }
});
