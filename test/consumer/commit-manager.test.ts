import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommitManager, type CommitOutcome, type CommittableSource } from '../../src/consumer/commit-manager.js';
import type { OffsetToCommit } from '../../src/group/membership-contracts.js';

function source(topic: string, partition: number, committableOffset = 0): CommittableSource & { committableOffset: number } {
  return { topic, partition, committableOffset };
}

function recorder() {
  const sent: OffsetToCommit[][] = [];
  const outcomes: CommitOutcome[] = [];
  return { sent, outcomes };
}

test('async: a commit happens once the threshold of acks is reached, carrying the acked prefix', async () => {
  const { sent } = recorder();
  const m = new CommitManager({ strategy: 'async', intervalMs: 60_000, threshold: 3, commit: async (o) => void sent.push([...o]) });
  const s = source('t', 0, 10);
  m.register(s, 10);
  await m.acked(s, 2);
  assert.equal(sent.length, 0, 'below the threshold');
  s.committableOffset = 13;
  await m.acked(s, 1);
  await m.commitNow(); // waits for the triggered commit and finds nothing more
  assert.deepEqual(sent, [[{ topic: 't', partition: 0, offset: 13, leaderEpoch: -1 }]]);
  assert.equal(m.committedOffset(s), 13, 'the stage reads the commit from the manager');
  await m.stop();
});

test('async: the interval commits acks that never reach the threshold', async () => {
  const { sent } = recorder();
  let committed!: () => void;
  const done = new Promise<void>((r) => (committed = r));
  const m = new CommitManager({
    strategy: 'async',
    intervalMs: 20,
    threshold: 1000,
    commit: async (o) => {
      sent.push([...o]);
      committed();
    },
  });
  const s = source('t', 1, 5);
  m.register(s, null);
  s.committableOffset = 6;
  await m.acked(s, 1);
  await done;
  assert.deepEqual(sent[0]?.map((o) => o.offset), [6]);
  await m.stop();
});

test('sync: an ack resolves only after a commit covering it is durable; concurrent acks share one commit', async () => {
  const { sent } = recorder();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const m = new CommitManager({
    strategy: 'sync',
    intervalMs: 1000,
    threshold: 1,
    commit: async (o) => {
      sent.push([...o]);
      if (sent.length === 1) await gate;
    },
  });
  const s = source('t', 0, 0);
  m.register(s, null);
  s.committableOffset = 1;
  let firstDone = false;
  const first = m.acked(s, 1).then(() => (firstDone = true));
  s.committableOffset = 2;
  const second = m.acked(s, 1);
  s.committableOffset = 3;
  const third = m.acked(s, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(firstDone, false, 'not durable yet');
  release();
  await Promise.all([first, second, third]);
  assert.deepEqual(sent.map((b) => b.map((o) => o.offset)), [[1], [3]], 'the acks made during the first commit share the second');
});

test('sync: a failed commit rejects the acks waiting on it and reports the error', async () => {
  const outcomes: CommitOutcome[] = [];
  const m = new CommitManager({
    strategy: 'sync',
    intervalMs: 1000,
    threshold: 1,
    commit: async () => {
      throw new Error('ILLEGAL_GENERATION');
    },
    onCommit: (o) => outcomes.push(o),
  });
  const s = source('t', 0, 0);
  m.register(s, null);
  s.committableOffset = 1;
  await assert.rejects(m.acked(s, 1), /ILLEGAL_GENERATION/);
  assert.equal(outcomes.length, 1);
  assert.match(String(outcomes[0]?.error), /ILLEGAL_GENERATION/);
});

test('none: acks never commit; a manual commit is honoured even below the last commit', async () => {
  const { sent } = recorder();
  const m = new CommitManager({ strategy: 'none', intervalMs: 1, threshold: 1, commit: async (o) => void sent.push([...o]) });
  const s = source('t', 0, 50);
  m.register(s, 40);
  await m.acked(s, 10);
  assert.equal(sent.length, 0);
  await m.commitOffset(s, 30);
  assert.deepEqual(sent.map((b) => b.map((o) => o.offset)), [[30]]);
  assert.equal(m.lastCommitted('t', 0), 30);
});

test('unregistered partitions are never committed; nothing is sent when nothing moved', async () => {
  const { sent } = recorder();
  const m = new CommitManager({ strategy: 'async', intervalMs: 60_000, threshold: 1, commit: async (o) => void sent.push([...o]) });
  const a = source('t', 0, 5);
  const b = source('t', 1, 7);
  m.register(a, 5);
  m.register(b, 3);
  m.unregister(b);
  b.committableOffset = 100;
  await m.commitNow();
  assert.deepEqual(sent, [], 'a did not move; b is gone');
  await m.acked(b, 5);
  await m.commitNow();
  assert.deepEqual(sent, []);
});

test('commitFinal commits the acked prefix once and releases the partition', async () => {
  const { sent } = recorder();
  const m = new CommitManager({ strategy: 'async', intervalMs: 60_000, threshold: 1000, commit: async (o) => void sent.push([...o]) });
  const s = source('t', 2, 8);
  m.register(s, 5);
  assert.equal(await m.commitFinal(s), true);
  assert.equal(await m.commitFinal(s), true, 'registered no more: treated as never committed by this member');
  const t = source('t', 3, 5);
  m.register(t, 5);
  assert.equal(await m.commitFinal(t), false, 'nothing acked beyond the last commit');
  assert.deepEqual(sent.map((b) => b.map((o) => `${o.partition}@${o.offset}`)), [['2@8'], ['2@8']]);
  s.committableOffset = 20;
  await m.commitNow();
  assert.equal(sent.length, 2, 'a released partition is not in automatic commits');
});
