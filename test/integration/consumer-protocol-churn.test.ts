/**
 * The KIP-848 consumer protocol under membership churn with a producer running (issue 13, "Tests"):
 * member processes of one group (`groupProtocol: 'consumer'`, server assignor `uniform`) on a
 * 12-partition topic.
 *
 * - A fourth member joins and a member leaves cleanly (SIGTERM) while records arrive: I1–I7 hold
 *   (nothing lost, duplicates bounded, no partition owned by two members at once across epochs), the
 *   moves were clean revocations, and the final commits reach the log end.
 * - A member SIGKILLed mid-stream loses nothing: the survivors take its partitions over once the
 *   broker's session timeout (10 s on the test broker) expires it, starting at its last commit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueTopic } from '../helpers/env.js';
import { checkInvariants, formatViolations } from '../helpers/invariants.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import { Ownership } from '../helpers/ownership.js';
import { consumerMember } from '../helpers/protocol-members.js';
import { readRunLogs, type RunLine } from '../helpers/recorder.js';
import { assertCommittedAtLogEnd, createRun, produceLogged, removeRun, scenarioClients } from '../helpers/scenario.js';

const PARTITIONS = 12;

const clients = scenarioClients({ lingerMs: 5 });

/** A fresh topic, group and run with an ownership replay; `start` launches members that the file's hooks dispose of. */
async function setUp(name: string, extra: Partial<MemberConfig> = {}) {
  const { admin, members, topics } = clients;
  const topic = uniqueTopic(name);
  const groupId = `${topic}-group`;
  topics.push(topic);
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const run = createRun(name);
  const ownership = new Ownership();
  run.follower.onLine((line) => ownership.add(line));
  const start = (member: string): MemberProcess => {
    const m = MemberProcess.start(consumerMember(run, member, groupId, topic, extra));
    members.push(m);
    return m;
  };
  return { topic, groupId, run, ownership, start };
}

/** Assign lines of a member, in order. */
function assigns(lines: readonly RunLine[], member: string): Extract<RunLine, { t: 'assign' }>[] {
  return lines.filter((l): l is Extract<RunLine, { t: 'assign' }> => l.t === 'assign' && l.member === member);
}

