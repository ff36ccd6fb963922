/**
 * Migrating a classic group to the KIP-848 consumer protocol (issue 13, "What to build"), with member
 * processes and a producer logging every record:
 *
 * - online: three classic members (cooperative-sticky) restart one by one with
 *   `groupProtocol: 'consumer'` while records arrive. Kafka 4 converts the group when the first
 *   consumer-protocol member joins it (group.consumer.migration.policy, default `bidirectional`)
 *   and hosts both kinds of member meanwhile; ListGroups shows the type change;
 * - offline: every classic member stops, then consumer-protocol members start on the empty group;
 *   they start at the classic members' commits.
 *
 * Both: I1–I7 hold over the merged logs (nothing lost, no partition owned twice, the new owners
 * start at the commits) and the final commits reach the log end.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uniqueTopic } from '../helpers/env.js';
import { checkInvariants, formatViolations } from '../helpers/invariants.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import { Ownership } from '../helpers/ownership.js';
import { consumerMember } from '../helpers/protocol-members.js';
import { readRunLogs } from '../helpers/recorder.js';
import { assertCommittedAtLogEnd, createRun, produceLogged, removeRun, scenarioClients, type Run } from '../helpers/scenario.js';

const PARTITIONS = 12;

const clients = scenarioClients({ lingerMs: 5 });

/** A classic member (cooperative-sticky) of the same group, with timings like the broker's for consumer groups. */
function classicMember(run: Run, member: string, groupId: string, topic: string): MemberConfig {
  const { groupProtocol: _protocol, serverAssignor: _assignor, ...common } = consumerMember(run, member, groupId, topic);
  return { ...common, assignors: ['cooperative-sticky'], sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 };
}

/** The group's type as ListGroups (v5+) reports it: `classic` or `consumer`. */
async function groupType(groupId: string): Promise<string | undefined> {
  return (await clients.admin.listGroups()).find((g) => g.groupId === groupId)?.type;
}

async function setUp(name: string) {
  const topic = uniqueTopic(name);
  clients.topics.push(topic);
  await clients.admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const run = createRun(name);
  const ownership = new Ownership();
  run.follower.onLine((line) => ownership.add(line));
  const start = (config: MemberConfig): MemberProcess => {
    const m = MemberProcess.start(config);
    clients.members.push(m);
    return m;
  };
  return { topic, groupId: `${topic}-group`, run, ownership, start };
}

function assertClean(run: Run, records: number): void {
  const report = checkInvariants(readRunLogs(run.dir));
  assert.deepEqual(report.violations, [], `invariant violations (logs in ${run.dir}):\n${formatViolations(report)}`);
  assert.equal(report.stats.produced, records);
  assert.deepEqual(run.tally.events.filter((e) => e.t === 'error'), [], 'no member reported an error it could not absorb');
}

describe('migrating a classic group to the consumer protocol', () => {
  it('online: classic members restart one by one as consumer-protocol members under load; nothing lost, no overlap', { timeout: 240_000 }, async (t) => {
    const records = 15_000;
    const { topic, groupId, run, ownership, start } = await setUp('kip848-online');
    t.diagnostic(`run logs: ${run.dir}`);
    const policy = (await clients.admin.describeConfigs([{ type: 'broker', name: '1', keys: ['group.consumer.migration.policy'] }]))[0]?.entries[0]?.value;
    t.diagnostic(`group.consumer.migration.policy=${policy}`);
    const { follower, tally } = run;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}/${records}; owned ${ownership.describe()})`;
    const settled = (members: string[]) => follower.waitFor(`${members.join(', ')} sharing every partition`, () => ownership.settled(PARTITIONS, members, PARTITIONS / members.length), 90_000, progress);

    const classic = ['c1', 'c2', 'c3'].map((name) => start(classicMember(run, name, groupId, topic)));
    await Promise.all(classic.map((m) => m.ready));
    await settled(['c1', 'c2', 'c3']);
    assert.equal(await groupType(groupId), 'classic');
    const producing = produceLogged(clients.producer, run.harness, topic, { count: records, chunk: 500, keys: 1_000, pauseMs: 400 });

    const upgraded: MemberProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const before = tally.delivered;
      // Upgrade while records flow; on a slow machine the producer may have finished (and everything
      // been delivered) before the last upgrade, which must not leave this wait hanging.
      await follower.waitFor('records flowing', () => tally.delivered >= Math.min(before + 1_500, records), 60_000, progress);
      await (classic[i] as MemberProcess).stop();
      const next = start(consumerMember(run, `n${i + 1}`, groupId, topic));
      upgraded.push(next);
      await next.ready;
      const members = [...['c1', 'c2', 'c3'].slice(i + 1), ...upgraded.map((_, j) => `n${j + 1}`)];
      await settled(members);
      // With a classic member still in it, the group hosts both protocols: it converted online.
      if (i === 0) assert.equal(await groupType(groupId), 'consumer', 'the first consumer-protocol member converted the group');
    }

    await producing;
    await follower.waitFor('every record acked', () => tally.acked.size >= records, 90_000, progress);
    await Promise.all(upgraded.map((m) => m.stop()));
    assertClean(run, records);
    await assertCommittedAtLogEnd(clients.admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });

  it('offline: every classic member stops, consumer-protocol members start at their commits', { timeout: 180_000 }, async (t) => {
    const { topic, groupId, run, ownership, start } = await setUp('kip848-offline');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const progress = (): string => `(delivered ${tally.delivered}, acked ${tally.acked.size}; owned ${ownership.describe()})`;
    await produceLogged(clients.producer, run.harness, topic, { count: 6_000, chunk: 1_000, keys: 600, pauseMs: 0 });

    const classic = ['c1', 'c2'].map((name) => start({ ...classicMember(run, name, groupId, topic), maxDemand: 10, handlerDelayMs: 100 }));
    await Promise.all(classic.map((m) => m.ready));
    await follower.waitFor('3000 records acked by the classic members', () => tally.acked.size >= 3_000, 60_000, progress);
    await Promise.all(classic.map((m) => m.stop()));
    assert.ok(tally.acked.size < 6_000, 'the classic members stopped with records left to read');
    assert.equal(await groupType(groupId), 'classic', 'an empty classic group holding offsets');

    await produceLogged(clients.producer, run.harness, topic, { count: 3_000, chunk: 1_000, keys: 600, pauseMs: 0, firstSeq: 6_000 });
    const upgraded = ['n1', 'n2'].map((name) => start(consumerMember(run, name, groupId, topic)));
    await Promise.all(upgraded.map((m) => m.ready));
    await follower.waitFor('every record acked', () => tally.acked.size >= 9_000, 90_000, progress);
    assert.equal(await groupType(groupId), 'consumer');
    await Promise.all(upgraded.map((m) => m.stop()));
    assertClean(run, 9_000);
    await assertCommittedAtLogEnd(clients.admin, groupId, topic, PARTITIONS);
    removeRun(run);
  });
});
