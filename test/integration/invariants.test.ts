/**
 * Reliability under membership churn (issue 3, "Done when"): member processes of one group share a
 * 12-partition topic while our producer writes 30k keyed records with unique values; members join,
 * one leaves cleanly (SIGTERM), two are killed with SIGKILL mid-stream; the survivors drain
 * everything. The merged logs must satisfy I1–I6 (test/helpers/invariants.ts) and the group's final
 * committed offsets must equal the log end of every partition.
 *
 * Every wait is on something the logs or the processes say (ready, delivered counts, exits); the
 * producer's pauses only spread the load over the churn.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { checkInvariants, formatViolations } from '../helpers/invariants.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import { readRunLogs } from '../helpers/recorder.js';
import { assertCommittedAtLogEnd, createRun, produceLogged, removeRun, scenarioClients } from '../helpers/scenario.js';

const PARTITIONS = 12;
const RECORDS = 30_000;

const clients = scenarioClients({ lingerMs: 5 });

describe('consumer group invariants across joins, clean leaves and SIGKILLs', () => {
  it('I1–I6 hold and the final commits reach the log end', { timeout: 180_000 }, async (t) => {
    const { admin, producer, members, topics } = clients;
    const topic = uniqueTopic('invariants');
    const groupId = `${topic}-group`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    const run = createRun('invariants');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;

    const config = (member: string): MemberConfig => ({
      member,
      logFile: `${run.dir}/${member}.jsonl`,
      brokers: testBrokers(),
      groupId,
      topic,
      // Cooperative (incremental) rebalancing here; invariants-acks.test.ts covers the eager protocol.
      assignors: ['cooperative-sticky'],
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 20_000,
      drainTimeoutMs: 3_000,
      commit: { strategy: 'async', intervalMs: 500, threshold: 200 },
      maxDemand: 200,
      handlerDelayMs: 10,
    });
    const start = (name: string): MemberProcess => {
      const m = MemberProcess.start(config(name));
      members.push(m);
      return m;
    };
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}/${RECORDS})`;
    const deliveredAtLeast = (n: number) => follower.waitFor(`${n} deliveries`, () => tally.delivered >= n, 60_000, progress);

    const [m1, m2, m3] = [start('m1'), start('m2'), start('m3')];
    await Promise.all([m1.ready, m2.ready, m3.ready]);
    const producing = produceLogged(producer, run.harness, topic, { count: RECORDS, chunk: 500, keys: 1_000, pauseMs: 300 });

    await deliveredAtLeast(3_000);
    const m4 = start('m4');
    await m4.ready;

    // Kill m1 right after it took a batch, so it dies holding unacked, uncommitted records.
    await deliveredAtLeast(7_000);
    const m1Before = tally.deliveredBy.get('m1') ?? 0;
    await follower.waitFor('a fresh delivery to m1', () => (tally.deliveredBy.get('m1') ?? 0) > m1Before, 30_000, progress, 5);
    await m1.kill(run.harness);

    await deliveredAtLeast(12_000);
    await m2.stop();
    const m5 = start('m5');
    await m5.ready;

    await deliveredAtLeast(17_000);
    const m3Before = tally.deliveredBy.get('m3') ?? 0;
    await follower.waitFor('a fresh delivery to m3', () => (tally.deliveredBy.get('m3') ?? 0) > m3Before, 30_000, progress, 5);
    await m3.kill(run.harness);

    await producing;
    await follower.waitFor('every record acked', () => tally.acked.size >= RECORDS, 90_000, progress);
    await Promise.all([m4.stop(), m5.stop()]);

    const report = checkInvariants(readRunLogs(run.dir));
    t.diagnostic(`stats: ${JSON.stringify(report.stats)}`);
    assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
    assert.equal(report.stats.produced, RECORDS);
    assert.ok(report.stats.periodEnds.killed >= 2, `both killed members owned partitions: ${JSON.stringify(report.stats.periodEnds)}`);
    assert.ok(report.stats.periodEnds.revoke + report.stats.periodEnds.stopped >= 3, `clean handovers happened: ${JSON.stringify(report.stats.periodEnds)}`);
    assert.ok(report.stats.duplicates > 0, 'the kills left delivered, uncommitted records that were delivered again (I2 was exercised)');
    const errors = tally.events.filter((e) => e.t === 'error');
    assert.deepEqual(errors, [], 'no member reported an error it could not absorb');
    await assertCommittedAtLogEnd(admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });
});
