import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { FetchTarget } from '../../src/consumer/fetch-target.js';
import { PartitionStage, fetchTargetOf } from '../../src/consumer/partition-stage.js';
import { recordSizeInBytes, RECORD_OVERHEAD_BYTES } from '../../src/stage/buffered-size.js';
import { StageBusyError } from '../../src/consumer/errors.js';
import { InvalidArgumentError, KafkaStageError } from '../../src/errors.js';
import { decodeRecordBatchesSync, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import type { KafkaRecord, RecordBatch } from '../../src/protocol/records/types.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { FIRST_FETCH_BYTES } from '../../src/stage/partition-buffer.js';
import {
  fetchInfo,
  fetchOnce,
  fetchUntilSatisfied,
  flush,
  makeBatch,
  makeStage,
  RECORD_BYTES,
} from './delivery/fixtures.js';

const offsets = (records: readonly KafkaRecord[]) => records.map((r) => r.offset);

test('record size: key + value + header bytes + a fixed overhead', () => {
  const record: KafkaRecord = {
    topic: 't',
    partition: 0,
    offset: 0,
    timestamp: 0,
    key: Buffer.alloc(10),
    value: Buffer.alloc(100),
    headers: [
      { key: 'abc', value: Buffer.alloc(5) },
      { key: 'de', value: null },
    ],
    attempt: 1,
  };
  assert.equal(recordSizeInBytes(record), RECORD_OVERHEAD_BYTES + 10 + 100 + 3 + 5 + 2);
  const bare: KafkaRecord = { topic: 't', partition: 0, offset: 0, timestamp: 0, key: null, value: null, headers: [], attempt: 1 };
  assert.equal(recordSizeInBytes(bare), RECORD_OVERHEAD_BYTES);
});

test('no demand, no fetch: the stage wants bytes only once a subscriber asks', async () => {
  const { stage, budget, waker } = makeStage();
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0);
  const it = stage.records({ maxDemand: 8 });
  const first = it.next();
  assert.equal(stage.stats().outstandingDemand, 8, 'the first next() asks maxDemand');
  assert.equal(waker.wakes, 1, 'the scheduler is woken once');
  assert.ok(fetchTargetOf(stage).fetchBytesWanted(budget.free) > 0, "a stage with demand wants bytes");
  fetchOnce(stage, budget);
  assert.equal((await first).value?.offset, 0);
  await it.return?.();
});

test('records(): asks maxDemand, then asks again when outstanding demand falls to minDemand', async () => {
  const { stage } = makeStage();
  const it = stage.records({ maxDemand: 8, minDemand: 6 });
  const pending = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 19)], fetchInfo(20));
  assert.equal((await pending).value?.offset, 0);
  const demand: number[] = [stage.stats().outstandingDemand];
  for (let i = 1; i < 6; i++) {
    const r = await it.next();
    assert.equal(r.value?.offset, i);
    demand.push(stage.stats().outstandingDemand);
  }
  // 8 asked; 7, 6 after two records; at 6 (= minDemand) the next call asks 2 more before taking.
  assert.deepEqual(demand, [7, 6, 7, 6, 7, 6]);
  assert.ok(stage.stats().outstandingDemand <= 8);
  await it.return?.();
});

test('records(): next() resolves without waiting while records are buffered', async () => {
  const { stage } = makeStage();
  const it = stage.records({ maxDemand: 4 });
  void it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 3)], fetchInfo(4));
  await flush();
  // Buffered and demanded: each call settles in the same microtask turn, before any immediate.
  let settled = 0;
  void it.next().then(() => settled++);
  void it.next().then(() => settled++);
  await Promise.resolve();
  assert.equal(settled, 2);
  await it.return?.();
});

