/**
 * The KIP-848 consumer protocol's particular behaviours, with member processes (issue 13, "Tests"):
 *
 * - revocation under a slow handler: a member holding records when the broker revokes half of its
 *   partitions (a second member joined) drains up to drainTimeoutMs, commits exactly its acked
 *   prefix with its member epoch, and the new owner starts exactly there;
 * - a static member (groupInstanceId) stopped and restarted within the session timeout gets its
 *   partitions back without a rebalance: the other member sees no assign, revoke or loss and its
 *   epoch does not move;
 * - subscription by regular expression, evaluated by the broker: a topic created after the group
 *   started is assigned without any client-side metadata scan (the time the broker took is printed).
 *   Kafka resolves a group's expressions again at most every 10 s (GroupMetadataManager's
 *   REGEX_BATCH_REFRESH_MIN_INTERVAL_MS, not configurable), at a heartbeat after the topic appeared:
 *   measured about 10.5 s here with the test broker's 1 s heartbeat, so the bound below is generous.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueTopic } from '../helpers/env.js';
import { checkInvariants, formatViolations } from '../helpers/invariants.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import { Ownership, partitionKey } from '../helpers/ownership.js';
import { consumerMember } from '../helpers/protocol-members.js';
import { readRunLogs, type RunLine } from '../helpers/recorder.js';
import { assertCommittedAtLogEnd, createRun, produceLogged, removeRun, scenarioClients, type Run } from '../helpers/scenario.js';

const clients = scenarioClients({ lingerMs: 5 });

/** A fresh topic of `partitions`, a group, a run with an ownership replay and every line kept. */
async function setUp(name: string, partitions: number) {
  const topic = uniqueTopic(name);
  clients.topics.push(topic);
  await clients.admin.createTopics([{ topic, partitions }]);
  const run = createRun(name);
  const ownership = new Ownership();
  const seen: RunLine[] = [];
  run.follower.onLine((line) => {
    ownership.add(line);
    seen.push(line);
  });
  return { topic, groupId: `${topic}-group`, run, ownership, seen };
}

function startMember(config: MemberConfig): MemberProcess {
  const m = MemberProcess.start(config);
  clients.members.push(m);
  return m;
}

/** I1–I7 hold, `records` were produced, and no member reported an error but those `expected` matches. */
function assertClean(run: Run, records: number, expected?: RegExp): ReturnType<typeof checkInvariants> {
  const report = checkInvariants(readRunLogs(run.dir));
  assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
  assert.equal(report.stats.produced, records);
  const errors = run.tally.events.filter((e) => e.t === 'error' && !(expected && expected.test(e.message)));
  assert.deepEqual(errors, [], 'no member reported an error it could not absorb');
  return report;
}

