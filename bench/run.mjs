#!/usr/bin/env node
// The peer benchmark (issue 4; method in ../shared/testing.md "Benchmarks"): every client in turn,
// for --rounds rounds, over the same pre-produced topics on one broker, in four scenarios:
//   drain    records/s and MB/s reading a 100 B and a 1 KiB topic from the start (time to first record apart)
//   latency  end-to-end p50/p99/p99.9 at fixed producer rates (fresh topic per run), CPU per record
//   slow     peak RSS with a 1 ms-per-record handler on the 1 KiB topic
//   stalled  peak RSS with a handler that never returns
// Writes .bench-results/<time>/results.json and report.md (medians and per-round ratios to the Java
// consumer). Normally started by scripts/bench.mjs (`npm run bench`), which prepares the broker,
// the build and the peers and passes --brokers, --node20 and --node24.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { availableClients, clientCatalogue, compileJavaRunner } from './harness/clients.mjs';
import { runClient } from './harness/run-client.mjs';
import { createEmptyTopic, deleteTopics, prepareDrainTopic } from './harness/topics.mjs';
import { quantiles } from './harness/stats.mjs';
import { renderReport } from './harness/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    node20: { type: 'string', default: process.execPath },
    node24: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string' },
    scenarios: { type: 'string', default: 'drain,latency,slow,stalled' },
    'records-100b': { type: 'string', default: '15000000' },
    'records-1k': { type: 'string', default: '4000000' },
    'drain-max-ms': { type: 'string', default: '8000' },
    rates: { type: 'string', default: '1000,10000' },
    'latency-seconds': { type: 'string', default: '6' },
    'memory-ms': { type: 'string', default: '8000' },
    'client-cpus': { type: 'string' },
    'helper-cpus': { type: 'string' },
    out: { type: 'string' },
  },
});
const say = (message) => process.stderr.write(`bench: ${message}\n`);
const rounds = Number(opt.rounds);
const scenarios = opt.scenarios.split(',');
const partitions = 6;
const datasets = [
  { name: '100 B', topic: 'bench-drain-100b', valueSize: 100, records: Number(opt['records-100b']) },
  { name: '1 KiB', topic: 'bench-drain-1k', valueSize: 1024, records: Number(opt['records-1k']) },
];
const rates = opt.rates.split(',').map(Number);
const latencySeconds = Number(opt['latency-seconds']);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = opt.out ?? `${root}/.bench-results/${stamp}`;
mkdirSync(outDir, { recursive: true });

try {
  compileJavaRunner();
} catch (error) {
  say(`could not compile bench/java/BenchConsumer.java: ${error.message}`);
}
const catalogue = clientCatalogue({ node20: opt.node20, node24: opt.node24 });
const { runnable, skipped } = availableClients(catalogue, opt.clients?.split(','));
for (const s of skipped) say(`skipping ${s.label}: ${s.reason}`);
say(`clients: ${runnable.map((c) => c.id).join(', ')}`);

if (scenarios.some((s) => s !== 'latency')) {
  for (const ds of datasets) await prepareDrainTopic({ brokers: opt.brokers, partitions, say, ...ds });
}

const runs = [];
const save = () =>
  writeFileSync(`${outDir}/results.json`, JSON.stringify({ started: stamp, options: opt, skipped, clients: runnable.map(({ id, label }) => ({ id, label })), runs }, null, 1));

/** Runs one client once and records the outcome (failures included, with the runner's stderr). */
async function measureOnce(client, round, scenario, variant, runnerArgs, extra = {}) {
  const outcome = await runClient({
    command: client.command,
    args: [...client.args, '--brokers', opt.brokers, ...runnerArgs],
    cpus: opt['client-cpus'],
    timeoutMs: extra.timeoutMs,
    onReady: extra.onReady,
    env: client.env,
  });
  const run = { round, scenario, variant, client: client.id, ...outcome };
  if (run.result?.latenciesUs) {
    const [p50, p99, p999, max] = quantiles(run.result.latenciesUs, [0.5, 0.99, 0.999, 1]);
    run.result.latency = { p50, p99, p999, max };
    delete run.result.latenciesUs;
  }
  if (extra.check) {
    const problem = outcome.ok ? extra.check(outcome.result) : null;
    if (problem) Object.assign(run, { ok: false, error: problem });
  }
  runs.push(run);
  save();
  const brief = run.ok ? summaryOf(run) : `FAILED: ${run.error}${run.stderr ? `\n${run.stderr}` : ''}`;
  say(`round ${round} ${scenario} ${variant} ${client.id}: ${brief}`);
  return run;
}

