/**
 * Scenarios of consumer groups: consume and commit at scale, resume at the commit after a
 * restart, split partitions between two members and rebalance on a leave.
 */
import { eventually } from '../helpers/eventually.js';
import { Admin } from '../../src/admin/index.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { Producer } from '../../src/producer/producer.js';
import { FAST_MEMBER, type Scenario, type ScenarioEnv } from './environment.js';


/** Creates `topic` and writes `count` keyed records (`key-<i>`, murmur2 spreads them the same on any cluster). */
async function keyedTopic(env: ScenarioEnv, admin: Admin, topic: string, partitions: number, count: number, from = 0, valueBytes = 300): Promise<void> {
  if (from === 0) await admin.createTopics([{ topic, partitions }]);
  const producer = new Producer({ brokers: env.brokers, lingerMs: 5 });
  const pad = 'v'.repeat(valueBytes);
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send(topic, { key: `key-${from + i}`, value: `${from + i}:${pad}` })));
  await producer.close();
}

/** A member that records the offsets it gets per partition and acks every batch. */
function recordingMember(env: ScenarioEnv, groupId: string, topic: string, seen: Map<number, number[]>, maxBytesPerPartition?: number): ConsumerGroup {
  return new ConsumerGroup(
    { brokers: env.brokers, groupId, topics: [topic], ...FAST_MEMBER, ...(maxBytesPerPartition ? { buffer: { maxBytesPerPartition } } : {}) },
    async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 200 })) {
        const list = seen.get(stage.partition) ?? [];
        for (const record of batch.records) list.push(record.offset);
        seen.set(stage.partition, list);
        await stage.ack(batch);
      }
    },
  );
}

function total(seen: Map<number, number[]>): number {
  let n = 0;
  for (const list of seen.values()) n += list.length;
  return n;
}

/** True when each partition's offsets run `from(p), from(p)+1, …` without gap or repeat. */
function contiguous(seen: Map<number, number[]>, from: (partition: number) => number): boolean {
  for (const [partition, list] of seen) {
    if (!list.every((offset, i) => offset === from(partition) + i)) return false;
  }
  return true;
}

/** Per-partition record counts, in partition order, and their commits as the admin sees them. */
async function countsAndCommits(admin: Admin, groupId: string, topic: string, partitions: number): Promise<{ ends: number[]; committedAtEnds: boolean }> {
  const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  const committed = await admin.fetchGroupOffsets(groupId, [topic]);
  const endOf = new Map(ends.map((e) => [e.partition, e.offset]));
  const committedAtEnds = ends.every((e) => e.offset === 0 || committed.some((c) => c.partition === e.partition && c.offset === endOf.get(c.partition)));
  return { ends: ends.sort((a, b) => a.partition - b.partition).map((e) => e.offset), committedAtEnds };
}

const RECORDS = 2400;
const PARTITIONS = 12;

/** The group scenarios. */
export const GROUP_SCENARIOS: Scenario[] = [
  {
    name: 'a group consumes 2400 keyed records over 12 partitions, each once and in order, through fetches smaller than the data, and commits the log ends',
    async run(env) {
      const admin = new Admin({ brokers: env.brokers });
      const topic = env.unique('sc-consume');
      const groupId = env.unique('sc-g');
      try {
        await keyedTopic(env, admin, topic, PARTITIONS, RECORDS);
        const seen = new Map<number, number[]>();
        const member = recordingMember(env, groupId, topic, seen, 16 * 1024);
        await member.start();
        await eventually(() => total(seen) >= RECORDS, { what: `${RECORDS} records`, timeoutMs: 60_000 });
        await member.stop();
        const { ends, committedAtEnds } = await countsAndCommits(admin, groupId, topic, PARTITIONS);
        const perPartition = Array.from({ length: PARTITIONS }, (_, p) => seen.get(p)?.length ?? 0);
        await admin.deleteTopics([topic]);
        return { consumed: total(seen), inOrderOnce: contiguous(seen, () => 0), countsMatchEnds: perPartition.join() === ends.join(), committedAtEnds, partitionsWithData: ends.filter((e) => e > 0).length };
      } finally {
        await admin.close();
      }
    },
    expected: { consumed: RECORDS, inOrderOnce: true, countsMatchEnds: true, committedAtEnds: true, partitionsWithData: PARTITIONS },
  },
  {
    name: 'a restarted member resumes at the committed offsets and gets only the newer records',
    async run(env) {
      const admin = new Admin({ brokers: env.brokers });
      const topic = env.unique('sc-resume');
      const groupId = env.unique('sc-g');
      try {
        await keyedTopic(env, admin, topic, 4, 400);
        const first = new Map<number, number[]>();
        const before = recordingMember(env, groupId, topic, first);
        await before.start();
        await eventually(() => total(first) >= 400, { what: '400 records', timeoutMs: 60_000 });
        await before.stop();
        const endsBefore = new Map((await admin.fetchGroupOffsets(groupId, [topic])).map((c) => [c.partition, c.offset]));
        await keyedTopic(env, admin, topic, 4, 200, 400);
        const second = new Map<number, number[]>();
        const after = recordingMember(env, groupId, topic, second);
        await after.start();
        await eventually(() => total(second) >= 200, { what: '200 newer records', timeoutMs: 60_000 });
        await after.stop();
        await admin.deleteTopics([topic]);
        return { firstRun: total(first), secondRun: total(second), resumedAtCommit: contiguous(second, (p) => endsBefore.get(p) ?? 0) };
      } finally {
        await admin.close();
      }
    },
    expected: { firstRun: 400, secondRun: 200, resumedAtCommit: true },
  },
  {
    name: 'two members split 12 partitions between them, and when one leaves the other gets all 12',
    async run(env) {
      const admin = new Admin({ brokers: env.brokers });
      const topic = env.unique('sc-split');
      const groupId = env.unique('sc-g');
      try {
        await keyedTopic(env, admin, topic, PARTITIONS, 240, 0, 10);
        const seen = new Map<number, number[]>();
        const a = recordingMember(env, groupId, topic, seen);
        const b = recordingMember(env, groupId, topic, new Map());
        await a.start();
        await b.start();
        const owned = (): number[] => [a.assignment().length, b.assignment().length];
        await eventually(() => owned()[0] === 6 && owned()[1] === 6, { what: 'a 6/6 split', timeoutMs: 60_000 });
        const union = new Set([...a.assignment(), ...b.assignment()].map((tp) => tp.partition));
        const split = owned();
        await b.stop();
        await eventually(() => a.assignment().length === PARTITIONS, { what: 'all 12 partitions on the remaining member', timeoutMs: 60_000 });
        const afterLeave = a.assignment().length;
        await a.stop();
        const group = await admin.describeGroup(groupId);
        await admin.deleteTopics([topic]);
        return { split, distinctPartitions: union.size, afterLeave, stateAfterStop: group.state };
      } finally {
        await admin.close();
      }
    },
    expected: { split: [6, 6], distinctPartitions: PARTITIONS, afterLeave: PARTITIONS, stateAfterStop: 'Empty' },
  },
];
