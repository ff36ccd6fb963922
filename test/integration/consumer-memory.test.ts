/**
 * Bounded memory with a stalled subscriber (issue 3, "Done when"; testing.md I8). A topic of
 * 512 MiB (2048 records of 256 KiB over 4 partitions, written by our producer with acks 1 and no
 * compression: measured ~5 s here, twice as fast as the Java ProducerPerformance with its JVM start,
 * ~11 s). A member process whose subscribers take one record per partition, then never ask or ack
 * again, while their demand (1000 records each, 250 MiB) stays outstanding: only the buffer bounds
 * (buffer.maxBytes 16 MiB across the consumer, 4 MiB per partition) limit what is fetched.
 *
 * The bound: first the peak RSS of an idle member process (same code, joined to a group on an
 * empty topic) is measured; the stalled member's peak RSS must stay under that baseline + the
 * 16 MiB budget + 64 MiB of fixed overhead (what a response being decoded, the subscriber's held
 * records and GC slack may add). The test also shows no Fetch is sent while the buffers are full:
 * the Fetch counts stay flat over a window of 15 samples (3 s, six times fetch.maxWaitMs) while
 * every partition still has demand the buffer does not cover.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import type { MemberConfig } from '../helpers/member-process.js';
import { MemberProcess } from '../helpers/member-runner.js';
import type { SampleLine } from '../helpers/recorder.js';
import { createRun, removeRun, type Run } from '../helpers/scenario.js';

const MiB = 1024 * 1024;
const PARTITIONS = 4;
const VALUE_BYTES = 256 * 1024;
const RECORDS = 2048;
const BUDGET_BYTES = 16 * MiB;
const PER_PARTITION_BYTES = 4 * MiB;
const FIXED_OVERHEAD_BYTES = 64 * MiB;
const SAMPLE_EVERY_MS = 200;
const WINDOW_SAMPLES = 15;

let admin: Admin;
const members: MemberProcess[] = [];
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  await admin.connect();
});

after(async () => {
  for (const m of members) m.dispose();
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

/** Writes RECORDS values of VALUE_BYTES round-robin over the partitions; returns the time taken. */
async function produceBigTopic(topic: string): Promise<number> {
  const producer = new Producer({
    brokers: testBrokers(),
    acks: 1,
    compression: 'none',
    batchSize: 1_000_000,
    maxRequestSize: 8 * MiB,
    lingerMs: 2,
    bufferMemory: 64 * MiB,
  });
  await producer.connect();
  const started = performance.now();
  const value = Buffer.alloc(VALUE_BYTES, 0x61);
  const window: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; i++) {
    window.push(producer.send(topic, { partition: i % PARTITIONS, value }));
    if (window.length >= 256) await Promise.all(window.splice(0));
  }
  await Promise.all(window);
  const ms = performance.now() - started;
  await producer.close();
  return ms;
}

/** The samples one member logged so far. */
function samplesOf(run: Run, member: string): SampleLine[] {
  return run.tally.samples.filter((s) => s.member === member);
}

