/**
 * Rebalance time by group protocol (issue 13, "Done when"): for each protocol, a 3-member group of
 * member processes (test/helpers/member-process.ts) on a 60-partition topic while a producer writes
 * about 2000 records/s, then
 *   join   a 4th member starts: from its process's first log line (before it joins) until every
 *          partition assigned since has been delivered by its new owner;
 *   leave  a member stops cleanly (SIGTERM: drain, commit, leave): from the signal until then;
 *   kill   a member is SIGKILLed: from the kill until then (the session timeout, 10 s here, included);
 * and each round ends with every produced record acked; the invariant checker
 * (test/helpers/invariants.ts) then counts records lost and delivered twice over the whole round.
 * Protocols: classic with cooperative-sticky, classic with eager range (both with a 10 s session
 * and 1 s heartbeat, the test broker's settings for consumer groups), and the consumer protocol
 * (KIP-848) with the broker's `uniform` assignor.
 *
 * Run with `node --import tsx bench/rebalance/run.ts [--rounds 3] [--protocols a,b] [--brokers h:p]`
 * against a running broker (scripts/kafka/start.sh); prints a markdown table of medians (min–max).
 * Figures are for comparison on one machine, never assertions.
 */
import { cpus, platform, release } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { Admin } from '../../src/admin/index.js';
import { Producer } from '../../src/producer/producer.js';
import { checkInvariants } from '../../test/helpers/invariants.js';
import type { MemberConfig } from '../../test/helpers/member-process.js';
import { MemberProcess } from '../../test/helpers/member-runner.js';
import { Ownership } from '../../test/helpers/ownership.js';
import { readRunLogs, wallClock, type RunLine } from '../../test/helpers/recorder.js';
import { createRun, produceLogged, removeRun } from '../../test/helpers/scenario.js';
import { resumedAfter } from './resumed.js';

const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    rounds: { type: 'string', default: '3' },
    protocols: { type: 'string', default: 'classic-cooperative,classic-eager,consumer' },
    partitions: { type: 'string', default: '60' },
  },
});
const brokers = opt.brokers.split(',');
const PARTITIONS = Number(opt.partitions);
const say = (message: string): void => void process.stderr.write(`rebalance: ${message}\n`);

/** The group settings of each protocol measured. */
const PROTOCOLS: Record<string, Partial<MemberConfig>> = {
  'classic-cooperative': { assignors: ['cooperative-sticky'], sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 },
  'classic-eager': { assignors: ['range'], sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 },
  consumer: { groupProtocol: 'consumer', serverAssignor: 'uniform' },
};

/** A change's figures: until every moved partition consumed again, ms; how many partitions moved (restarted on a member). */
interface Change {
  ms: number;
  moved: number;
}

/** One round's figures. */
interface RoundResult {
  join: Change;
  leave: Change;
  kill: Change;
  lost: number;
  duplicates: number;
  violations: number;
}

