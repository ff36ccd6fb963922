/**
 * The KIP-848 member (src/group/consumer-protocol-membership.ts) through ConsumerGroup on the fake
 * cluster's consumer-group coordinator, at the points a real broker makes hard to reach on demand:
 * a revocation whose commit is held (the partition must not be released before its commit lands),
 * fencing (lost, not revoked; rejoin with the same member id), a stale epoch on a commit, a stop
 * while the join is unanswered, and a fatal answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { GroupAuthorizationError } from '../../src/protocol/kafka-error.js';
import type { TopicPartition } from '../../src/protocol/topic-partition.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';

const TOPIC = 'orders';
const GROUP = 'billing';

async function clusterWith(partitions: number, perPartition: number): Promise<FakeKafkaCluster> {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: TOPIC, partitions }], consumerHeartbeatIntervalMs: 50, consumerSessionTimeoutMs: 3_000 });
  for (let p = 0; p < partitions; p++) await cluster.append(TOPIC, p, Array.from({ length: perPartition }, (_, i) => ({ value: `${p}-${i}` })));
  return cluster;
}

/** A member that records, per partition, every offset it was handed, and acks each batch. */
function member(cluster: FakeKafkaCluster, seen: Map<number, number[]>, options: { commit?: 'async' | 'none'; instance?: string } = {}) {
  const events: string[] = [];
  const group = new ConsumerGroup(
    {
      brokers: cluster.bootstrap,
      groupId: GROUP,
      topics: [TOPIC],
      groupProtocol: 'consumer',
      autoOffsetReset: 'earliest',
      // Commits only at a revoke or a stop (async with a long interval): what a revoke commits is then visible.
      commit: { strategy: options.commit ?? 'async', intervalMs: 3_600_000 },
      ...(options.instance ? { groupInstanceId: options.instance } : {}),
    },
    async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 10 })) {
        seen.set(stage.partition, [...(seen.get(stage.partition) ?? []), ...batch.records.map((r) => r.offset)]);
        await stage.ack(batch);
      }
    },
  );
  group.on('lost', ({ partitions, reason }) => events.push(`lost ${names(partitions)} (${reason})`));
  group.on('revoke', ({ partitions }) => events.push(`revoke ${names(partitions)}`));
  group.on('error', (err) => events.push(`error ${err.message}`));
  return { group, events };
}

const names = (partitions: readonly TopicPartition[]): string => partitions.map((p) => p.partition).join(',');
const count = (seen: Map<number, number[]>): number => [...seen.values()].reduce((n, l) => n + l.length, 0);