test('a subscriber asking 10 then stopping gets exactly 10, and fetching stops once the buffer is full', async () => {
  const { stage, budget } = makeStage({ limits: { maxRecords: 30, maxBytes: 1024 * 1024, minFetchBytes: RECORD_BYTES } });
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(10);
  fetchUntilSatisfied(stage, budget);
  await flush();
  assert.equal(got.length, 10);
  assert.deepEqual(offsets(got), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0, 'no demand left: no fetch');

  // An iterator that took 10 and stopped still has demand: the buffer fills to its bound, then no fetch.
  const second = makeStage({ limits: { maxRecords: 1000, maxBytes: 30 * RECORD_BYTES, minFetchBytes: RECORD_BYTES } });
  const it = second.stage.records({ maxDemand: 100 });
  const taken: number[] = [];
  for (let i = 0; i < 10; i++) {
    const next = it.next();
    fetchUntilSatisfied(second.stage, second.budget);
    assert.ok(second.stage.stats().bufferedBytes <= 30 * RECORD_BYTES);
    taken.push((await next).value?.offset ?? -1);
  }
  fetchUntilSatisfied(second.stage, second.budget);
  const stats = second.stage.stats();
  assert.deepEqual(taken, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(stats.bufferedRecords, 30, 'buffer at its bound');
  assert.equal(fetchTargetOf(second.stage).fetchBytesWanted(second.budget.free), 0, 'a full partition gets no fetch');
  assert.equal(stats.deliveredOffset, 10);
  assert.equal(stats.outstandingDemand, 90, 'demand remains, the buffer bound stops the fetching');
});

test('demand accumulates across asks', async () => {
  const { stage } = makeStage();
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(5);
  stage.ask(7);
  assert.equal(stage.stats().outstandingDemand, 12);
  fetchTargetOf(stage).onFetched([makeBatch(0, 29)], fetchInfo(30));
  await flush();
  assert.equal(got.length, 12);
  assert.equal(stage.stats().bufferedRecords, 18);
});

test('out-of-order acks: the committable offset is the contiguous acked prefix', async () => {
  const { stage, sink } = makeStage();
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(5);
  fetchTargetOf(stage).onFetched([makeBatch(0, 4)], fetchInfo(5));
  await flush();
  await stage.ack(3);
  await stage.ack(got[1] as KafkaRecord);
  assert.equal(stage.committableOffset, 0);
  await stage.ack(0);
  assert.equal(stage.committableOffset, 2);
  await stage.ack(2);
  assert.equal(stage.committableOffset, 4);
  await stage.ack(4);
  assert.equal(stage.committableOffset, 5);
  assert.deepEqual(
    sink.calls.map((c) => c.committable),
    [0, 0, 2, 4, 5],
  );
  await stage.ack(4);
  await stage.ack(99);
  assert.equal(sink.calls.length, 5, 'acks that change nothing are not reported');
  assert.equal(stage.stats().inFlight, 0);
});

test('ack(batch) acks every delivered offset in it; a batch of another partition is refused', async () => {
  const { stage, sink } = makeStage();
  const it = stage.batches({ maxDemand: 10, minDemand: 0 });
  const pending = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 9, { offsets: [0, 1, 2, 5, 6, 9] })], fetchInfo(10));
  const batch = (await pending).value;
  assert.ok(batch);
  assert.deepEqual(offsets(batch.records), [0, 1, 2, 5, 6, 9]);
  assert.equal(batch.firstOffset, 0);
  assert.equal(batch.lastOffset, 9);
  await stage.ack(batch);
  assert.equal(sink.total, 6);
  assert.equal(stage.committableOffset, 10);
  await assert.rejects(stage.ack({ ...batch, partition: 1 }), InvalidArgumentError);
  await it.return?.();
});

test('a sync-strategy sink: ack() returns the sink promise', async () => {
  let release!: () => void;
  const durable = new Promise<void>((r) => {
    release = r;
  });
  const { stage } = makeStage({ commitSink: { acked: () => durable } });
  stage.ask(1);
  stage.onRecords(() => undefined);
  fetchTargetOf(stage).onFetched([makeBatch(0, 0)], fetchInfo(1));
  await flush();
  let done = false;
  const acked = stage.ack(0).then(() => {
    done = true;
  });
  await flush();
  assert.equal(done, false, 'not resolved before the commit is durable');
  release();
  await acked;
  assert.equal(done, true);
});

