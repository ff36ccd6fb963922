import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchInfo, fetchUntilSatisfied, flush, makeBatch, makeStage, RECORD_BYTES } from './fixtures.js';
import { fetchTargetOf } from '../../../src/consumer/partition-stage.js';

function fedStage(maxBufferedRecords: number) {
  const made = makeStage({ limits: { maxRecords: 100_000, maxBytes: maxBufferedRecords * RECORD_BYTES, minFetchBytes: RECORD_BYTES } });
  made.waker.onWake = () => queueMicrotask(() => fetchUntilSatisfied(made.stage, made.budget));
  return made;
}

test('readableStream(): an unread stream asks no more than its queue holds', async () => {
  const { stage } = fedStage(50);
  const stream = stage.readableStream({ maxDemand: 8 });
  for (let i = 0; i < 5; i++) await flush();
  const s = stage.stats();
  assert.equal(s.deliveredOffset, 8, 'the queue filled to its high water mark');
  assert.equal(s.outstandingDemand, 0);
  assert.ok(s.bufferedRecords <= 50);
  await stream.cancel();
});

test('readableStream(): a slow reader; bounded buffer, delivery follows the pulls', async () => {
  const hwm = 8;
  const { stage } = fedStage(20);
  const reader = stage.readableStream({ maxDemand: hwm }).getReader();
  for (let consumed = 1; consumed <= 50; consumed++) {
    const { value, done } = await reader.read();
    assert.equal(done, false);
    assert.equal(value?.offset, consumed - 1);
    const s = stage.stats();
    assert.ok(s.bufferedBytes <= 20 * RECORD_BYTES);
    const queued = s.deliveredOffset - consumed;
    assert.ok(queued >= 0 && queued <= hwm, `${queued} records queued in the stream`);
    if (value) await stage.ack(value);
    await flush();
    await flush();
  }
  await reader.cancel();
  assert.equal(stage.stats().ackedOffset, 50);
  // Cancelling freed the stage.
  await stage.records().return?.();
});

test('readableStream(): revoke closes the stream after its queued records', async () => {
  const { stage } = makeStage();
  const reader = stage.readableStream({ maxDemand: 4 }).getReader();
  await flush();
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  const revoked = stage.revoke(60_000);
  const seen: number[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    seen.push(value.offset);
    await stage.ack(value);
  }
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.equal(await revoked, 4);
});

test('readableStream(): a fetch error errors the stream', async () => {
  const { stage } = makeStage();
  const reader = stage.readableStream({ maxDemand: 4 }).getReader();
  await flush();
  const failure = new Error('no offset');
  fetchTargetOf(stage).onFetchError(failure);
  await assert.rejects(reader.read(), (err) => err === failure);
});
