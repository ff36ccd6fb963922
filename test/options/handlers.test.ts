/**
 * A handler argument that is not a function is refused where it is given (onRecords), with a typed
 * error naming it, instead of failing as a subscriber error at the first hand-out of records.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { fetchInfo, flush, makeBatch, makeStage } from '../consumer/delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

const loose = <T>(value: unknown): T => value as T;

function namesArgument(argument: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    assert.equal(err.argument, argument);
    return true;
  };
}

test('onRecords(handler, onError) with a non-function throws InvalidArgumentError at once; the stage stays usable', async () => {
  const { stage } = makeStage();
  for (const bad of [undefined, null, 'handler', 42, {}, []]) {
    assert.throws(() => stage.onRecords(loose(bad)), namesArgument('handler'), String(bad));
    assert.throws(() => stage.onRecords(() => undefined, loose(bad === undefined ? 'x' : bad)), namesArgument('onError'), String(bad));
  }
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(3);
  fetchTargetOf(stage).onFetched([makeBatch(0, 2)], fetchInfo(3));
  await flush();
  assert.deepEqual(
    got.map((r) => r.offset),
    [0, 1, 2],
  );
});
