// What the whole-process benchmarks (bench/cli-vs-kcat.mjs, bench/scale-1000.mjs) share: making their
// topic once with the CLI's producer, timing a command from spawn to exit, and the table of medians
// with per-round speed ratios to a reference client.
import { spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { loadavg } from 'node:os';
import { measureProcess } from './measure-process.mjs';
import { median, summarise } from './stats.mjs';

const devNull = openSync('/dev/null', 'w');

/** The load averages, for the report. */
export const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/**
 * Produces `topic` with the CLI at `cli` (dist/cli/main.js) when it does not exist; an existing one
 * must hold the records asked for.
 */
export function ensureTopic({ cli, brokers, topic, records, size, partitions, say }) {
  const probe = spawnSync(process.execPath, [cli, 'topics', 'describe', '-t', topic, '-b', brokers, '--json'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  say(`producing ${records} × ${size} B into ${topic} (${partitions} partitions)`);
  const made = spawnSync(
    process.execPath,
    [cli, 'produce', '-b', brokers, '-t', topic, '--create', '--partitions', String(partitions), '--count', String(records), '--size', String(size), '-q'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (made.status !== 0) throw new Error('could not produce the topic');
}

/** Runs one command with stdout on /dev/null; wall and CPU of the whole process, peak RSS, its stderr. */
export function measureExit(command, args) {
  return measureProcess(command, args, { stdout: devNull });
}

/**
 * The table rows (markdown) of `clients`, from `rows` ({ round, client, wallMs, cpuMs, rssMb }):
 * medians over rounds, and the speed of each round ÷ the reference client's in the same round.
 */
export function wallTable(rows, clients, reference, records) {
  const speed = summarise(
    rows.map((r) => ({ round: r.round, client: r.client, value: records / r.wallMs })),
    reference,
  );
  const fmt = (ms) => (ms / 1000).toFixed(2);
  const lines = [
    `| client | wall (s) | min–max | CPU (s) | CPU ÷ wall | peak RSS (MiB) | × ${reference} (speed, per round) |`,
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const client of clients) {
    const mine = rows.filter((r) => r.client === client);
    const walls = mine.map((r) => r.wallMs);
    const s = speed.get(client);
    const ratio = s.ratio ? `${s.ratio.median.toFixed(2)}× (${s.ratio.min.toFixed(2)}–${s.ratio.max.toFixed(2)})` : '';
    lines.push(
      `| ${client} | ${fmt(median(walls))} | ${fmt(Math.min(...walls))}–${fmt(Math.max(...walls))} | ${fmt(median(mine.map((r) => r.cpuMs)))} | ` +
        `${median(mine.map((r) => r.cpuMs / r.wallMs)).toFixed(2)} | ${median(mine.map((r) => r.rssMb)).toFixed(0)} | ${ratio} |`,
    );
  }
  return lines;
}

/**
 * Runs every run of `runs` ({ client, run(): Promise<measurement>, counts? }) once per round, in an
 * order rotated per round; a run with `counts` must say on its last stderr line (the CLI's summary)
 * that it printed `records` records. Returns the rows for {@link wallTable}.
 */
export async function alternateRounds(runs, rounds, records, say) {
  const rows = [];
  for (let round = 0; round < rounds; round++) {
    const order = runs.map((_, i) => runs[(i + round) % runs.length]);
    for (const run of order) {
      const m = await run.run();
      if (run.counts) {
        const summary = JSON.parse(m.stderr.trim().split('\n').pop());
        if (summary.records !== records) throw new Error(`${run.client}: printed ${summary.records} records, expected ${records}`);
      }
      rows.push({ round, client: run.client, ...m });
      say(`round ${round + 1} ${run.client}: ${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU`);
    }
  }
  return rows;
}