test('revoke: drops the undelivered buffer, aborts the signal, ends the iterator, waits for in-flight acks', async () => {
  const { stage, budget, sink } = makeStage();
  const it = stage.records({ maxDemand: 20 });
  const first = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 19)], fetchInfo(20));
  budget.settle(0, 0);
  assert.equal((await first).value?.offset, 0);
  assert.equal((await it.next()).value?.offset, 1);
  assert.equal((await it.next()).value?.offset, 2);
  assert.equal(budget.heldBytes, 17 * RECORD_BYTES);
  const waiting = it.next();
  assert.equal((await waiting).value?.offset, 3);

  let reason: unknown = null;
  stage.signal.addEventListener('abort', () => {
    reason = stage.signal.reason;
  });
  await stage.ack(1);
  const revoked = stage.revoke(10_000);
  assert.ok(stage.signal.aborted);
  assert.ok(reason instanceof KafkaStageError);
  assert.equal(reason.code, 'ERR_ABORTED');
  assert.equal(reason.context.reason, 'revoked');
  assert.equal(stage.active, false);
  assert.equal(budget.heldBytes, 0, 'the dropped buffer gave its bytes back');
  assert.equal(stage.stats().bufferedRecords, 0);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0);
  assert.deepEqual(await it.next(), { value: undefined, done: true }, 'undelivered records are not the subscriber’s');

  // Acks during the drain count; the drain ends when the last delivered record is acked.
  let resolved: number | null = null;
  void revoked.then((o) => {
    resolved = o;
  });
  await stage.ack(0);
  await stage.ack(2);
  await flush();
  assert.equal(resolved, null, 'offset 3 is still in flight');
  await stage.ack(3);
  assert.equal(await revoked, 4);
  const before = sink.calls.length;
  await stage.ack(3);
  await stage.ack(10);
  assert.equal(sink.calls.length, before);
});

test('revoke: resolves with the acked prefix when the drain timeout passes; later acks are ignored', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const { stage, sink } = makeStage();
  stage.onRecords(() => undefined);
  stage.ask(5);
  fetchTargetOf(stage).onFetched([makeBatch(0, 4)], fetchInfo(5));
  await flush();
  await stage.ack(0);
  await stage.ack(1);
  await stage.ack(3);
  let resolved: number | null = null;
  const revoked = stage.revoke(5_000).then((o) => {
    resolved = o;
    return o;
  });
  mock.timers.tick(4_999);
  await flush();
  assert.equal(resolved, null);
  mock.timers.tick(1);
  assert.equal(await revoked, 2);
  const calls = sink.calls.length;
  assert.equal(await stage.ack(2).then(() => 'ignored'), 'ignored');
  assert.equal(sink.calls.length, calls, 'an ack after revoke never reaches the commit sink');
  assert.equal(stage.committableOffset, 2);
});

test('revoke with nothing in flight resolves at once; a second revoke returns the same outcome', async () => {
  const { stage } = makeStage({ startOffset: 42 });
  assert.equal(await stage.revoke(1_000), 42);
  assert.equal(await stage.revoke(1_000), 42);
});

test('stop reason reaches the signal', async () => {
  const { stage } = makeStage();
  await stage.revoke(0, 'stopped');
  assert.equal((stage.signal.reason as KafkaStageError).context.reason, 'stopped');
});

test('lose: stops at once, aborts the signal, ends a drain, ignores acks', async () => {
  const { stage, sink, budget } = makeStage();
  stage.onRecords(() => undefined);
  stage.ask(3);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  const revoked = stage.revoke(60_000);
  stage.lose();
  assert.equal(await revoked, 0);
  assert.equal((stage.signal.reason as KafkaStageError).context.reason, 'revoked');
  await stage.ack(0);
  assert.equal(sink.calls.length, 0);
  assert.equal(budget.heldBytes, 0);

  const other = makeStage();
  other.stage.lose();
  assert.equal((other.stage.signal.reason as KafkaStageError).context.reason, 'lost');
  assert.equal(other.stage.active, false);
});

