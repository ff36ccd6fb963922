/**
 * Shared steps of the multi-process reliability scenarios: a run directory with the harness's own
 * log, a producer that logs every acknowledged record for the checker, a tally of what members
 * delivered and acked (read from their logs as they grow), and the final check that the group's
 * committed offsets reached the log end.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { Producer, type ProducerOptions } from '../../src/producer/producer.js';
import { testBrokers } from './env.js';
import { LogFollower, type MemberProcess } from './member-runner.js';
import { Recorder, type ProducedLine, type RunLine, type SampleLine, type UnstampedLine } from './recorder.js';

/** One scenario run: where the logs go and the harness's recorder. */
export interface Run {
  dir: string;
  harness: Recorder;
  follower: LogFollower;
  tally: Tally;
}

/** Opens a fresh run directory with a follower and a tally; {@link removeRun} deletes it once the test passed (failures keep it for post-mortems). */
export function createRun(prefix: string): Run {
  const dir = mkdtempSync(join(tmpdir(), `kafka-stage-${prefix}-`));
  const harness = new Recorder(join(dir, 'harness.jsonl'), 'harness');
  const follower = new LogFollower(dir);
  const tally = new Tally();
  follower.onLine((line) => tally.add(line));
  return { dir, harness, follower, tally };
}

/** Closes the harness log and deletes the run directory. */
export function removeRun(run: Run): void {
  run.harness.close();
  rmSync(run.dir, { recursive: true, force: true });
}

/** Counts from the logs, updated as the follower reads them. */
export class Tally {
  /** Record deliveries, duplicates included. */
  delivered = 0;
  /** Deliveries per member. */
  readonly deliveredBy = new Map<string, number>();
  /** Distinct `topic:partition:offset` acked by anyone. */
  readonly acked = new Set<string>();
  /** Ack lines logged after the abort signal and after a revoke of their partition. */
  lateAcks = 0;
  /** Partitions (`member:partition`) revoked or lost and not assigned again. */
  private readonly released = new Set<string>();
  /** Every `sample` line, in the order read. */
  readonly samples: SampleLine[] = [];
  /** Every line of the given kinds, in the order read (assign, revoke, lost, commit, error, stuck). */
  readonly events: RunLine[] = [];

  add(line: RunLine): void {
    if (line.t === 'deliver') {
      this.delivered += line.offsets.length;
      this.deliveredBy.set(line.member, (this.deliveredBy.get(line.member) ?? 0) + line.offsets.length);
    } else if (line.t === 'sample') {
      this.samples.push(line);
    } else if (line.t === 'ack') {
      for (const o of line.offsets) this.acked.add(`${line.topic}:${line.partition}:${o}`);
      if (line.afterAbort && this.released.has(`${line.member}:${line.partition}`)) this.lateAcks++;
    } else if (['assign', 'revoke', 'lost', 'error', 'stuck', 'stopped'].includes(line.t)) {
      this.events.push(line);
      if (line.t === 'revoke' || line.t === 'lost') for (const p of line.partitions) this.released.add(`${line.member}:${p.partition}`);
      if (line.t === 'assign') for (const p of line.partitions) this.released.delete(`${line.member}:${p.partition}`);
    }
  }

  /** Lines of `member` of kind `t` read so far. */
  eventsOf(member: string, t: RunLine['t']): RunLine[] {
    return this.events.filter((e) => e.member === member && e.t === t);
  }
}

/** The value of a produced record: unique per run, `topic/key/seq`. */
export function producedValue(topic: string, key: string, seq: number): string {
  return `${topic}/${key}/${seq}`;
}

/**
 * Produces `count` keyed records in chunks, logging each acknowledgement (`produced`) to the
 * harness log. `pauseMs` between chunks spreads the load over time, so members join, leave and
 * die while records still arrive (pacing only; nothing waits on it for correctness).
 */
export async function produceLogged(
  producer: Producer,
  harness: Recorder,
  topic: string,
  options: { count: number; chunk: number; keys: number; pauseMs: number; firstSeq?: number },
): Promise<void> {
  const first = options.firstSeq ?? 0;
  for (let start = first; start < first + options.count; start += options.chunk) {
    const end = Math.min(first + options.count, start + options.chunk);
    const records: { key: string; value: string }[] = [];
    for (let seq = start; seq < end; seq++) {
      const key = `k${seq % options.keys}`;
      records.push({ key, value: producedValue(topic, key, seq) });
    }
    const acks = await producer.sendBatch(topic, records);
    const lines: UnstampedLine[] = acks.map((m, i): Omit<ProducedLine, 'ts' | 'member'> => ({
      t: 'produced',
      topic,
      partition: m.partition,
      offset: m.offset,
      value: records[i]?.value ?? '',
    }));
    harness.logAll(lines);
    if (options.pauseMs > 0 && end < first + options.count) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
}

/** Asserts the group committed the log end of every partition of `topic`. */
export async function assertCommittedAtLogEnd(admin: Admin, groupId: string, topic: string, partitions: number): Promise<void> {
  const ends = await admin.listOffsets(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
  const committed = await admin.fetchGroupOffsets(groupId, [topic]);
  const byPartition = new Map(committed.map((c) => [c.partition, c.offset]));
  const mismatches = ends
    .filter((e) => byPartition.get(e.partition) !== e.offset)
    .map((e) => `partition ${e.partition}: committed ${byPartition.get(e.partition) ?? 'none'}, log end ${e.offset}`);
  assert.deepEqual(mismatches, [], 'final committed offsets equal the log end');
}

/** The clients a multi-process scenario file shares: set in `before`, closed in `after`. */
export interface ScenarioClients {
  admin: Admin;
  producer: Producer;
  /** Member processes started: disposed after the file's tests. */
  members: MemberProcess[];
  /** Topics created: deleted after the file's tests. */
  topics: string[];
}

/**
 * Registers the file's `before`/`after` hooks: an admin client and a producer on the test cluster,
 * and the clean-up of members and topics. Call at module level; read the fields inside tests.
 */
export function scenarioClients(producerOptions: Omit<ProducerOptions, 'brokers'> = {}): ScenarioClients {
  const clients = { members: [], topics: [] } as unknown as ScenarioClients;
  before(async () => {
    clients.admin = new Admin({ brokers: testBrokers() });
    await clients.admin.connect();
    clients.producer = new Producer({ brokers: testBrokers(), ...producerOptions });
    await clients.producer.connect();
  });
  after(async () => {
    for (const m of clients.members) m.dispose();
    await clients.producer.close();
    await clients.admin.deleteTopics(clients.topics).catch(() => undefined);
    await clients.admin.close();
  });
  return clients;
}
