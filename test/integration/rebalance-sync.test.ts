/**
 * A cooperative rebalance under `commit: 'sync'` with a live producer (issue 8, defect 2): member
 * processes, cooperative-sticky. The first member consumes six partitions, acking every batch
 * (each ack waits for its commit), while our producer writes throughout. A second member joins;
 * the partitions the first gives up must reach the second within drainTimeoutMs + 5 s, measured in
 * the run logs from the first member's revoke start (its subscriber's abort signal) to the
 * second's `assign` event naming the partition — the steady commits of the partitions the first
 * member keeps must not hold the revoke up. Then the invariant checker: no loss, no skip, no zombie,
 * and the final commits reach the log end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { checkInvariants, formatViolations } from '../helpers/invariants.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import { readRunLogs, type AbortLine, type AssignLine, type RunLine } from '../helpers/recorder.js';
import { assertCommittedAtLogEnd, createRun, produceLogged, removeRun, scenarioClients } from '../helpers/scenario.js';

const PARTITIONS = 6;
const DRAIN_TIMEOUT_MS = 3_000;
const HANDOVER_BOUND_MS = DRAIN_TIMEOUT_MS + 5_000;
/** Records written before the first member starts: enough to keep every partition busy past the bound. */
const BACKLOG = 30_000;
/** Records per producer round, and the pause between rounds (pacing only: ~500 records/s). */
const ROUND = 100;
const ROUND_PAUSE_MS = 200;

const clients = scenarioClients({ lingerMs: 5 });

describe('cooperative rebalance under sync commits with a live producer', () => {
  it('revoked partitions reach the new member within drainTimeoutMs + 5 s; no loss', { timeout: 120_000 }, async (t) => {
    const { admin, producer, members, topics } = clients;
    const topic = uniqueTopic('rebalance-sync');
    const groupId = `${topic}-group`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    const run = createRun('rebalance-sync');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;

    const config = (member: string): MemberConfig => ({
      member,
      logFile: `${run.dir}/${member}.jsonl`,
      brokers: testBrokers(),
      groupId,
      topic,
      assignors: ['cooperative-sticky'],
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 30_000,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      commit: { strategy: 'sync' },
      // Batches of five records, acked at once: every partition acks (and so commits) back to back.
      maxDemand: 20,
      minDemand: 15,
    });
    const start = (name: string): MemberProcess => {
      const m = MemberProcess.start(config(name));
      members.push(m);
      return m;
    };

    await produceLogged(producer, run.harness, topic, { count: BACKLOG, chunk: 4_000, keys: 600, pauseMs: 0 });
    // Then the producer writes until told to stop: during and after the rebalance.
    let produced = BACKLOG;
    let producing = true;
    const producerDone = (async () => {
      while (producing) {
        await produceLogged(producer, run.harness, topic, { count: ROUND, chunk: ROUND, keys: 600, pauseMs: 0, firstSeq: produced });
        produced += ROUND;
        await delay(ROUND_PAUSE_MS);
      }
    })();
    const progress = (): string => `(produced ${produced}, delivered ${tally.delivered}, acked ${tally.acked.size})`;

    try {
      const m1 = start('m1');
      await m1.ready;
      await follower.waitFor('m1 to consume 2000 records', () => tally.delivered >= 2_000, 60_000, progress);

      const m2 = start('m2');
      await m2.ready;
      // Under the defect the revoke never finishes while acks keep coming: wait past the bound, then judge.
      const handedOver = (): boolean => tally.eventsOf('m2', 'assign').some((e) => (e as AssignLine).partitions.length > 0);
      await follower.waitFor('m2 to be assigned partitions', handedOver, HANDOVER_BOUND_MS + 15_000, progress).catch(() => undefined);
      follower.poll();

      const lines = readRunLogs(run.dir);
      const handovers = measureHandovers(lines, topic);
      t.diagnostic(`handovers (ms from m1's abort to m2's assign): ${JSON.stringify(Object.fromEntries(handovers.ms))} of partitions ${handovers.revoked.join(', ')}`);
      assert.ok(handovers.revoked.length > 0, `m1 began revoking some partitions once m2 joined ${progress()}`);
      for (const p of handovers.revoked) {
        const ms = handovers.ms.get(p);
        assert.ok(ms !== undefined, `partition ${p}: revoke began on m1 but m2 was not assigned it ${HANDOVER_BOUND_MS + 15_000} ms after joining ${progress()}`);
        assert.ok(ms <= HANDOVER_BOUND_MS, `partition ${p}: reached m2 ${ms.toFixed(0)} ms after m1 began revoking it (bound ${HANDOVER_BOUND_MS} ms)`);
      }

      // Both members consume while the producer goes on a little, then everything is drained.
      const m2Before = tally.deliveredBy.get('m2') ?? 0;
      await follower.waitFor('m2 to consume its partitions', () => (tally.deliveredBy.get('m2') ?? 0) >= m2Before + 500, 30_000, progress);
      producing = false;
      await producerDone;
      await follower.waitFor('every record acked', () => tally.acked.size >= produced, 60_000, progress);
      await Promise.all([m1.stop(), m2.stop()]);
    } finally {
      producing = false;
      await producerDone;
    }

    const report = checkInvariants(readRunLogs(run.dir));
    t.diagnostic(`stats: ${JSON.stringify(report.stats)}`);
    assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
    assert.equal(report.stats.produced, produced);
    assert.ok(report.stats.periodEnds.revoke > 0, `m1 revoked partitions cleanly: ${JSON.stringify(report.stats.periodEnds)}`);
    assert.deepEqual(tally.events.filter((e) => e.t === 'error'), [], 'no member reported an error');
    await assertCommittedAtLogEnd(admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });
});

/**
 * For each partition m1 began revoking (its subscriber's abort, after m2 started): the time from
 * that abort to the first `assign` of m2 naming the partition.
 */
function measureHandovers(lines: readonly RunLine[], topic: string): { revoked: number[]; ms: Map<number, number> } {
  const m2Start = lines.find((l) => l.member === 'm2' && l.t === 'start')?.ts ?? Infinity;
  const abortAt = new Map<number, number>();
  for (const l of lines) {
    if (l.member !== 'm1' || l.t !== 'abort' || l.ts < m2Start) continue;
    const a = l as AbortLine;
    if (a.topic === topic && !abortAt.has(a.partition)) abortAt.set(a.partition, a.ts);
  }
  const ms = new Map<number, number>();
  for (const l of lines) {
    if (l.member !== 'm2' || l.t !== 'assign') continue;
    for (const p of (l as AssignLine).partitions) {
      const from = abortAt.get(p.partition);
      if (p.topic === topic && from !== undefined && !ms.has(p.partition)) ms.set(p.partition, l.ts - from);
    }
  }
  return { revoked: [...abortAt.keys()].sort((a, b) => a - b), ms };
}