test('records fetched after revoke are ignored', async () => {
  const { stage, budget } = makeStage();
  stage.ask(5);
  await stage.revoke(0);
  fetchTargetOf(stage).onFetched([makeBatch(0, 4)], fetchInfo(5));
  assert.equal(stage.stats().bufferedRecords, 0);
  assert.equal(budget.heldBytes, 0);
});

async function encodedBatches(): Promise<RecordBatch[]> {
  const control = (type: number) => {
    const key = Buffer.alloc(4);
    key.writeInt16BE(type, 2);
    return [{ key, value: Buffer.alloc(6) }];
  };
  const parts = [
    await encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }, { value: 'c' }], compression: 'none', baseOffset: 0 }),
    // An aborted transaction of producer 7 (offsets 3-4), then its ABORT marker (5).
    await encodeRecordBatch({ records: [{ value: 'x' }, { value: 'y' }], compression: 'none', baseOffset: 3, producerId: 7n, producerEpoch: 0, baseSequence: 0, isTransactional: true }),
    await encodeRecordBatch({ records: control(0), compression: 'none', baseOffset: 5, producerId: 7n, producerEpoch: 0, isTransactional: true, isControl: true }),
    // A committed transaction of producer 8 (6-7), then its COMMIT marker (8).
    await encodeRecordBatch({ records: [{ value: 'd' }, { value: 'e' }], compression: 'gzip', baseOffset: 6, producerId: 8n, producerEpoch: 0, baseSequence: 0, isTransactional: true }),
    await encodeRecordBatch({ records: control(1), compression: 'none', baseOffset: 8, producerId: 8n, producerEpoch: 0, isTransactional: true, isControl: true }),
  ];
  return decodeRecordBatchesSync(Buffer.concat(parts), { maxDecompressedBytes: 1 << 20, topic: 't', partition: 0 }).batches;
}

test('read_committed: control batches and aborted transactions are skipped and the position moves past them', async () => {
  const { stage, budget } = makeStage();
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(100);
  fetchTargetOf(stage).onFetched(await encodedBatches(), fetchInfo(9, { abortedTransactions: [{ producerId: 7n, firstOffset: 3 }] }));
  await flush();
  assert.deepEqual(offsets(got), [0, 1, 2, 6, 7]);
  assert.deepEqual(
    got.map((r) => r.value?.toString()),
    ['a', 'b', 'c', 'd', 'e'],
  );
  assert.equal(stage.fetchOffset, 9);
  for (const r of got) await stage.ack(r);
  assert.equal(stage.committableOffset, 9, 'commit moves past the markers and the aborted records');
  assert.equal(budget.heldBytes, 0);
});

test('read_uncommitted: aborted records are delivered, control batches are not', async () => {
  const { stage } = makeStage();
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(100);
  fetchTargetOf(stage).onFetched(await encodedBatches(), fetchInfo(9));
  await flush();
  assert.deepEqual(offsets(got), [0, 1, 2, 3, 4, 6, 7]);
});

test('a response of only control records advances the committable offset when nothing is held', async () => {
  const { stage } = makeStage({ startOffset: 10 });
  stage.ask(5);
  fetchTargetOf(stage).onFetched([makeBatch(10, 10, { isControl: true })], fetchInfo(11));
  assert.equal(stage.fetchOffset, 11);
  assert.equal(stage.committableOffset, 11);
  assert.equal(stage.stats().deliveredOffset, 11);
});