test('a revoked partition is released only once its drain and commit are done: while acks are outstanding the next member gets none of it, then starts exactly at the commit', async () => {
  const cluster = await clusterWith(4, 30);
  const seenA = new Map<number, number[]>();
  const seenB = new Map<number, number[]>();
  // a acks offsets below 20 at once and holds the acks of 20..29 until told: a revoke must wait for them.
  const heldAcks: (() => Promise<void>)[] = [];
  const a = new ConsumerGroup(
    { brokers: cluster.bootstrap, groupId: GROUP, topics: [TOPIC], groupProtocol: 'consumer', autoOffsetReset: 'earliest', drainTimeoutMs: 30_000, commit: { strategy: 'async', intervalMs: 3_600_000 } },
    async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 10 })) {
        seenA.set(stage.partition, [...(seenA.get(stage.partition) ?? []), ...batch.records.map((r) => r.offset)]);
        for (const record of batch.records) {
          if (record.offset >= 20) heldAcks.push(() => stage.ack(record));
          else await stage.ack(record);
        }
      }
    },
  );
  const b = member(cluster, seenB);
  const beatsOf = (memberId: string): number => cluster.requests('ConsumerGroupHeartbeat').filter((r) => (r.body as { memberId: string }).memberId === memberId).length;
  try {
    await a.start();
    await eventually(() => count(seenA) === 120 && heldAcks.length === 40, { what: 'a read everything, offsets 20-29 of each partition unacked', timeoutMs: 10_000 });
    await b.group.start();
    await eventually(() => (cluster.consumerGroup(GROUP)?.members.find((m) => m.memberId === a.memberId)?.pendingRevocation.length ?? 0) === 2, {
      what: 'a told to give up two partitions',
      timeoutMs: 10_000,
    });
    // Heartbeats of a go on while it drains: they must keep reporting the partitions as its own.
    const beats = beatsOf(a.memberId);
    await eventually(() => beatsOf(a.memberId) >= beats + 6, { what: 'six more heartbeats of a', timeoutMs: 10_000 });
    const bView = cluster.consumerGroup(GROUP)?.members.find((m) => m.memberId === b.group.memberId);
    assert.deepEqual(bView?.assigned ?? [], [], 'b holds nothing while a drains the revoked partitions');
    assert.equal(count(seenB), 0);
    await Promise.all(heldAcks.map((ack) => ack()));
    await eventually(() => (cluster.consumerGroup(GROUP)?.members.every((m) => m.assigned.length === 2 && m.state === 'STABLE') ?? false), { what: 'a 2/2 split', timeoutMs: 10_000 });
    const kept = new Set(a.stats().map((s) => s.partition));
    const moved = [0, 1, 2, 3].filter((p) => !kept.has(p));
    assert.equal(moved.length, 2, 'two partitions moved from a');
    for (const p of moved) assert.equal(cluster.committed(GROUP, TOPIC, p), 30, `partition ${p}: a's revoke committed its acked prefix, the late acks included`);
    for (let p = 0; p < 4; p++) await cluster.append(TOPIC, p, [{ value: `${p}-late` }]);
    await eventually(() => count(seenA) + count(seenB) === 124, { what: 'the late records', timeoutMs: 10_000 });
    for (const p of moved) assert.deepEqual(seenB.get(p), [30], `partition ${p}: b starts exactly at a's commit`);
  } finally {
    await b.group.stop();
    await a.stop();
    await cluster.stop();
  }
});

test('fenced (the coordinator expired the member): partitions lost without a commit, the member rejoins with the same id and is given them again', async () => {
  const cluster = await clusterWith(2, 20);
  const seen = new Map<number, number[]>();
  const a = member(cluster, seen);
  try {
    await a.group.start();
    await eventually(() => count(seen) === 40, { what: 'everything read and acked', timeoutMs: 10_000 });
    const id = a.group.memberId;
    const epoch = a.group.generationId;
    assert.ok(cluster.expireMember(GROUP, id), 'the fake knew the member');
    await eventually(() => a.events.some((e) => e.startsWith('lost 0,1')), { what: 'both partitions lost', timeoutMs: 10_000, progress: () => a.events.join('; ') });
    await eventually(() => (cluster.consumerGroup(GROUP)?.members[0]?.assigned.length ?? 0) === 2 && a.group.generationId > epoch, {
      what: 'rejoined and reassigned',
      timeoutMs: 10_000,
    });
    assert.equal(a.group.memberId, id, 'KIP-1082: the same member id across the rejoin');
    assert.equal(cluster.committed(GROUP, TOPIC, 0), undefined, 'the fenced member committed nothing of what it had acked');
    // Its acks were not committed, so they come again: at least once.
    await eventually(() => count(seen) === 80, { what: 'the uncommitted records again', timeoutMs: 10_000 });
  } finally {
    await a.group.stop();
    await cluster.stop();
  }
  assert.equal(cluster.committed(GROUP, TOPIC, 1), 20, 'the stop after the rejoin commits');
  assert.ok(!a.events.some((e) => e.startsWith('revoke 0,1') && a.events.indexOf(e) < a.events.findIndex((x) => x.startsWith('lost'))), 'lost, not revoked');
});

