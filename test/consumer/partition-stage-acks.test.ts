/**
 * The ack path of a real PartitionStage with a real CommitManager (issue #8, defects 7 and 11):
 * under `sync` an ack resolves only once a durable commit covers it, and a seek never lets a commit
 * pass records delivered before it and still unacked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitManager } from '../../src/consumer/commit-manager.js';
import type { CommitStrategy } from '../../src/consumer/options.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { KafkaStageError } from '../../src/errors.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { CommitLog, track } from './commit-doubles.js';
import { fetchInfo, flush, makeBatch, makeStage } from './delivery/fixtures.js';
import { fetchTargetOf } from '../../src/consumer/partition-stage.js';

const COORDINATOR_NOT_AVAILABLE = 15;
const ILLEGAL_GENERATION = 22;

/** A stage starting at `start` (committed there), its manager, and `count` records delivered. */
async function setup(strategy: CommitStrategy, start: number, count: number, threshold = 1) {
  const log = new CommitLog();
  const commits = new CommitManager({ strategy, intervalMs: 60_000, threshold, commit: log.commit });
  const { stage } = makeStage({ startOffset: start, commitSink: commits });
  commits.register(stage, start);
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  stage.ask(count);
  fetchTargetOf(stage).onFetched([makeBatch(start, start + count - 1)], fetchInfo(start + count));
  await flush();
  assert.equal(got.length, count);
  return { log, commits, stage, got };
}