test('records below the fetch offset are skipped; compaction gaps still move the position to lastOffset + 1', async () => {
  const { stage } = makeStage({ startOffset: 5 });
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(100);
  // A compressed batch starting before the position, then a compacted one whose last records are gone.
  fetchTargetOf(stage).onFetched([makeBatch(0, 9), makeBatch(10, 20, { offsets: [10, 12, 15] })], fetchInfo(21));
  await flush();
  assert.deepEqual(offsets(got), [5, 6, 7, 8, 9, 10, 12, 15]);
  assert.equal(stage.fetchOffset, 21);
  await stage.ack(15);
  for (const r of got.slice(0, -1)) await stage.ack(r);
  assert.equal(stage.committableOffset, 21);
  // Batches wholly below the position (a re-sent response) add nothing.
  fetchTargetOf(stage).onFetched([makeBatch(0, 20)], fetchInfo(21));
  await flush();
  assert.equal(got.length, 8);
});

test('a skip behind buffered records waits until they are delivered', async () => {
  const { stage } = makeStage();
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(2);
  fetchTargetOf(stage).onFetched([makeBatch(0, 3), makeBatch(4, 4, { isControl: true })], fetchInfo(5));
  await flush();
  assert.deepEqual(offsets(got), [0, 1]);
  await stage.ack(0);
  await stage.ack(1);
  assert.equal(stage.committableOffset, 2, 'records 2-3 are buffered, not delivered');
  stage.ask(2);
  await flush();
  await stage.ack(2);
  await stage.ack(3);
  assert.equal(stage.committableOffset, 5, 'past the control record once nothing is held before it');
});

test('stats: fetched, delivered, acked, committed offsets, buffer, demand, in flight, lag', async () => {
  const { stage, sink } = makeStage({ startOffset: 100 });
  assert.deepEqual(stage.stats(), {
    topic: 't',
    partition: 0,
    fetchedOffset: 100,
    deliveredOffset: 100,
    ackedOffset: 100,
    committedOffset: null,
    bufferedRecords: 0,
    bufferedBytes: 0,
    outstandingDemand: 0,
    inFlight: 0,
    lag: null,
    highWatermark: null,
    oldestInFlightMs: 0,
    failure: null,
  });
  stage.onRecords(() => undefined);
  stage.ask(4);
  fetchTargetOf(stage).onFetched([makeBatch(100, 109)], fetchInfo(500));
  await flush();
  await stage.ack(100);
  sink.committed = 101; // the commit manager (the one record of commits) says 101 is durable
  const s = stage.stats();
  assert.equal(s.fetchedOffset, 110);
  assert.equal(s.deliveredOffset, 104);
  assert.equal(s.ackedOffset, 101);
  assert.equal(s.committedOffset, 101);
  assert.equal(s.bufferedRecords, 6);
  assert.equal(s.bufferedBytes, 6 * RECORD_BYTES);
  assert.equal(s.outstandingDemand, 0);
  assert.equal(s.inFlight, 3);
  assert.equal(s.highWatermark, 500);
  assert.equal(s.lag, 396);
});

test('oldestInFlightMs: the age of the first unacked delivery, measured between reads', async () => {
  let now = 1_000;
  const { stage } = makeStage({ clock: () => now, maxProcessingMs: 5_000 });
  stage.onRecords(() => undefined);
  stage.ask(3);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await flush();
  assert.equal(stage.oldestInFlightMs, 0, 'delivered since the last read');
  now = 4_000;
  assert.equal(stage.oldestInFlightMs, 3_000);
  assert.equal(stage.stuck, false);
  now = 7_000;
  assert.equal(stage.stuck, true);
  await stage.ack(0);
  stage.ask(2);
  await flush();
  now = 8_000;
  assert.equal(stage.oldestInFlightMs, 7_000, 'offset 1 was delivered by the first read at t=1000');
  await stage.ack(1);
  await stage.ack(2);
  assert.equal(stage.oldestInFlightMs, 0, 'offsets 3-4 were delivered after the read at t=8000');
  now = 9_000;
  assert.equal(stage.oldestInFlightMs, 1_000);
  await stage.ack(3);
  await stage.ack(4);
  assert.equal(stage.oldestInFlightMs, 0);
  assert.equal(stage.stuck, false);
});