describe('the consumer protocol under churn', () => {
  it('members join and leave under load: nothing lost, no partition owned twice, commits at the log end', { timeout: 180_000 }, async (t) => {
    const records = 20_000;
    const { topic, groupId, run, ownership, start } = await setUp('kip848-churn');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}/${records}; owned ${ownership.describe()})`;
    const deliveredAtLeast = (n: number) => follower.waitFor(`${n} deliveries`, () => tally.delivered >= n, 60_000, progress);

    const [m1, m2, m3] = [start('m1'), start('m2'), start('m3')];
    await Promise.all([m1.ready, m2.ready, m3.ready]);
    await follower.waitFor('three members sharing every partition', () => ownership.settled(PARTITIONS, ['m1', 'm2', 'm3'], 4), 60_000, progress);
    const producing = produceLogged(clients.producer, run.harness, topic, { count: records, chunk: 500, keys: 1_000, pauseMs: 300 });

    await deliveredAtLeast(3_000);
    const m4 = start('m4');
    await m4.ready;
    await follower.waitFor('the fourth member holding its share', () => ownership.settled(PARTITIONS, ['m1', 'm2', 'm3', 'm4'], 3), 60_000, progress);

    await deliveredAtLeast(9_000);
    await m2.stop();
    await follower.waitFor("m2's partitions owned by the others", () => ownership.settled(PARTITIONS, ['m1', 'm3', 'm4'], 4), 60_000, progress);

    await producing;
    await follower.waitFor('every record acked', () => tally.acked.size >= records, 90_000, progress);
    await Promise.all([m1.stop(), m3.stop(), m4.stop()]);

    const lines = readRunLogs(run.dir);
    const report = checkInvariants(lines);
    t.diagnostic(`stats: ${JSON.stringify(report.stats)}`);
    assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
    assert.equal(report.stats.produced, records);
    // The join moved 3 partitions to m4, m2's leave released its 4 (a leave revokes, then stops), the final stops the rest: all clean.
    const { revoke, stopped, lost, killed } = report.stats.periodEnds;
    assert.ok(revoke + stopped >= 3 + 4 + PARTITIONS && lost + killed === 0, `every ownership ended cleanly: ${JSON.stringify(report.stats.periodEnds)}`);
    // Member epochs never go back (partitions released by others may arrive later in the same epoch).
    for (const member of ['m1', 'm3', 'm4']) {
      const epochs = assigns(lines, member).map((l) => l.generation);
      assert.ok(epochs.length >= 1 && epochs.every((e, i) => e > 0 && (i === 0 || e >= (epochs[i - 1] as number))), `${member}'s assignment epochs never go back: ${epochs.join(', ')}`);
    }
    assert.deepEqual(tally.events.filter((e) => e.t === 'error'), [], 'no member reported an error it could not absorb');
    await assertCommittedAtLogEnd(clients.admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });

  it('a member SIGKILLed mid-stream loses nothing: the survivors take over after the session timeout', { timeout: 180_000 }, async (t) => {
    const records = 12_000;
    // Commits every 2 s only: the killed member surely dies with acked, uncommitted records.
    const { topic, groupId, run, ownership, start } = await setUp('kip848-kill', { commit: { strategy: 'async', intervalMs: 2_000, threshold: 100_000 } });
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}/${records}; owned ${ownership.describe()})`;

    const [m1, m2, m3] = [start('m1'), start('m2'), start('m3')];
    await Promise.all([m1.ready, m2.ready, m3.ready]);
    await follower.waitFor('three members sharing every partition', () => ownership.settled(PARTITIONS, ['m1', 'm2', 'm3'], 4), 60_000, progress);
    const producing = produceLogged(clients.producer, run.harness, topic, { count: records, chunk: 400, keys: 1_000, pauseMs: 300 });

    await follower.waitFor('3000 deliveries', () => tally.delivered >= 3_000, 60_000, progress);
    // Kill m1 right after it took a batch, so it dies holding unacked, uncommitted records.
    const before = tally.deliveredBy.get('m1') ?? 0;
    await follower.waitFor('a fresh delivery to m1', () => (tally.deliveredBy.get('m1') ?? 0) > before, 30_000, progress, 5);
    const victims = ownership.owned('m1');
    await m1.kill(run.harness);
    const killedAt = Date.now();
    await follower.waitFor("m1's partitions taken over by the survivors", () => ownership.settled(PARTITIONS, ['m2', 'm3'], 6), 60_000, progress);
    const takenOver = ownership.changes.filter((l) => l.t === 'assign' && l.ts >= killedAt - 1_000 && l.partitions.some((p) => victims.includes(`${p.topic}:${p.partition}`)));
    t.diagnostic(`the survivors were assigned m1's partitions ${Math.round(Math.max(...takenOver.map((l) => l.ts)) - killedAt)} ms after the kill (broker session timeout 10 s)`);

    await producing;
    await follower.waitFor('every record acked', () => tally.acked.size >= records, 90_000, progress);
    await Promise.all([m2.stop(), m3.stop()]);

    const report = checkInvariants(readRunLogs(run.dir));
    t.diagnostic(`stats: ${JSON.stringify(report.stats)}`);
    assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
    assert.equal(report.stats.produced, records);
    assert.equal(report.stats.periodEnds.killed, victims.length, 'every partition of m1 ended with the kill');
    assert.ok(report.stats.duplicates > 0, 'm1 died holding delivered, uncommitted records, delivered again to the survivors (I2 was exercised)');
    assert.deepEqual(tally.events.filter((e) => e.t === 'error'), [], 'no member reported an error it could not absorb');
    await assertCommittedAtLogEnd(clients.admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });
});