function summaryOf(run) {
  const r = run.result;
  const rss = run.peakRssKb ? `${(run.peakRssKb / 1024).toFixed(0)} MiB` : '?';
  if (run.scenario === 'drain') {
    const rate = r.records / (r.firstToLastMs / 1000);
    return `${r.records} records, ${(rate / 1e6).toFixed(3)} M/s, first after ${r.startToFirstMs?.toFixed(0)} ms, RSS ${rss}`;
  }
  if (run.scenario === 'latency') {
    const l = r.latency;
    return `${r.records} records, p50 ${(l.p50 / 1000).toFixed(2)} p99 ${(l.p99 / 1000).toFixed(2)} p99.9 ${(l.p999 / 1000).toFixed(2)} ms, RSS ${rss}`;
  }
  return `${r.records} records handled, peak RSS ${rss}`;
}

/** Runs the latency producer; resolves with its summary line (incl. its own ack latency) when it has sent everything. */
function produceAtRate(topic, rate, count) {
  const argv = [`${root}/bench/harness/latency-producer.mjs`, '--brokers', opt.brokers, '--topic', topic, '--rate', String(rate), '--count', String(count)];
  const cpus = opt['helper-cpus'];
  const [command, args] = cpus ? ['taskset', ['-c', cpus, opt.node20, ...argv]] : [opt.node20, argv];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`latency producer exited ${code}`))));
  });
}

const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);
const fresh = (...parts) => `bench-${parts.join('-')}-${Date.now().toString(36)}`;

for (let round = 1; round <= rounds; round++) {
  // Rotating the order each round keeps any drift in the machine from favouring one client.
  const order = rotate(runnable, round - 1);
  if (scenarios.includes('drain')) {
    for (const ds of datasets) {
      for (const client of order.filter((c) => c.scenarios.includes('drain'))) {
        const maxMs = Number(opt['drain-max-ms']);
        await measureOnce(client, round, 'drain', ds.name, ['--topic', ds.topic, '--group', fresh('drain', client.id), '--scenario', 'drain', '--count', String(ds.records), '--max-ms', String(maxMs), '--value-size', String(ds.valueSize)], {
          timeoutMs: maxMs + 120_000,
          check: (r) => (r.records > 0 ? null : 'no records'),
        });
      }
    }
  }
  if (scenarios.includes('latency')) {
    for (const rate of rates) {
      for (const client of order.filter((c) => c.scenarios.includes('latency'))) {
        const topic = fresh('lat', rate, client.id);
        const count = rate * latencySeconds;
        let producing = null;
        await createEmptyTopic({ brokers: opt.brokers, topic, partitions });
        await measureOnce(client, round, 'latency', `${rate} msg/s`, ['--topic', topic, '--group', fresh('lat', client.id), '--scenario', 'latency', '--count', String(count), '--max-ms', String(latencySeconds * 1000 + 30_000)], {
          timeoutMs: latencySeconds * 1000 + 120_000,
          // Give the consumer a second after READY to send its first fetch, then produce.
          onReady: async () => {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            producing = produceAtRate(topic, rate, count);
            await producing;
          },
          check: (r) => (r.records === count ? null : `received ${r.records} of ${count} records`),
        });
        // The last record can arrive before the producer has its last ack and exits: wait for it.
        const producerSummary = producing ? await producing.catch((error) => error.message) : 'not started';
        runs[runs.length - 1].producer = producerSummary;
        save();
        say(`  producer: ${producerSummary}`);
        await deleteTopics({ brokers: opt.brokers, topics: [topic] });
      }
    }
  }
  for (const scenario of ['slow', 'stalled'].filter((s) => scenarios.includes(s))) {
    for (const client of order.filter((c) => c.scenarios.includes(scenario))) {
      const ds = datasets[1];
      const maxMs = Number(opt['memory-ms']);
      await measureOnce(client, round, scenario, ds.name, ['--topic', ds.topic, '--group', fresh(scenario, client.id), '--scenario', scenario, '--max-ms', String(maxMs), '--value-size', String(ds.valueSize)], {
        timeoutMs: maxMs + 120_000,
      });
    }
  }
}

const report = renderReport({ runs, clients: runnable, skipped, options: opt });
writeFileSync(`${outDir}/report.md`, report);
say(`wrote ${outDir}/results.json and ${outDir}/report.md`);
process.stdout.write(report);