test('a second way of taking records throws ERR_STAGE_BUSY; after return() a new subscriber takes the rest', async () => {
  const { stage } = makeStage();
  const it = stage.records({ maxDemand: 5 });
  const first = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  assert.equal((await first).value?.offset, 0);
  for (const attach of [() => stage.records(), () => stage.batches(), () => stage.ask(1), () => stage.readable(), () => stage.readableStream()]) {
    assert.throws(attach, (err: unknown) => err instanceof StageBusyError && err.code === 'ERR_STAGE_BUSY');
  }
  await it.return?.();
  assert.equal(stage.stats().outstandingDemand, 0, 'a departed subscriber leaves no demand');
  const again = stage.batches({ maxDemand: 20, minDemand: 0 });
  const batch = (await again.next()).value;
  assert.deepEqual(batch && offsets(batch.records), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await again.return?.();
});

test('invalid demand options throw InvalidOptionError naming the option, and leave the stage free', () => {
  const { stage } = makeStage();
  assert.throws(() => stage.records({ maxDemand: 0 }), { code: 'ERR_INVALID_OPTION', option: 'maxDemand' });
  assert.throws(() => stage.batches({ maxDemand: 10, minDemand: 10 }), { code: 'ERR_INVALID_OPTION', option: 'minDemand' });
  assert.throws(() => stage.ask(-1), InvalidArgumentError);
  void stage.records();
});

test('a fetch error stops fetching, rejects the iterator once buffered records are taken, and seek clears it', async () => {
  const { stage, budget } = makeStage();
  const it = stage.records({ maxDemand: 10 });
  const first = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 1)], fetchInfo(100));
  assert.equal((await first).value?.offset, 0);
  const failure = new Error('offset out of range');
  fetchTargetOf(stage).onFetchError(failure);
  assert.equal(stage.error, failure);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0, 'no fetch while the error stands');
  assert.equal((await it.next()).value?.offset, 1, 'buffered records come first');
  await assert.rejects(it.next(), (err) => err === failure);
  assert.deepEqual(await it.next(), { value: undefined, done: true });
  stage.seek(50);
  assert.equal(stage.error, null);
  assert.equal(stage.fetchOffset, 50);
  const again = stage.records({ maxDemand: 10 });
  const next = again.next();
  assert.ok(fetchTargetOf(stage).fetchBytesWanted(budget.free) > 0);
  fetchTargetOf(stage).onFetched([makeBatch(50, 52)], fetchInfo(100));
  assert.equal((await next).value?.offset, 50);
  await again.return?.();
});

test('seek drops the buffer, frees its budget, holds the commit for records delivered before it, and ignores responses for the old position', async () => {
  const { stage, budget, sink } = makeStage();
  stage.onRecords(() => undefined);
  stage.ask(2);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  budget.settle(0, 0);
  await flush();
  assert.equal(budget.heldBytes, 8 * RECORD_BYTES);
  stage.seek(3);
  assert.equal(budget.heldBytes, 0);
  assert.equal(stage.stats().bufferedRecords, 0);
  assert.equal(stage.committableOffset, 0, '0 and 1 were delivered before the seek and are unacked: held');
  await stage.ack(0);
  await stage.ack(1);
  assert.equal(sink.calls.length, 2, 'acks of deliveries before the seek still count');
  assert.equal(stage.committableOffset, 3, 'then commits follow the new position');
  // A response asked for offset 10 (before the seek) arrives late.
  fetchTargetOf(stage).onFetched([makeBatch(10, 19)], fetchInfo(20, { fetchOffset: 10 }));
  assert.equal(stage.stats().bufferedRecords, 0);
  assert.equal(stage.fetchOffset, 3);
});