describe('the consumer protocol (KIP-848)', () => {
  it('revocation under a slow handler commits the acked prefix and the new owner starts exactly there', { timeout: 120_000 }, async (t) => {
    const partitions = 12;
    const records = 6_000;
    const drainTimeoutMs = 1_000;
    const { topic, groupId, run, ownership, seen } = await setUp('kip848-slow-revoke', partitions);
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}/${records}; owned ${ownership.describe()})`;
    await produceLogged(clients.producer, run.harness, topic, { count: records, chunk: 1_000, keys: 600, pauseMs: 0 });

    const base = (member: string): MemberConfig =>
      consumerMember(run, member, groupId, topic, { drainTimeoutMs, maxDemand: 40, commit: { strategy: 'async', intervalMs: 100, threshold: 3 } });
    // After 1000 records the first member holds every batch it has until its partition is revoked,
    // and acks it only after the drain timeout: those records are in flight, unacked, at the revoke.
    const slow = startMember({ ...base('slow'), handlerDelayMs: 20, holdAfterRecords: 1_000, lateAckMs: drainTimeoutMs * 3 });
    await slow.ready;
    await follower.waitFor('the slow member to take 1000 records', () => tally.delivered >= 1_000, 60_000, progress);
    const next = startMember(base('next'));
    await next.ready;
    await follower.waitFor('half the partitions moved to the new member', () => ownership.settled(partitions, ['slow', 'next'], partitions / 2), 60_000, progress);
    await follower.waitFor(
      'the new member delivering every partition it took',
      () => ownership.owned('next').every((k) => seen.some((l) => l.t === 'deliver' && l.member === 'next' && partitionKey(l.topic, l.partition) === k)),
      60_000,
      progress,
    );

    const revoked = seen.filter((l): l is Extract<RunLine, { t: 'revoke' }> => l.t === 'revoke' && l.member === 'slow').flatMap((l) => l.partitions.map((p) => ({ ...p, ts: l.ts })));
    assert.equal(revoked.length, partitions / 2, 'the join revoked half of the slow member’s partitions');
    let held = 0;
    for (const { topic: tp, partition, ts } of revoked) {
      const of = (l: RunLine, member: string): boolean => l.member === member && 'partition' in l && l.partition === partition && 'topic' in l && l.topic === tp;
      const acked = new Set(seen.filter((l): l is Extract<RunLine, { t: 'ack' }> => l.t === 'ack' && of(l, 'slow') && !l.afterAbort && l.ts < ts).flatMap((l) => l.offsets));
      const delivered = seen.filter((l): l is Extract<RunLine, { t: 'deliver' }> => l.t === 'deliver' && of(l, 'slow') && l.ts < ts).flatMap((l) => l.offsets);
      let prefix = 0;
      while (acked.has(prefix)) prefix++;
      const commits = seen.flatMap((l) => (l.t === 'commit' && l.member === 'slow' && l.error === null && l.ts < ts ? l.offsets.filter((o) => o.partition === partition && o.topic === tp) : []));
      const lastCommit = commits.at(-1)?.offset;
      const firstNew = seen.find((l): l is Extract<RunLine, { t: 'deliver' }> => l.t === 'deliver' && of(l, 'next'))?.offsets[0];
      assert.equal(lastCommit, prefix, `partition ${partition}: the revoke committed the acked prefix ${prefix} (delivered up to ${Math.max(...delivered)})`);
      assert.equal(firstNew, prefix, `partition ${partition}: the new owner started at the committed prefix`);
      if (delivered.some((o) => o >= prefix)) held++;
    }
    assert.ok(held > 0, 'some revoked partition had delivered, unacked records when the drain timed out');
    await follower.waitFor('the slow member acking held records after their revoke', () => tally.lateAcks > 0, 30_000, progress);

    // The slow member leaves; the new one consumes the rest. Late acks (after a revoke) do not count:
    // those records must be processed again by their new owner.
    await slow.stop();
    const settled = (): number => new Set(seen.flatMap((l) => (l.t === 'ack' && !l.afterAbort ? l.offsets.map((o) => `${l.partition}:${o}`) : []))).size;
    await follower.waitFor('every record acked before any revoke', () => settled() >= records, 90_000, progress);
    await next.stop();
    // The slow member's subscribers ignore their stop signal past the drain timeout by design: its stop says so.
    const report = assertClean(run, records, /^SubscriberTimeoutError: stop\(\) gave up/);
    t.diagnostic(`stats: ${JSON.stringify(report.stats)}`);
    assert.ok(report.stats.duplicates > 0, 'the held records were delivered again to the new owner');
    await assertCommittedAtLogEnd(clients.admin, groupId, topic, partitions);
    removeRun(run);
  });

  it('a static member restarted within the session timeout gets its partitions back without a rebalance', { timeout: 120_000 }, async (t) => {
    const partitions = 6;
    const { topic, groupId, run, ownership, seen } = await setUp('kip848-static', partitions);
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}; owned ${ownership.describe()})`;
    const member = (name: string, instance: string): MemberConfig => consumerMember(run, name, groupId, topic, { groupInstanceId: instance });
    const first = startMember(member('s1', 'instance-1'));
    const other = startMember(member('s2', 'instance-2'));
    await Promise.all([first.ready, other.ready]);
    await follower.waitFor('two static members sharing every partition', () => ownership.settled(partitions, ['s1', 's2'], partitions / 2), 60_000, progress);
    // Records after the split, so both members log lines in the epoch they reconciled to.
    await produceLogged(clients.producer, run.harness, topic, { count: 600, chunk: 600, keys: 120, pauseMs: 0 });
    await follower.waitFor('the first 600 records acked', () => tally.acked.size >= 600, 60_000, progress);
    const epochs = (member: string, from = 0): Set<number> => new Set(seen.slice(from).flatMap((l) => (l.member === member && 'generation' in l ? [l.generation] : [])));
    // Both members log their current epoch with every delivery and commit: once they agree, the split's epoch reached both.
    await follower.waitFor('both members in the same epoch', () => Math.max(...epochs('s1')) === Math.max(...epochs('s2')), 30_000, () => `s1 ${[...epochs('s1')].join(', ')}; s2 ${[...epochs('s2')].join(', ')}`);
    const s1Partitions = ownership.owned('s1');
    const s2Partitions = ownership.owned('s2');
    const s2Epoch = Math.max(...epochs('s2'));
    const mark = seen.length;

    // Stop (a static leave: epoch -2 keeps the assignment for the session timeout) and restart at once.
    await first.stop();
    const again = startMember(member('s1-again', 'instance-1'));
    await again.ready;
    await follower.waitFor('the restarted member owning its partitions', () => ownership.owned('s1-again').length === partitions / 2, 60_000, progress);
    await produceLogged(clients.producer, run.harness, topic, { count: 600, chunk: 600, keys: 120, pauseMs: 0, firstSeq: 600 });
    await follower.waitFor('all 1200 records acked', () => tally.acked.size >= 1_200, 60_000, progress);

    assert.deepEqual(ownership.owned('s1-again'), s1Partitions, 'the restarted static member got exactly its partitions back');
    const s2Changes = seen.slice(mark).filter((l) => l.member === 's2' && (l.t === 'assign' || l.t === 'revoke' || l.t === 'lost'));
    assert.deepEqual(s2Changes, [], 'the other member saw no assign, revoke or loss');
    assert.deepEqual(ownership.owned('s2'), s2Partitions);
    assert.deepEqual([...epochs('s2', mark)], [s2Epoch], 'the other member consumed and committed in the same epoch throughout');
    assert.ok(seen.slice(mark).some((l) => l.member === 's2' && l.t === 'deliver'), 'the other member kept consuming');
    t.diagnostic(`static member epochs: before ${JSON.stringify(seen.filter((l) => l.member === 's1' && l.t === 'assign').map((l) => 'generation' in l && l.generation))}, after ${JSON.stringify(seen.filter((l) => l.member === 's1-again' && l.t === 'assign').map((l) => 'generation' in l && l.generation))}; the other's ${s2Epoch}`);

    await Promise.all([again.stop(), other.stop()]);
    assertClean(run, 1_200);
    await assertCommittedAtLogEnd(clients.admin, groupId, topic, partitions);
    removeRun(run);
  });

  it('a regex subscription picks up a topic created after the group started', { timeout: 120_000 }, async (t) => {
    const prefix = uniqueTopic('kip848-regex');
    const [first, later] = [`${prefix}-a`, `${prefix}-b`];
    clients.topics.push(first, later);
    await clients.admin.createTopics([{ topic: first, partitions: 3 }]);
    const run = createRun('kip848-regex');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const ownership = new Ownership();
    follower.onLine((line) => ownership.add(line));
    const progress = (): string => `(acked ${tally.acked.size}; owned ${ownership.describe()})`;
    await produceLogged(clients.producer, run.harness, first, { count: 300, chunk: 300, keys: 60, pauseMs: 0 });

    // The broker evaluates the expression (RE2/J); the topic names hold only [a-z0-9-].
    const member = startMember(consumerMember(run, 'r1', `${prefix}-group`, first, { topicRegex: `${prefix}-.*` }));
    await member.ready;
    await follower.waitFor('the first topic consumed', () => tally.acked.size >= 300, 60_000, progress);
    assert.deepEqual(ownership.owned('r1'), [0, 1, 2].map((p) => partitionKey(first, p)));

    await clients.admin.createTopics([{ topic: later, partitions: 3 }]);
    const createdAt = Date.now();
    await follower.waitFor('the new topic assigned', () => ownership.owned('r1').length === 6, 60_000, progress);
    const noticedMs = Math.round((ownership.changes.find((l) => l.t === 'assign' && l.partitions.some((p) => p.topic === later))?.ts ?? 0) - createdAt);
    t.diagnostic(`the broker assigned a topic created after the group started ${noticedMs} ms after its creation (heartbeat 1 s)`);
    // A generous bound: the broker re-resolves a group's expressions at most every 10 s; the point is that it does.
    assert.ok(noticedMs < 45_000, `the new topic was picked up within 45 s (took ${noticedMs} ms)`);
    await produceLogged(clients.producer, run.harness, later, { count: 300, chunk: 300, keys: 60, pauseMs: 0 });
    await follower.waitFor('the new topic consumed', () => tally.acked.size >= 600, 60_000, progress);

    await member.stop();
    assertClean(run, 600);
    removeRun(run);
  });
});
