/**
 * A partition whose log starts with a long run of offsets it never delivers (control batches,
 * aborted transactions under read_committed) must get through that run in a few round trips, not at
 * a first-ask size per round trip: before any record was seen the stage asks a small first fetch,
 * and it kept asking exactly that for as long as answers brought nothing to buffer (the model-based
 * test, seed 426701264: 5000 aborted one-record transactions read at 512 B per Fetch).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIRST_FETCH_BYTES } from '../../src/stage/partition-buffer.js';
import { fetchInfo, makeBatch, makeStage } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

test('answers that bring only skipped offsets grow the next ask (doubling, up to the room) until a record is seen', () => {
  const { stage, budget } = makeStage({ limits: { maxRecords: 1000, maxBytes: 64 * 1024, minFetchBytes: 1 } });
  stage.ask(1000);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), FIRST_FETCH_BYTES);
  let offset = 0;
  const asks: number[] = [];
  for (let round = 0; round < 10; round++) {
    // Three control batches per answer: nothing to buffer, the position moves past them.
    const batches = [0, 1, 2].map((i) => makeBatch(offset + i, offset + i, { isControl: true, producerId: 7n }));
    fetchTargetOf(stage).onFetched(batches, fetchInfo(100_000, { fetchOffset: offset }));
    offset += 3;
    assert.equal(stage.fetchOffset, offset);
    asks.push(fetchTargetOf(stage).fetchBytesWanted(budget.free));
  }
  assert.deepEqual(asks.slice(0, 4), [2 * FIRST_FETCH_BYTES, 4 * FIRST_FETCH_BYTES, 8 * FIRST_FETCH_BYTES, 16 * FIRST_FETCH_BYTES]);
  assert.equal(asks.at(-1), 64 * 1024, 'never past the buffer room');
  // A record seen: asks follow the record sizes again.
  fetchTargetOf(stage).onFetched([makeBatch(offset, offset + 9)], fetchInfo(100_000, { fetchOffset: offset }));
  assert.ok(fetchTargetOf(stage).fetchBytesWanted(budget.free) < 64 * 1024);
});

test('an answer that brings records resets nothing: a skipped run after records does not shrink the ask below the sized one', () => {
  const { stage, budget } = makeStage({ limits: { maxRecords: 1000, maxBytes: 64 * 1024, minFetchBytes: 1 } });
  stage.ask(1000);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(100_000, { fetchOffset: 0 }));
  const sized = fetchTargetOf(stage).fetchBytesWanted(budget.free);
  fetchTargetOf(stage).onFetched([makeBatch(10, 10, { isControl: true, producerId: 7n })], fetchInfo(100_000, { fetchOffset: 10 }));
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), sized);
});