test('the budget: buffered bytes are held, delivered or dropped bytes released', async () => {
  const budget = new ByteBudget(10_000);
  const { stage } = makeStage({ budget });
  stage.onRecords(() => undefined);
  stage.ask(3);
  const reserved = budget.reserve(fetchTargetOf(stage).fetchBytesWanted(budget.free));
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  budget.settle(reserved, 0);
  assert.equal(budget.heldBytes, 10 * RECORD_BYTES);
  await flush();
  assert.equal(budget.heldBytes, 7 * RECORD_BYTES);
  stage.lose();
  assert.equal(budget.heldBytes, 0);
});

test('the waker: woken when the stage starts wanting, not for every record', async () => {
  const { stage, budget, waker } = makeStage({ limits: { maxRecords: 10, maxBytes: 1 << 20, minFetchBytes: RECORD_BYTES } });
  const it = stage.records({ maxDemand: 40, minDemand: 30 });
  const first = it.next();
  assert.equal(waker.wakes, 1);
  fetchTargetOf(stage).onFetched([makeBatch(0, 10)], fetchInfo(100));
  assert.equal((await first).value?.offset, 0);
  assert.equal(waker.wakes, 1, 'the scheduler has not looked since it was woken: no second wake');
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), 0, 'full');
  await it.next();
  assert.equal(waker.wakes, 2, 'room again after taking: woken once');
  await it.next();
  await it.next();
  assert.equal(waker.wakes, 2, 'not again until the scheduler has looked');
  assert.ok(fetchTargetOf(stage).fetchBytesWanted(budget.free) > 0);
  await it.return?.();
});

test('fetch sizes are in wire bytes: compressed batches make the stage ask for less than its room', () => {
  const { stage, budget } = makeStage({ limits: { maxRecords: 1000, maxBytes: 100 * RECORD_BYTES, minFetchBytes: RECORD_BYTES } });
  stage.ask(1000);
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), FIRST_FETCH_BYTES, 'no batch seen yet: a first small ask (the broker still sends a first batch whole)');
  // Ten records of 100 B that took 200 B on the wire: compressed five to one.
  fetchTargetOf(stage).onFetched([makeBatch(0, 9, { wireBytes: 200 })], fetchInfo(1000));
  assert.equal(stage.stats().bufferedBytes, 10 * RECORD_BYTES);
  // Room for 90 records; one fetch asks for at most half the byte bound (50 records): double buffering.
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(budget.free), (50 * RECORD_BYTES) / 5, 'half the bound, asked as its wire size');
  assert.equal(fetchTargetOf(stage).fetchBytesWanted(10 * RECORD_BYTES), (10 * RECORD_BYTES) / 5, 'the budget bounds the buffered size, converted too');
});

test('a stage whose budget is spent wakes the scheduler when it frees bytes', async () => {
  const budget = new ByteBudget(1_000);
  const { stage, waker } = makeStage({ budget });
  stage.onRecords(() => undefined);
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  assert.equal(budget.free, 0);
  const before = waker.wakes;
  stage.ask(1);
  await flush();
  assert.ok(waker.wakes > before);
});

test("a PartitionStage's fetch handle reads the stage; the stage itself has no fetch methods", () => {
  const { stage } = makeStage({ topic: 'orders', partition: 3, startOffset: 7, leaderEpoch: 4 });
  const target: FetchTarget = fetchTargetOf(stage);
  assert.equal(target.topic, 'orders');
  assert.equal(target.partition, 3);
  assert.equal(target.fetchOffset, 7);
  assert.equal(target.leaderEpoch, 4);
  assert.equal(target.active, true);
  assert.equal(fetchTargetOf(stage), target, 'one handle per stage');
  stage.seek(12);
  assert.equal(target.fetchOffset, 12, 'the handle reads the stage as it is now');
  stage.lose();
  assert.equal(target.active, false);
  // A subscriber (or a cast) cannot feed the stage records: the fetch side is not on it.
  const exposed = stage as unknown as Record<string, unknown>;
  for (const name of ['onFetched', 'onFetchError', 'fetchBytesWanted', 'growth']) {
    assert.equal(exposed[name], undefined, name);
  }
  assert.ok(stage instanceof PartitionStage);
});
