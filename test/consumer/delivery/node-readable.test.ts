import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaRecord } from '../../../src/protocol/records/types.js';
import { fetchInfo, fetchUntilSatisfied, flush, makeBatch, makeStage, RECORD_BYTES } from './fixtures.js';
import { fetchTargetOf } from '../../../src/consumer/partition-stage.js';

/** A stage whose fake scheduler answers every wake with what the stage wants. */
function fedStage(maxBufferedRecords: number) {
  const made = makeStage({ limits: { maxRecords: 100_000, maxBytes: maxBufferedRecords * RECORD_BYTES, minFetchBytes: RECORD_BYTES } });
  made.waker.onWake = () => queueMicrotask(() => fetchUntilSatisfied(made.stage, made.budget));
  return made;
}

test('readable(): no reading, no demand, no fetch', async () => {
  const { stage, budget } = fedStage(20);
  const readable = stage.readable({ maxDemand: 10 });
  await flush();
  assert.equal(stage.stats().outstandingDemand, 0);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0);
  readable.destroy();
});

test('readable(): a slow reader; the stage holds no more than its bound and delivers no more than the stream pulls', async () => {
  const hwm = 10;
  const { stage } = fedStage(20);
  const readable = stage.readable({ maxDemand: hwm });
  let consumed = 0;
  let expected = 0;
  for await (const value of readable) {
    const record = value as KafkaRecord;
    assert.equal(record.offset, expected++);
    consumed++;
    const s = stage.stats();
    assert.ok(s.bufferedBytes <= 20 * RECORD_BYTES, `buffered ${s.bufferedBytes} B`);
    const inStream = s.deliveredOffset - consumed;
    assert.ok(inStream >= 0 && inStream <= hwm, `${inStream} records delivered into the stream and not read`);
    assert.ok(s.outstandingDemand + readable.readableLength <= hwm);
    await stage.ack(record);
    // The slow part: a few turns of the event loop per record, enough for fetches to fill up.
    await flush();
    await flush();
    if (consumed === 60) break;
  }
  assert.equal(consumed, 60);
  const s = stage.stats();
  assert.equal(s.ackedOffset, 60);
  assert.ok(s.deliveredOffset <= 60 + hwm);
});

test('readable(): revoke ends the stream after the records already in it; their acks complete the drain', async () => {
  const { stage } = makeStage();
  const readable = stage.readable({ maxDemand: 5 });
  readable.pause();
  readable.read(0);
  fetchTargetOf(stage).onFetched([makeBatch(0, 19)], fetchInfo(20));
  await flush();
  assert.equal(readable.readableLength, 5, 'the stream took its high water mark');
  assert.equal(stage.stats().inFlight, 5);
  const revoked = stage.revoke(60_000);
  const seen: number[] = [];
  for await (const value of readable) {
    const record = value as KafkaRecord;
    seen.push(record.offset);
    await stage.ack(record);
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4]);
  assert.equal(await revoked, 5);
});

test('readable(): a standing fetch error destroys the stream; records it still held stay unacked', async () => {
  const { stage } = makeStage();
  const readable = stage.readable({ maxDemand: 5 });
  readable.pause();
  readable.read(0);
  fetchTargetOf(stage).onFetched([makeBatch(0, 1)], fetchInfo(20));
  await flush();
  const failure = new Error('no offset');
  fetchTargetOf(stage).onFetchError(failure);
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const value of readable) seen.push((value as KafkaRecord).offset);
    })(),
    (err) => err === failure,
  );
  // Node drops the queue of a destroyed stream: what was read is a prefix of what was delivered.
  assert.deepEqual(seen, [0, 1].slice(0, seen.length));
  assert.ok(seen.length >= 1);
  assert.equal(stage.committableOffset, 0, 'nothing acked, nothing committable');
  assert.equal(stage.stats().inFlight, 2);
});

test('readable(): destroying the stream frees the stage for another subscriber', async () => {
  const { stage } = makeStage();
  const readable = stage.readable();
  readable.destroy();
  await flush();
  const it = stage.records();
  await it.return?.();
});