test('a commit answered STALE_MEMBER_EPOCH is retried once the next heartbeat answer comes, and lands', async () => {
  const cluster = await clusterWith(1, 10);
  const seen = new Map<number, number[]>();
  const a = member(cluster, seen, { commit: 'none' });
  try {
    await a.group.start();
    await eventually(() => count(seen) === 10, { what: 'ten records', timeoutMs: 10_000 });
    cluster.fail('OffsetCommit', 'STALE_MEMBER_EPOCH');
    const beats = cluster.requests('ConsumerGroupHeartbeat').length;
    await a.group.commit();
    const commits = cluster.requests('OffsetCommit');
    assert.equal(commits.length, 2, 'refused once, sent again');
    assert.ok(cluster.requests('ConsumerGroupHeartbeat').length > beats, 'a heartbeat went between the two');
    assert.equal(cluster.committed(GROUP, TOPIC, 0), 10);
  } finally {
    await a.group.stop();
    await cluster.stop();
  }
});

test('stop() while the join is unanswered still leaves (epoch -1, the client-made id): the group is left with no member', async () => {
  const cluster = await clusterWith(2, 1);
  const a = member(cluster, new Map());
  try {
    const release = cluster.hold('ConsumerGroupHeartbeat');
    const started = a.group.start();
    await eventually(() => cluster.requests('ConsumerGroupHeartbeat').length === 1, { what: 'the join sent', timeoutMs: 10_000 });
    const stopped = a.group.stop();
    release();
    await assert.rejects(started, (err: unknown) => err instanceof Error && /stop|closed/i.test(err.message));
    await stopped;
    const beats = cluster.requests('ConsumerGroupHeartbeat').map((r) => (r.body as { memberEpoch: number; memberId: string }));
    assert.deepEqual(
      beats.map((b) => b.memberEpoch),
      [0, -1],
      'the join, then the leave',
    );
    assert.equal(beats[1]?.memberId, beats[0]?.memberId);
    assert.equal(cluster.consumerGroup(GROUP)?.members.length ?? 0, 0);
  } finally {
    await cluster.stop();
  }
});

test('a fatal heartbeat answer fails start() with the typed error, the group named', async () => {
  const cluster = await clusterWith(1, 1);
  const a = member(cluster, new Map());
  try {
    cluster.fail('ConsumerGroupHeartbeat', 'GROUP_AUTHORIZATION_FAILED');
    await assert.rejects(a.group.start(), (err: unknown) => err instanceof GroupAuthorizationError && err.groupId === GROUP);
  } finally {
    await a.group.stop();
    await cluster.stop();
  }
});

test('a cluster down for longer than the retry deadline does not end the membership: once it is back the member heartbeats again and consumes', async () => {
  const cluster = await clusterWith(1, 5);
  const seen = new Map<number, number[]>();
  const errors: Error[] = [];
  const a = new ConsumerGroup(
    {
      brokers: cluster.bootstrap,
      groupId: GROUP,
      topics: [TOPIC],
      groupProtocol: 'consumer',
      autoOffsetReset: 'earliest',
      // A short retry deadline: the coordinator look-up gives up (RetriesExhaustedError) while the broker is down.
      retry: { retries: 2, initialBackoffMs: 20, maxBackoffMs: 50, deadlineMs: 200 },
    },
    async (stage) => {
      for await (const batch of stage.batches()) {
        seen.set(stage.partition, [...(seen.get(stage.partition) ?? []), ...batch.records.map((r) => r.offset)]);
        await stage.ack(batch);
      }
    },
  );
  a.on('error', (err) => errors.push(err));
  try {
    await a.start();
    await eventually(() => count(seen) === 5, { what: 'five records', timeoutMs: 10_000 });
    await cluster.dropBroker(1);
    const beats = cluster.requests('ConsumerGroupHeartbeat').length;
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // several retry deadlines pass with no broker
    await cluster.restoreBroker(1);
    await eventually(() => cluster.requests('ConsumerGroupHeartbeat').length > beats, { what: 'heartbeats again', timeoutMs: 10_000 });
    await cluster.append(TOPIC, 0, [{ value: 'after' }]);
    await eventually(() => count(seen) >= 6, { what: 'the record written after the outage', timeoutMs: 10_000 });
  } finally {
    await a.stop();
    await cluster.stop();
  }
  assert.deepEqual(errors, [], 'no error: an outage is retried, not fatal');
});