const isCommitLost = (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_COMMIT_LOST';

test('defect 7: sync, an out-of-order ack (13 while 12 is unacked) waits until 12 is acked and a commit ≥ 14 is durable', async () => {
  const { log, stage } = await setup('sync', 10, 5);
  const a13 = track(stage.ack(13));
  await flush();
  assert.equal(a13.state, 'pending', 'nothing durable covers 13');
  await stage.ack(10);
  await stage.ack(11);
  await flush();
  assert.equal(a13.state, 'pending', 'a commit of 12 does not cover 13');
  assert.deepEqual(log.offsetsOf(0), [11, 12]);
  await stage.ack(12);
  await flush();
  assert.equal(a13.state, 'resolved');
  assert.deepEqual(log.offsetsOf(0), [11, 12, 14]);
});

test('defect 7: sync, a batch ack resolves only when the commit covers its last offset', async () => {
  const { log, stage, got } = await setup('sync', 0, 6);
  const tail = track(stage.ack({ topic: 't', partition: 0, firstOffset: 3, lastOffset: 5, records: got.slice(3) }));
  await flush();
  assert.equal(tail.state, 'pending');
  await stage.ack({ topic: 't', partition: 0, firstOffset: 0, lastOffset: 2, records: got.slice(0, 3) });
  await flush();
  assert.equal(tail.state, 'resolved');
  assert.equal(log.offsetsOf(0).at(-1), 6);
});

test('defect 7: sync, a re-ack after a failed commit triggers a commit and resolves only once it is durable', async () => {
  const { log, stage } = await setup('sync', 0, 3);
  log.failNext.push(new KafkaError(COORDINATOR_NOT_AVAILABLE));
  await assert.rejects(stage.ack(0), /COORDINATOR_NOT_AVAILABLE/, 'the failed commit rejects the ack waiting on it');
  log.mode = 'hold';
  const again = track(stage.ack(0));
  await flush();
  assert.equal(again.state, 'pending', 'a duplicate for the tracker, but nothing durable covers it');
  assert.equal(log.heldCount, 1, 'the re-ack sent a commit');
  log.answer();
  await flush();
  assert.equal(again.state, 'resolved');
  assert.deepEqual(log.offsetsOf(0), [1, 1]);
  // Now durable: a third ack of 0 resolves at once, without another commit.
  await stage.ack(0);
  assert.equal(log.sent.length, 2);
});

test('defect 7: sync, an ack whose partition is lost while its commit is queued rejects with ERR_COMMIT_LOST', async () => {
  const { log, commits, stage } = await setup('sync', 0, 3);
  log.mode = 'hold';
  const a0 = track(stage.ack(0)); // its commit goes out at once
  const a1 = track(stage.ack(1)); // queued behind it
  await flush();
  assert.equal(log.heldCount, 1);
  // What the host does on loss: out of the commits, then the stage closes.
  commits.unregister(stage);
  stage.lose();
  await flush();
  assert.equal(a1.state, 'rejected');
  assert.ok(isCommitLost(a1.error), String(a1.error));
  log.answer();
  await flush();
  assert.equal(a0.state, 'resolved', 'the commit in flight covered 0');
  assert.equal(log.sent.length, 1, 'nothing of a lost partition is committed after the loss');
  // An ack after the loss is not committed either: it must not pretend it was.
  await assert.rejects(stage.ack(2), isCommitLost);
  await stage.ack(0); // durable before the loss: resolves
});

test('defect 7: sync, a revoke whose final commit does not cover an ack rejects it; the covered ones resolve', async () => {
  const { log, commits, stage } = await setup('sync', 10, 5);
  const a13 = track(stage.ack(13)); // 12 is never acked
  await stage.ack(10);
  const drained = await stage.revoke(0);
  assert.equal(drained, 11);
  assert.equal(await commits.commitFinal(stage), false, 'already committed at 11');
  await flush();
  assert.equal(a13.state, 'rejected');
  assert.ok(isCommitLost(a13.error), String(a13.error));
  assert.deepEqual(log.offsetsOf(0), [11]);
});

test('defect 7: sync, a fencing error rejects the waiting acks with it, and no later ack of the assignment is committed', async () => {
  const { log, stage } = await setup('sync', 0, 4);
  log.failNext.push(new KafkaError(ILLEGAL_GENERATION));
  const a2 = track(stage.ack(2));
  await assert.rejects(stage.ack(0), (err) => err instanceof KafkaError && err.errorCode === ILLEGAL_GENERATION);
  await flush();
  assert.equal(a2.state, 'rejected', 'not in the fenced commit, but nothing of the assignment can be committed now');
  assert.ok(a2.error instanceof KafkaError && a2.error.errorCode === ILLEGAL_GENERATION);
  await assert.rejects(stage.ack(1), (err) => err instanceof KafkaError && err.errorCode === ILLEGAL_GENERATION);
  assert.equal(log.sent.length, 1, 'nothing is committed for a fenced assignment');
});

/** A stage (strategy `none`: commits only on request) with `count` records delivered from `start`. */
async function delivered(count: number, start = 0) {
  const log = new CommitLog();
  const commits = new CommitManager({ strategy: 'none', intervalMs: 60_000, threshold: 1, commit: log.commit });
  const { stage } = makeStage({ startOffset: start, commitSink: commits });
  commits.register(stage, null);
  const got: KafkaRecord[] = [];
  stage.onRecords((records) => got.push(...records));
  const deliver = async (from: number, n: number) => {
    const before = got.length;
    stage.ask(n);
    fetchTargetOf(stage).onFetched([makeBatch(from, from + n - 1)], fetchInfo(10_000, { fetchOffset: stage.fetchOffset }));
    await flush();
    assert.equal(got.length - before, n);
  };
  await deliver(start, count);
  return { log, commits, stage, got, deliver };
}

test('defect 11: a forward seek with records in flight holds the committable offset until they are acked', async () => {
  const { log, commits, stage, deliver } = await delivered(10);
  for (let o = 0; o < 5; o++) await stage.ack(o);
  stage.seek(5000);
  assert.equal(stage.committableOffset, 5, 'records 5..9 were delivered and are unacked');
  await deliver(5000, 3000);
  for (let o = 5000; o < 8000; o++) await stage.ack(o);
  assert.equal(stage.committableOffset, 5, 'acks after the seek do not release the held prefix');
  await commits.commitNow();
  assert.deepEqual(log.offsetsOf(0), [5]);
  for (let o = 5; o < 10; o++) await stage.ack(o);
  assert.equal(stage.committableOffset, 8000, 'once the earlier records are acked, commits follow the new position');
  assert.equal(stage.stats().inFlight, 0);
  await commits.commitNow();
  assert.deepEqual(log.offsetsOf(0), [5, 8000]);
});

test('defect 11: a backward seek with records in flight: acks go to the oldest unacked delivery, nothing passes an unacked record', async () => {
  const { stage, deliver, got } = await delivered(10);
  for (let o = 0; o < 5; o++) await stage.ack(o);
  stage.seek(2);
  assert.equal(stage.committableOffset, 2, 'the lowest of the held prefix (5) and the new position (2)');
  await deliver(2, 5); // 2..6 again
  assert.equal(stage.stats().inFlight, 10, '5..9 from before the seek, 2..6 after');
  await stage.ack(5); // both deliveries of 5 are unacked: the older one takes it
  await stage.ack(got.at(-1) as KafkaRecord); // 6, delivered again: again the older one first
  assert.equal(stage.stats().inFlight, 8);
  for (const o of [7, 8, 9]) await stage.ack(o);
  assert.equal(stage.committableOffset, 2, 'the earlier records are acked; the new 2..6 are not');
  for (const o of [2, 3, 4, 5]) await stage.ack(o);
  assert.equal(stage.committableOffset, 6, '6 of the second delivery is unacked');
  await stage.ack(6);
  assert.equal(stage.committableOffset, 7);
  assert.equal(stage.stats().inFlight, 0);
});

test('defect 11: revoke after a seek waits for the records delivered before it', async () => {
  const { stage } = await delivered(4);
  stage.seek(100);
  let done = false;
  const drained = stage.revoke(60_000).then((offset) => {
    done = true;
    return offset;
  });
  await flush();
  assert.equal(done, false, '0..3 are still in flight');
  for (let o = 0; o < 4; o++) await stage.ack(o);
  assert.equal(await drained, 100);
});

test('liveness: under async, a committable offset moved only by skipped control records is committed (no ack needed)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { log, stage } = await setup('async', 0, 1, 1000);
  await stage.ack(0);
  t.mock.timers.tick(60_000);
  await flush();
  assert.deepEqual(log.offsetsOf(0), [1]);
  // A transaction marker at offset 1 comes after every record was acked: the position moves to 2.
  fetchTargetOf(stage).onFetched([makeBatch(1, 1, { isControl: true })], fetchInfo(2, { fetchOffset: 1 }));
  assert.equal(stage.committableOffset, 2);
  t.mock.timers.tick(60_000);
  await flush();
  assert.deepEqual(log.offsetsOf(0), [1, 2], 'the marker is committed past, so the lag reaches 0');
});

test('liveness: under sync, a committable offset moved only by skipped control records is committed', async () => {
  const { log, stage } = await setup('sync', 0, 1);
  await stage.ack(0);
  fetchTargetOf(stage).onFetched([makeBatch(1, 1, { isControl: true })], fetchInfo(2, { fetchOffset: 1 }));
  await flush();
  assert.deepEqual(log.offsetsOf(0), [1, 2]);
});