async function round(protocol: string, n: number, admin: Admin, producer: Producer): Promise<RoundResult> {
  const topic = `bench-rebalance-${protocol}-${Date.now().toString(36)}-${n}`;
  await admin.createTopics([{ topic, partitions: PARTITIONS }]);
  const run = createRun(`rebalance-${protocol}`);
  const lines: RunLine[] = [];
  const ownership = new Ownership();
  run.follower.onLine((line) => {
    lines.push(line);
    ownership.add(line);
  });
  const members: MemberProcess[] = [];
  const start = (name: string): MemberProcess => {
    const m = MemberProcess.start({
      member: name,
      logFile: `${run.dir}/${name}.jsonl`,
      brokers,
      groupId: `${topic}-group`,
      topic,
      rebalanceTimeoutMs: 20_000,
      drainTimeoutMs: 3_000,
      commit: { strategy: 'async', intervalMs: 500, threshold: 1_000 },
      maxDemand: 200,
      ...PROTOCOLS[protocol],
    });
    members.push(m);
    return m;
  };
  let producing = true;
  let seq = 0;
  const producer$ = (async () => {
    while (producing) {
      await produceLogged(producer, run.harness, topic, { count: 100, chunk: 100, keys: 6_000, pauseMs: 0, firstSeq: seq });
      seq += 100;
      await delay(50);
    }
  })();
  try {
    const settle = (names: string[]): Promise<void> =>
      run.follower.waitFor(`${names.join(',')} sharing ${PARTITIONS} partitions`, () => ownership.settled(PARTITIONS, names, PARTITIONS / names.length), 120_000, () => ownership.describe());
    const resumed = async (what: string, from: number, names: string[]): Promise<Change> => {
      await settle(names);
      let state = resumedAfter(lines, from);
      await run.follower.waitFor(`${what}: every moved partition consuming`, () => (state = resumedAfter(lines, from)).at !== null, 60_000, () => state.pending.slice(0, 5).join(', '));
      return { ms: (state.at ?? from) - from, moved: state.moved };
    };
    const [m1, m2, m3] = [start('m1'), start('m2'), start('m3')];
    await Promise.all([m1.ready, m2.ready, m3.ready]);
    await settle(['m1', 'm2', 'm3']);
    await run.follower.waitFor('records flowing to every member', () => ['m1', 'm2', 'm3'].every((m) => (run.tally.deliveredBy.get(m) ?? 0) > 0), 60_000);

    const m4 = start('m4');
    await run.follower.waitFor('m4 started', () => lines.some((l) => l.t === 'start' && l.member === 'm4'), 60_000);
    const joinFrom = lines.find((l) => l.t === 'start' && l.member === 'm4')?.ts ?? 0;
    const join = await resumed('join', joinFrom, ['m1', 'm2', 'm3', 'm4']);

    const leaveFrom = wallClock();
    await m2.stop();
    const leave = await resumed('leave', leaveFrom, ['m1', 'm3', 'm4']);

    const killFrom = wallClock();
    await m3.kill(run.harness);
    const kill = await resumed('kill', killFrom, ['m1', 'm4']);

    producing = false;
    await producer$;
    await run.follower.waitFor('every record acked', () => run.tally.acked.size >= seq, 120_000, () => `${run.tally.acked.size}/${seq}`);
    await Promise.all([m1.stop(), m4.stop()]);
    const report = checkInvariants(readRunLogs(run.dir));
    const lost = report.violations.filter((v) => v.invariant === 'I1').length;
    if (report.violations.length > 0) say(`${protocol} round ${n}: ${report.violations.length} invariant violation(s); logs kept in ${run.dir}`);
    else removeRun(run);
    return { join, leave, kill, lost, duplicates: report.stats.duplicates, violations: report.violations.length };
  } finally {
    producing = false;
    await producer$.catch(() => undefined);
    for (const m of members) m.dispose();
    await admin.deleteTopics([topic]).catch(() => undefined);
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median time (min–max), and the median count of partitions moved. */
function cell(changes: Change[]): string {
  const ms = (v: number): string => (v >= 1_000 ? `${(v / 1_000).toFixed(2)} s` : `${Math.round(v)} ms`);
  const values = changes.map((c) => c.ms);
  const moved = `, ${median(changes.map((c) => c.moved))} moved`;
  if (values.length === 1) return ms(values[0] as number) + moved;
  return `${ms(median(values))} (${ms(Math.min(...values))}–${ms(Math.max(...values))})${moved}`;
}

const admin = new Admin({ brokers });
const producer = new Producer({ brokers, lingerMs: 5 });
await admin.connect();
await producer.connect();
const results = new Map<string, RoundResult[]>();
try {
  const protocols = opt.protocols.split(',');
  for (let n = 1; n <= Number(opt.rounds); n++) {
    // Protocols alternate within a round, so a slow spell of the machine touches all of them.
    for (const protocol of protocols) {
      if (!PROTOCOLS[protocol]) throw new Error(`unknown protocol ${protocol} (known: ${Object.keys(PROTOCOLS).join(', ')})`);
      const r = await round(protocol, n, admin, producer);
      const show = (c: Change): string => `${Math.round(c.ms)} ms (${c.moved} moved)`;
      say(`${protocol} round ${n}: join ${show(r.join)}, leave ${show(r.leave)}, kill ${show(r.kill)}, lost ${r.lost}, duplicates ${r.duplicates}`);
      results.set(protocol, [...(results.get(protocol) ?? []), r]);
    }
  }
} finally {
  await producer.close();
  await admin.close();
}

const rows = [...results].map(([protocol, rs]) =>
  `| ${protocol} | ${cell(rs.map((r) => r.join))} | ${cell(rs.map((r) => r.leave))} | ${cell(rs.map((r) => r.kill))} | ${rs.reduce((n, r) => n + r.lost, 0)} | ${rs.reduce((n, r) => n + r.duplicates, 0)} | ${rs.reduce((n, r) => n + r.violations, 0)} |`,
);
process.stdout.write(
  [
    `Rebalance time, 3 members + 1 on ${PARTITIONS} partitions under load: until every partition that moved consumed again, median (min–max) of ${opt.rounds} round(s), and the partitions that moved (restarted on a member; an eager rebalance restarts all). ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${platform()} ${release()}, Node ${process.version}`,
    '',
    '| protocol | 4th member joins | a member leaves (SIGTERM) | a member is SIGKILLed | records lost | duplicate deliveries | invariant violations |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
