/**
 * One chaos scenario end to end: a fresh topic, the group members and the Java consumer, the
 * producer under steady load, the fault, more load, then a clean stop (producer flushed, consumers
 * drained to the log end and stopped with SIGTERM), the final reads, and the checker's verdict.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// The checker is plain JavaScript with its own declarations (check.d.mts).
import { checkFolder, type ScenarioVerdict } from './check.mjs';
import type { ChaosCluster } from './cluster.js';
import { openLineLog } from './log-file.js';
import { readLines, startJavaConsumer, startMember, startProducer, stopWorker, type Worker } from './processes.js';
import type { Scenario, ScenarioContext, Timing } from './scenarios.js';

/** Options of one scenario run. */
export interface ScenarioRunOptions {
  cluster: ChaosCluster;
  outDir: string;
  timing: Timing;
  /** Records per second of the producer. */
  rate: number;
  random: () => number;
  /** Longest wait for the consumers to reach the log end after the producer stopped, ms. */
  drainTimeoutMs: number;
  say: (message: string) => void;
}

/** A scenario's verdict and what the runner noticed on the way. */
export interface ScenarioOutcome {
  scenario: Scenario;
  verdict: ScenarioVerdict | null;
  notes: string[];
  error: string | null;
  durationMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Highest offset per partition in `D <p> <offset> ...` or `A <p> <offset> ...` lines. */
function maxOffsets(lines: string[], tag: string): Map<number, number> {
  const max = new Map<number, number>();
  for (const line of lines) {
    if (!line.startsWith(tag + ' ')) continue;
    const f = line.split(' ');
    const p = Number(f[1]);
    const o = Number(f[2]);
    if (o > (max.get(p) ?? -1)) max.set(p, o);
  }
  return max;
}

/** Whether the deliveries reach every acknowledged offset. */
function caughtUp(acked: Map<number, number>, delivered: Map<number, number>): boolean {
  for (const [p, o] of acked) if ((delivered.get(p) ?? -1) < o) return false;
  return true;
}

/** Runs one scenario; never throws (a failure is the outcome's `error`). */
export async function runScenario(scenario: Scenario, options: ScenarioRunOptions): Promise<ScenarioOutcome> {
  const started = Date.now();
  const { cluster, timing, say } = options;
  const dir = join(options.outDir, scenario.name);
  mkdirSync(dir, { recursive: true });
  const stamp = Date.now().toString(36);
  const topic = `chaos-${scenario.name}-${stamp}`;
  const group = `chaos-${scenario.name}-${stamp}`;
  const events = openLineLog(join(dir, 'events.log'));
  const notes: string[] = [];
  const note = (message: string): void => {
    notes.push(message);
    say(`  ${scenario.name}: ${message}`);
  };
  const members: Worker[] = [];
  let producer: Worker | null = null;
  let java: Worker | null = null;
  let error: string | null = null;
  try {
    await cluster.createTopic(topic, scenario.partitions);
    const start = (name: string): Worker => {
      const w = startMember(dir, cluster.bootstrap, group, topic, scenario.assignor, name);
      members.push(w);
      return w;
    };
    for (const name of ['a', 'b', 'c']) start(name);
    java = startJavaConsumer(dir, cluster, `${group}-java`, topic);
    // Every member assigned before the load starts, so the fault meets a settled group. The bound is
    // generous: at a load average of 80, two of three member processes had not even finished loading
    // (tsx compiling the client) after 60 s.
    const deadline = Date.now() + 240_000;
    while (!members.every((m) => readLines(m.logPath).some((l) => l.startsWith('A ')))) {
      if (Date.now() > deadline) throw new Error('the group did not assign every member within 240 s');
      await sleep(250);
    }
    producer = startProducer(dir, cluster.bootstrap, topic, options.rate);
    // The warm-up counts from the first acknowledgement: on a busy machine the producer process
    // took over 10 s to start, and a fault before it had written anything tested nothing.
    const ackDeadline = Date.now() + 120_000;
    while (!readLines(producer.logPath).some((l) => l.startsWith('A '))) {
      if (Date.now() > ackDeadline) throw new Error('the producer had no acknowledgement within 120 s');
      await sleep(250);
    }
    await sleep(timing.warmMs);

    const ctx: ScenarioContext = {
      cluster,
      topic,
      group,
      dir,
      timing,
      random: options.random,
      mark(label, recovery) {
        events.write([`${Date.now()} ${recovery ? 'R' : '-'} ${label}`]);
        say(`  ${scenario.name}: ${label}`);
      },
      note,
      members,
      startMember: start,
    };
    await scenario.inject(ctx);
    await sleep(timing.tailMs);
  } catch (e) {
    // The first line only: start.sh failures carry the brokers' log tails (kept in the state folder).
    error = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
    note(`error: ${error}`);
  }

  // Stop: the producer first (flushed), then wait for both consumers to reach what it acked.
  if (producer) note(`producer ${await stopWorker(producer, 180_000)}`);
  const acked = maxOffsets(readLines(join(dir, 'producer.log')), 'A');
  const drainDeadline = Date.now() + options.drainTimeoutMs;
  for (;;) {
    const delivered = new Map<number, number>();
    for (const m of members) for (const [p, o] of maxOffsets(readLines(m.logPath), 'D')) delivered.set(p, Math.max(o, delivered.get(p) ?? -1));
    const javaDone = caughtUp(acked, maxOffsets(readLines(join(dir, 'java.log')), 'D'));
    if (caughtUp(acked, delivered) && javaDone) break;
    if (Date.now() > drainDeadline) {
      note(`consumers not at the acked log end after ${options.drainTimeoutMs} ms (group caught up: ${caughtUp(acked, delivered)}, Java: ${javaDone})`);
      break;
    }
    await sleep(500);
  }
  const stops = await Promise.all(members.map(async (m) => `${m.name} ${await stopWorker(m, 60_000)}`));
  for (const s of stops) if (!/exited 0|already exited \(SIGKILL\)/.test(s)) note(s);
  if (java) await stopWorker(java, 15_000);

  // Final reads: what the group committed and what the brokers hold.
  try {
    const committed = await cluster.committedOffsets(group, topic);
    writeFileSync(join(dir, 'committed.txt'), committed.join('\n') + '\n');
    const total = committed.reduce((n, l) => n + Number(l.split(' ')[2] ?? 0), 0);
    const log = await cluster.readTopic(topic, total);
    writeFileSync(join(dir, 'log.txt'), log.join('\n') + '\n');
    if (log.length !== total) note(`final read: ${log.length} records of ${total} in the log`);
  } catch (e) {
    note(`final read failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const verdict = checkFolder(dir);
  await cluster.deleteTopic(topic);
  const durationMs = Date.now() - started;
  // What the logs do not hold, so `--recheck` can rebuild the report from the folder alone.
  writeFileSync(join(dir, 'outcome.json'), JSON.stringify({ notes, error, durationMs }));
  return { scenario, verdict, notes, error, durationMs };
}
