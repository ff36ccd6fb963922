/**
 * A handler slower than the session timeout causes no rebalance (issue 3, "Done when"; design.md
 * §2.6: heartbeats run on their own timer). Two member processes, session timeout 6 s: one handles
 * each record for 8 s, one at a time; the other consumes normally. While the slow member works
 * through two records (16 s, over twice the session timeout) the generation stays the same, neither
 * member sees a revoke, a loss or a new assignment, and the slow member raises `stuck` events
 * (maxProcessingMs 3 s) instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import type { RunLine } from '../helpers/recorder.js';
import { createRun, produceLogged, removeRun, scenarioClients } from '../helpers/scenario.js';

const SESSION_TIMEOUT_MS = 6_000;
const RECORD_MS = 8_000;

const clients = scenarioClients();

describe('a handler slower than the session timeout', () => {
  it('causes no rebalance', { timeout: 90_000 }, async (t) => {
    const { admin, producer, members, topics } = clients;
    const topic = uniqueTopic('slow-handler');
    const groupId = `${topic}-group`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: 4 }]);
    const run = createRun('slow-handler');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const seen: RunLine[] = [];
    follower.onLine((line) => seen.push(line));

    const base = (member: string): MemberConfig => ({
      member,
      logFile: `${run.dir}/${member}.jsonl`,
      brokers: testBrokers(),
      groupId,
      topic,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: 500,
      maxProcessingMs: 3_000,
      drainTimeoutMs: 2_000,
      commit: { strategy: 'async', intervalMs: 500, threshold: 1 },
    });
    const slow = MemberProcess.start({ ...base('slow'), maxDemand: 1, handlerDelayMs: RECORD_MS });
    members.push(slow);
    await slow.ready;
    const steady = MemberProcess.start(base('steady'));
    members.push(steady);
    await steady.ready;

    // Both members settled before any record exists (so no rebalance waits on a slow record): every
    // partition owned, each member some. Eager or cooperative alike, ownership is assign minus revoke/lost.
    const owned = (member: string): number[] => {
      const set = new Set<number>();
      for (const e of seen) {
        if (e.member !== member) continue;
        if (e.t === 'assign') for (const p of e.partitions) set.add(p.partition);
        if (e.t === 'revoke' || e.t === 'lost') for (const p of e.partitions) set.delete(p.partition);
      }
      return [...set].sort((a, b) => a - b);
    };
    await follower.waitFor(
      'both members owning partitions, all four owned',
      () => owned('slow').length > 0 && owned('steady').length > 0 && owned('slow').length + owned('steady').length === 4,
      30_000,
      () => JSON.stringify(tally.events),
    );
    const generation = Math.max(...seen.flatMap((l) => (l.t === 'assign' ? [l.generation] : [])));
    const steadyPartitions = owned('steady');
    const slowPartitions = owned('slow');
    const mark = seen.length;

    await produceLogged(producer, run.harness, topic, { count: 40, chunk: 40, keys: 40, pauseMs: 0 });
    // One record at a time per partition: the second ack of a partition comes two handler times after its first delivery.
    const slowLines = (t: RunLine['t'], partition: number): RunLine[] => seen.filter((l) => l.member === 'slow' && l.t === t && 'partition' in l && l.partition === partition);
    const twice = (): number | undefined => slowPartitions.find((p) => slowLines('ack', p).length >= 2);
    await follower.waitFor('two records of one partition handled by the slow member', () => twice() !== undefined, 60_000, () => `(${tally.delivered} delivered)`);
    const partition = twice() as number;

    const after = seen.slice(mark);
    const membership = after.filter((l) => l.t === 'assign' || l.t === 'revoke' || l.t === 'lost');
    assert.deepEqual(membership, [], 'no assign, revoke or loss while the slow handler worked');
    const generations = new Set(after.flatMap((l) => ('generation' in l ? [l.generation] : [])));
    assert.deepEqual([...generations], [generation], 'every delivery, ack, commit and stuck event is in the same generation');
    const elapsed = (slowLines('ack', partition)[1]?.ts ?? 0) - (slowLines('deliver', partition)[0]?.ts ?? 0);
    assert.ok(elapsed >= 2 * RECORD_MS - 50 && elapsed > 2 * SESSION_TIMEOUT_MS, `the slow member held its partition ${Math.round(elapsed)} ms, over twice the session timeout`);
    assert.ok(after.some((l) => l.member === 'steady' && l.t === 'deliver'), 'the steady member consumed meanwhile');
    assert.ok(after.some((l) => l.member === 'slow' && l.t === 'stuck'), 'the slow handler raised a stuck event');
    assert.deepEqual(owned('steady'), steadyPartitions, "the second member's assignment did not change");
    assert.deepEqual(owned('slow'), slowPartitions);
    assert.deepEqual(
      after.filter((l) => l.t === 'error'),
      [],
      'no member reported an error',
    );

    // Stop both: the slow member's drain ends the held record's wait.
    await Promise.all([slow.stop(), steady.stop()]);
    removeRun(run);
  });
});
