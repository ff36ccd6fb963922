/**
 * Acks and commits across a rebalance, with member processes (issue 3, "Done when"):
 *
 * - out-of-order acks commit only the contiguous prefix: the first member acks every batch's
 *   records one by one in random order while commits run (threshold 3, batches of 10), so commits happen while a
 *   gap waits; I3 (never beyond the acked prefix at that moment) must hold for every commit;
 * - acks after revoke are never committed: when its partitions' abort signals fire, that member
 *   holds the records it is handling past the drain timeout and acks them after the revoke; no
 *   commit of those partitions may follow the revoke (I5), and the records are delivered again to
 *   the new owner from the commit (I2, I6).
 *
 * Eager `range` assignment, so a join revokes every partition of the first member at once.
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
const RECORDS = 6_000;
const DRAIN_TIMEOUT_MS = 1_000;

const clients = scenarioClients({ lingerMs: 5 });

describe('acks across a rebalance', () => {
  it('out-of-order acks commit only the contiguous prefix; acks after revoke are never committed', { timeout: 120_000 }, async (t) => {
    const { admin, producer, members, topics } = clients;
    const topic = uniqueTopic('invariants-acks');
    const groupId = `${topic}-group`;
    topics.push(topic);
    await admin.createTopics([{ topic, partitions: PARTITIONS }]);
    const run = createRun('invariants-acks');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    await produceLogged(producer, run.harness, topic, { count: RECORDS, chunk: 1_000, keys: 600, pauseMs: 0 });

    const base = (member: string): MemberConfig => ({
      member,
      logFile: `${run.dir}/${member}.jsonl`,
      brokers: testBrokers(),
      groupId,
      topic,
      assignors: ['range'],
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
      rebalanceTimeoutMs: 20_000,
      drainTimeoutMs: DRAIN_TIMEOUT_MS,
      commit: { strategy: 'async', intervalMs: 100, threshold: 3 },
      maxDemand: 40,
    });
    // The first member handles each batch for 150 ms and acks shuffled; after 1000 records it holds
    // the batches it has until the rebalance aborts them, then acks them late (after the drain).
    const shuffler = MemberProcess.start({
      ...base('shuffler'),
      handlerDelayMs: 150,
      ackOrder: 'shuffled',
      lateAckMs: DRAIN_TIMEOUT_MS * 3,
      holdAfterRecords: 1_000,
    });
    members.push(shuffler);
    await shuffler.ready;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}/${RECORDS})`;
    await follower.waitFor('the shuffler to take 1000 records', () => tally.delivered >= 1_000, 60_000, progress);

    const second = MemberProcess.start(base('second'));
    members.push(second);
    await second.ready;
    await follower.waitFor(
      'a late ack after the shuffler’s revoke',
      () => tally.eventsOf('shuffler', 'revoke').length > 0 && tally.lateAcks > 0,
      60_000,
      progress,
    );
    await follower.waitFor('every record acked', () => tally.acked.size >= RECORDS, 90_000, progress);
    await Promise.all([shuffler.stop(), second.stop()]);

    const report = checkInvariants(readRunLogs(run.dir));
    t.diagnostic(`stats: ${JSON.stringify(report.stats)}`);
    assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
    assert.ok(report.stats.commitsBehindGap > 0, 'some commits happened while an out-of-order ack waited beyond a gap');
    assert.ok(report.stats.acksAfterRevoke > 0, 'the shuffler acked partitions after their revoke');
    assert.ok(report.stats.duplicates > 0, 'records acked only after the revoke were delivered again to the new owner');
    await assertCommittedAtLogEnd(admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });
});
