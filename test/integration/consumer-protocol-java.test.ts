/**
 * A KIP-848 consumer group shared by kafka-stage members and the Java console consumer with
 * `group.protocol=consumer` (the Java tools of the same jars; issue 13, "Tests"): every record is
 * read exactly once across both sides, and no partition is read by both.
 *
 * Two of our member processes join first and split 6 partitions; the Java consumer joins, and once
 * ours hold 2 partitions each (the uniform assignor's share of three members) a first batch is
 * produced. When both sides have read their share the Java consumer stops (committing, leaving);
 * ours take its partitions over at its commits and read a second batch, before which any record
 * the Java consumer read would come again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { startJavaConsoleConsumer } from '../helpers/java-console-consumer.js';
import { MemberProcess } from '../helpers/member-runner.js';
import { Ownership } from '../helpers/ownership.js';
import { consumerMember } from '../helpers/protocol-members.js';
import type { RunLine } from '../helpers/recorder.js';
import { createRun, produceLogged, removeRun, scenarioClients } from '../helpers/scenario.js';

const PARTITIONS = 6;
const BATCH = 1_200;

const clients = scenarioClients({ lingerMs: 5 });

describe('a consumer-protocol group of kafka-stage members and a Java consumer', () => {
  it('reads every record exactly once across both, with no partition read by both', { timeout: 240_000 }, async (t) => {
    const topic = uniqueTopic('kip848-java');
    const groupId = `${topic}-group`;
    clients.topics.push(topic);
    await clients.admin.createTopics([{ topic, partitions: PARTITIONS }]);
    const run = createRun('kip848-java');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower, tally } = run;
    const ownership = new Ownership();
    const seen: RunLine[] = [];
    follower.onLine((line) => {
      ownership.add(line);
      seen.push(line);
    });
    const start = (name: string): MemberProcess => {
      const m = MemberProcess.start(consumerMember(run, name, groupId, topic));
      clients.members.push(m);
      return m;
    };
    const ours = [start('j1'), start('j2')];
    await Promise.all(ours.map((m) => m.ready));
    await follower.waitFor('our two members sharing every partition', () => ownership.settled(PARTITIONS, ['j1', 'j2'], 3), 60_000, () => ownership.describe());

    const java = startJavaConsoleConsumer({ brokers: testBrokers(), topic, from: 'earliest', group: groupId, consumerProperties: { 'group.protocol': 'consumer', 'client.id': 'java-peer' } });
    try {
      const progress = (): string => `(ours delivered ${tally.delivered}, Java read ${java.records().length}; ours own ${ownership.describe()})${java.gone ? `; the Java consumer exited:\n${java.stderr().slice(-2_000)}` : ''}`;
      const ourPartitions = (): number[] => [...ownership.owned('j1'), ...ownership.owned('j2')].map((k) => Number(k.slice(k.lastIndexOf(':') + 1)));
      await follower.waitFor('the Java member holding its share (ours 2 each)', () => ownership.owned('j1').length === 2 && ownership.owned('j2').length === 2 && new Set(ourPartitions()).size === 4, 90_000, progress);
      const oursBefore = new Set(ourPartitions());
      const javaPartitions = Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => !oursBefore.has(p));

      await produceLogged(clients.producer, run.harness, topic, { count: BATCH, chunk: BATCH, keys: 300, pauseMs: 0 });
      const produced = (): Extract<RunLine, { t: 'produced' }>[] => seen.filter((l): l is Extract<RunLine, { t: 'produced' }> => l.t === 'produced');
      const oursDelivered = (): Extract<RunLine, { t: 'deliver' }>[] => seen.filter((l): l is Extract<RunLine, { t: 'deliver' }> => l.t === 'deliver');
      await follower.waitFor('the first batch produced and read on both sides', () => {
        const first = produced();
        if (first.length < BATCH) return false;
        const forJava = first.filter((l) => javaPartitions.includes(l.partition)).length;
        return java.records().length >= forJava && oursDelivered().reduce((n, l) => n + l.offsets.length, 0) >= BATCH - forJava;
      }, 90_000, progress);
      const javaRecords = java.records();
      assert.ok(javaRecords.length > 0, 'the Java member read records');
      assert.deepEqual([...new Set(javaRecords.map((r) => r.partition))].sort(), javaPartitions, 'the Java member read exactly the partitions ours did not own');
      const ourFirstBatch = new Set(oursDelivered().map((l) => l.partition));
      assert.deepEqual(javaPartitions.filter((p) => ourFirstBatch.has(p)), [], 'no partition read by both sides');

      await java.stop();
      await follower.waitFor('ours taking over the Java member’s partitions', () => ownership.settled(PARTITIONS, ['j1', 'j2'], 3), 60_000, progress);
      await produceLogged(clients.producer, run.harness, topic, { count: BATCH, chunk: BATCH, keys: 300, pauseMs: 0, firstSeq: BATCH });
      // Read inside the check: the produce acks reach `seen` only as the follower polls.
      await follower.waitFor('the second batch read by ours', () => {
        const second = produced().slice(BATCH);
        const read = new Set(oursDelivered().flatMap((l) => l.values));
        return second.length === BATCH && second.every((l) => read.has(l.value));
      }, 90_000, progress);
      await Promise.all(ours.map((m) => m.stop()));

      const reads = new Map<string, number>();
      for (const v of [...javaRecords.map((r) => r.value ?? ''), ...oursDelivered().flatMap((l) => l.values)]) reads.set(v, (reads.get(v) ?? 0) + 1);
      const values = produced().map((l) => l.value);
      assert.equal(values.length, 2 * BATCH);
      const notOnce = values.filter((v) => reads.get(v) !== 1).map((v) => `${v}×${reads.get(v) ?? 0}`);
      assert.deepEqual(notOnce.slice(0, 20), [], `every record read exactly once across both sides (${notOnce.length} not)`);
      assert.equal(reads.size, values.length, 'nothing read that was not produced');
      t.diagnostic(`Java read ${javaRecords.length} records of partitions ${javaPartitions.join(', ')}; ours ${values.length - javaRecords.length}`);
    } finally {
      await java.stop();
    }
    removeRun(run);
  });
});
