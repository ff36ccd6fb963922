/**
 * CommitManager bounds (issue #8, defects 2 and 10): a final or explicit commit waits at most for
 * the commit in flight, never behind the endless commits of busy partitions; a failed `async`
 * commit is retried with backoff without waiting for a new ack, except after fencing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitManager, type CommittableSource } from '../../src/consumer/commit-manager.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { CommitLog, track } from './commit-doubles.js';

const COORDINATOR_NOT_AVAILABLE = 15;
const ILLEGAL_GENERATION = 22;

function source(partition: number, committableOffset: number): CommittableSource & { committableOffset: number } {
  return { topic: 't', partition, committableOffset };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Partition A (and 63 more) keep acking: each commit, while in flight, sees a new ack, so a commit
 * is always queued behind it. Up to 200 commits, then the traffic stops (so a starved commit shows
 * up as a count, not a hang).
 */
function busyPartitions(strategy: 'sync' | 'async') {
  const log = new CommitLog();
  const commits = new CommitManager({ strategy, intervalMs: 60_000, threshold: 1, commit: log.commit });
  const busy = Array.from({ length: 64 }, (_, i) => source(i, 0));
  for (const s of busy) commits.register(s, 0);
  log.mode = 'hold';
  const pump = async () => {
    for (let n = 0; n < 200; n++) {
      for (const s of busy) {
        s.committableOffset++;
        void commits.acked(s, 1, s.committableOffset - 1).catch(() => undefined);
      }
      await tick();
      if (log.heldCount > 0) log.answer();
    }
    // Traffic over: answer what is still held until nothing comes for a while, so every promise settles.
    for (let n = 0, idle = 0; n < 1000 && idle < 5; n++) {
      if (log.heldCount > 0) {
        log.answer();
        idle = 0;
      } else idle++;
      await tick();
    }
  };
  return { log, commits, busy, pump };
}

for (const strategy of ['sync', 'async'] as const) {
  test(`defect 2: ${strategy}, a revoked partition's final commit goes out within 2 commits while 64 kept partitions ack steadily`, async () => {
    const { log, commits, pump } = busyPartitions(strategy);
    const revoked = source(100, 0);
    commits.register(revoked, 0);
    const running = pump();
    await tick();
    await tick();
    // Acked up to 500 and drained now: commits already queued must not be needed to carry it.
    revoked.committableOffset = 500;
    const before = log.sent.length;
    assert.ok(before >= 1, 'a commit is in flight');
    const final = commits.commitFinal(revoked);
    let doneAt = -1;
    void final.then(() => (doneAt = log.sent.length));
    await running;
    const committed = await final;
    assert.ok(doneAt - before <= 2 && doneAt > 0, `final commit done after ${doneAt - before} more commits`);
    assert.equal(committed, true);
    assert.deepEqual(log.offsetsOf(100), [500]);
    assert.equal(commits.lastCommitted('t', 100), undefined, 'released');
  });

  test(`defect 2: ${strategy}, an explicit commit(target) goes out within 2 commits while 64 partitions ack steadily`, async () => {
    const { log, commits, busy, pump } = busyPartitions(strategy);
    const running = pump();
    await tick();
    const before = log.sent.length;
    const explicit = commits.commitOffset(busy[5] as CommittableSource, 3);
    let doneAt = -1;
    void explicit.then(() => (doneAt = log.sent.length));
    await running;
    await explicit;
    assert.ok(doneAt - before <= 2 && doneAt > 0, `explicit commit done after ${doneAt - before} more commits`);
    assert.ok(log.offsetsOf(5).includes(3));
  });
}

test('commit order: a final commit waits for the commit in flight (order per partition), then goes out itself', async () => {
  const log = new CommitLog();
  log.mode = 'hold';
  const commits = new CommitManager({ strategy: 'sync', intervalMs: 60_000, threshold: 1, commit: log.commit });
  const s = source(0, 0);
  commits.register(s, 0);
  s.committableOffset = 5;
  const first = track(commits.acked(s, 5, 4));
  await tick();
  s.committableOffset = 9;
  const final = track(commits.commitFinal(s));
  await tick();
  assert.equal(log.sent.length, 1, 'not sent beside the one in flight');
  log.answer();
  await tick();
  assert.equal(first.state, 'resolved');
  assert.deepEqual(log.sent, [['0@5'], ['0@9']]);
  log.answer();
  await tick();
  assert.equal(final.state, 'resolved');
});

test('defect 10: async, a failed commit is retried with backoff without a new ack, until it succeeds', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const log = new CommitLog();
  const errors: unknown[] = [];
  const commits = new CommitManager({
    strategy: 'async',
    intervalMs: 60_000,
    threshold: 10,
    commit: log.commit,
    onCommit: (o) => void (o.error && errors.push(o.error)),
  });
  const s = source(0, 0);
  commits.register(s, null);
  log.failNext.push(new KafkaError(COORDINATOR_NOT_AVAILABLE), new KafkaError(COORDINATOR_NOT_AVAILABLE));
  s.committableOffset = 10;
  await commits.acked(s, 10, 9);
  await tick();
  assert.equal(log.sent.length, 1);
  t.mock.timers.tick(49);
  await tick();
  assert.equal(log.sent.length, 1, 'not before the first backoff (50..100 ms, jittered)');
  t.mock.timers.tick(1_000);
  await tick();
  assert.equal(log.sent.length, 2, 'retried without a new ack');
  t.mock.timers.tick(1_000);
  await tick();
  assert.equal(log.sent.length, 3);
  assert.equal(commits.lastCommitted('t', 0), 10);
  assert.equal(errors.length, 2, 'each failure reported');
  t.mock.timers.tick(120_000);
  await tick();
  assert.equal(log.sent.length, 3, 'nothing more once committed');
  await commits.stop();
});

test('defect 10: async, a fencing error is not retried (the partitions are lost)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const log = new CommitLog();
  const commits = new CommitManager({ strategy: 'async', intervalMs: 60_000, threshold: 1, commit: log.commit });
  const s = source(0, 0);
  commits.register(s, null);
  log.failNext.push(new KafkaError(ILLEGAL_GENERATION));
  s.committableOffset = 1;
  await commits.acked(s, 1, 0);
  await tick();
  t.mock.timers.tick(60_000);
  await tick();
  s.committableOffset = 2;
  await commits.acked(s, 1, 1);
  t.mock.timers.tick(60_000);
  await tick();
  assert.equal(log.sent.length, 1, 'a fenced assignment is never committed again');
  await commits.stop();
});

test('defect 10: async retries stop when the manager stops', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const log = new CommitLog();
  const commits = new CommitManager({ strategy: 'async', intervalMs: 60_000, threshold: 1, commit: log.commit });
  const s = source(0, 0);
  commits.register(s, null);
  log.failNext.push(new KafkaError(COORDINATOR_NOT_AVAILABLE));
  s.committableOffset = 1;
  await commits.acked(s, 1, 0);
  await tick();
  await commits.stop();
  t.mock.timers.tick(60_000);
  await tick();
  assert.equal(log.sent.length, 1);
});