describe('consumer memory with a stalled subscriber', () => {
  it('RSS stays under the buffer budget plus a fixed overhead, and a full buffer gets no Fetch', { timeout: 150_000 }, async (t) => {
    const bigTopic = uniqueTopic('memory-big');
    const emptyTopic = uniqueTopic('memory-empty');
    topics.push(bigTopic, emptyTopic);
    await admin.createTopics([
      { topic: bigTopic, partitions: PARTITIONS },
      { topic: emptyTopic, partitions: PARTITIONS },
    ]);
    const run = createRun('consumer-memory');
    t.diagnostic(`run logs: ${run.dir}`);
    const { follower } = run;

    const config = (member: string, topic: string): MemberConfig => ({
      member,
      logFile: `${run.dir}/${member}.jsonl`,
      brokers: testBrokers(),
      groupId: `${topic}-group`,
      topic,
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      buffer: { maxBytes: BUDGET_BYTES, maxBytesPerPartition: PER_PARTITION_BYTES },
      mode: 'stall',
      maxDemand: 1_000,
      minDemand: 999,
      sampleEveryMs: SAMPLE_EVERY_MS,
      drainTimeoutMs: 500,
      logValues: false,
    });

    // The baseline member idles on the empty topic while the big one is written.
    const idle = MemberProcess.start(config('idle', emptyTopic));
    members.push(idle);
    const produceMs = await produceBigTopic(bigTopic);
    t.diagnostic(`produced ${(RECORDS * VALUE_BYTES) / MiB} MiB in ${Math.round(produceMs)} ms`);
    await idle.ready;
    const idleSamples = () => samplesOf(run, 'idle');
    await follower.waitFor('idle samples', () => idleSamples().length >= WINDOW_SAMPLES, 30_000);
    const baseline = Math.max(...idleSamples().map((s) => s.maxRss));
    await idle.stop();

    const stalled = MemberProcess.start(config('stalled', bigTopic));
    members.push(stalled);
    await stalled.ready;
    const samples = () => samplesOf(run, 'stalled');
    // Settled: every partition delivered its one record and the Fetch count held still for a window.
    const settled = (): boolean => {
      const s = samples();
      const last = s.at(-1);
      if (!last || s.length < WINDOW_SAMPLES || last.partitions.length !== PARTITIONS || last.delivered < PARTITIONS) return false;
      return s.slice(-WINDOW_SAMPLES).every((x) => x.fetches === last.fetches);
    };
    await follower.waitFor('the stalled member to stop fetching', settled, 60_000, () => JSON.stringify(samples().at(-1)));
    const atRest = samples().at(-1) as SampleLine;
    const countAtRest = samples().length;
    await follower.waitFor('an observation window', () => samples().length >= countAtRest + WINDOW_SAMPLES, 30_000);
    const window = samples().slice(countAtRest - 1);
    const last = window.at(-1) as SampleLine;
    await stalled.stop();

    const peak = Math.max(...samples().map((s) => s.maxRss));
    const bound = baseline + BUDGET_BYTES + FIXED_OVERHEAD_BYTES;
    const buffered = last.partitions.reduce((sum, p) => sum + p.bufferedBytes, 0);
    t.diagnostic(
      `idle peak RSS ${(baseline / MiB).toFixed(1)} MiB; stalled peak RSS ${(peak / MiB).toFixed(1)} MiB; bound ${(bound / MiB).toFixed(1)} MiB; ` +
        `buffered ${(buffered / MiB).toFixed(1)} MiB; fetches ${last.fetches} (requests ${last.fetchRequests}); delivered ${last.delivered}`,
    );

    assert.equal(last.delivered, PARTITIONS, 'each stalled subscriber took exactly one record');
    assert.ok(peak <= bound, `peak RSS ${(peak / MiB).toFixed(1)} MiB ≤ idle ${(baseline / MiB).toFixed(1)} + budget 16 + overhead 64 MiB`);
    assert.ok(buffered > 0 && buffered <= BUDGET_BYTES + PARTITIONS * VALUE_BYTES, `buffered ${buffered} B within the budget (plus one record of overshoot per partition)`);
    for (const p of last.partitions) {
      assert.ok(p.outstandingDemand > p.bufferedRecords, `partition ${p.partition}: demand ${p.outstandingDemand} not covered by ${p.bufferedRecords} buffered records, so only the buffer bound stops fetching`);
    }
    assert.ok(
      window.every((s) => s.fetches === atRest.fetches && s.fetchRequests === atRest.fetchRequests),
      `no Fetch while the buffers are full: ${window.map((s) => `${s.fetches}/${s.fetchRequests}`).join(' ')}`,
    );
    assert.ok(
      window.every((s) => s.partitions.every((p) => p.fetchedOffset === atRest.partitions.find((q) => q.partition === p.partition)?.fetchedOffset)),
      'no partition moved its fetch position during the window',
    );
    removeRun(run);
  });
});
