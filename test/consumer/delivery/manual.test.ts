import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaRecord } from '../../../src/protocol/records/types.js';
import { fetchInfo, flush, makeBatch, makeStage } from './fixtures.js';
import { fetchTargetOf } from '../../../src/consumer/partition-stage.js';

test('manual: records only against asks; asked before the handler is set, delivered once it is', async () => {
  const { stage } = makeStage();
  stage.ask(3);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  assert.equal(stage.stats().deliveredOffset, 0, 'no handler, nothing taken');
  const got: number[][] = [];
  stage.onRecords((records) => got.push(records.map((r) => r.offset)));
  await flush();
  assert.deepEqual(got, [[0, 1, 2]]);
  await flush();
  assert.deepEqual(got, [[0, 1, 2]], 'no more without an ask');
});

test('manual: a handler that asks again is called again from a microtask, not recursively', async () => {
  const { stage } = makeStage();
  let depth = 0;
  let maxDepth = 0;
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => {
    depth++;
    maxDepth = Math.max(maxDepth, depth);
    got.push(...records);
    if (got.length < 6) stage.ask(2);
    depth--;
  });
  stage.ask(2);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  assert.deepEqual(
    got.map((r) => r.offset),
    [0, 1, 2, 3, 4, 5],
  );
  assert.equal(maxDepth, 1);
});

test('manual: a throwing handler reports to onError; a fetch error reaches onError once', async () => {
  const { stage } = makeStage();
  const errors: Error[] = [];
  const boom = new Error('handler bug');
  stage.onRecords(
    () => {
      throw boom;
    },
    (err) => errors.push(err),
  );
  stage.ask(2);
  fetchTargetOf(stage).onFetched([makeBatch(0, 0)], fetchInfo(10));
  await flush();
  assert.deepEqual(errors, [boom]);
  const failure = new Error('out of range');
  fetchTargetOf(stage).onFetchError(failure);
  await flush();
  fetchTargetOf(stage).onFetchError(failure);
  await flush();
  assert.deepEqual(errors, [boom, failure]);
});

test('manual: asks after the stage stopped are ignored', async () => {
  const { stage } = makeStage();
  stage.onRecords(() => assert.fail('nothing may be delivered after revoke'));
  await stage.revoke(0);
  stage.ask(5);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  assert.equal(stage.stats().outstandingDemand, 0);
});
