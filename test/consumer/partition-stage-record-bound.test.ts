/**
 * The buffer's record bound holds to one batch past it (I8). Fetch asks are sized in bytes from the
 * average record size, so records smaller than the average (the model test, random seed
 * 419676284: 21-record batches of empty values after one 190 B record) brought 1068 records into a
 * buffer bounded at 1000. Batches after the one that reaches the bound now stay in the log: the
 * position stops before them and the next fetch reads them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchInfo, makeBatch, makeStage } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

test('an answer with more records than the buffer has room for is taken up to the batch that reaches the bound', () => {
  const { stage } = makeStage({ limits: { maxRecords: 50, maxBytes: 10 * 1024 * 1024, minFetchBytes: 1 } });
  stage.ask(1000);
  const batches = Array.from({ length: 10 }, (_, i) => makeBatch(i * 10, i * 10 + 9));
  fetchTargetOf(stage).onFetched(batches, fetchInfo(100, { fetchOffset: 0 }));
  assert.equal(stage.stats().bufferedRecords, 50, 'five batches of ten fill the bound of 50');
  assert.equal(stage.fetchOffset, 50, 'the rest is fetched again from offset 50');
});

test('the batch that crosses the bound is kept whole (one batch past it), nothing after it, nothing lost', () => {
  const { stage } = makeStage({ limits: { maxRecords: 45, maxBytes: 10 * 1024 * 1024, minFetchBytes: 1 } });
  const seen: number[] = [];
  stage.onRecords((records) => {
    for (const r of records) seen.push(r.offset);
  });
  const batches = Array.from({ length: 10 }, (_, i) => makeBatch(i * 10, i * 10 + 9));
  fetchTargetOf(stage).onFetched(batches, fetchInfo(100, { fetchOffset: 0 }));
  assert.equal(stage.stats().bufferedRecords, 50);
  assert.equal(stage.fetchOffset, 50);
  fetchTargetOf(stage).onFetched(batches.slice(5), fetchInfo(100, { fetchOffset: 50 }));
  assert.equal(stage.stats().bufferedRecords, 50, 'still full: the answer from 50 waits');
  assert.equal(stage.fetchOffset, 50);
  stage.ask(100);
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    fetchTargetOf(stage).onFetched(batches.slice(5), fetchInfo(100, { fetchOffset: 50 }));
    stage.ask(100);
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => i), 'every offset once, in order');
    });
  });
});
