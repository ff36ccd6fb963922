#!/usr/bin/env node
// The peer benchmark (issue 4; method in ../shared/testing.md "Benchmarks"): every client in turn,
// for --rounds rounds, over the same pre-produced topics on one broker, in four scenarios:
//   drain    records/s and MB/s reading a 100 B and a 1 KiB topic from the start (time to first record apart)
//   latency  end-to-end p50/p99/p99.9 at fixed producer rates (fresh topic per run), CPU per record
//   slow     peak RSS with a 1 ms-per-record handler on the 1 KiB topic
//   stalled  peak RSS with a handler that never returns
// and two producer scenarios (PROTOCOL.md "Producer scenarios"; fresh 6-partition topic per run):
//   produce          --produce-records (1M) × 100 B as fast as each client goes, acks all:
//                    records/s from the first send to the last ack, CPU µs/record, peak RSS
//   produce-latency  --produce-rate (10 000/s) for --latency-seconds (6 s): send-to-ack p50/p99/p99.9
//   node bench/run.mjs --brokers 127.0.0.1:19092 --scenarios produce,produce-latency --rounds 5
// Writes .bench-results/<time>/results.json and report.md (medians and per-round ratios to the Java
// consumer). Normally started by scripts/bench.mjs (`npm run bench`), which prepares the broker,
// the build and the peers and passes --brokers, --node20 and --node24.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { availableClients, clientCatalogue, compileJavaRunner } from './harness/clients.mjs';
import { runClient } from './harness/run-client.mjs';
import { createEmptyTopic, deleteTopics, prepareDrainTopic } from './harness/topics.mjs';
import { quantiles } from './harness/stats.mjs';
import { ackedPerSecond } from './harness/produce-stats.mjs';
import { renderReport } from './harness/report.mjs';

const root = new URL('..', import.meta.url).pathname;
const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092' },
    node20: { type: 'string', default: process.execPath },
    node24: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    clients: { type: 'string' },
    scenarios: { type: 'string', default: 'drain,latency,slow,stalled,produce,produce-latency' },
    'records-100b': { type: 'string', default: '15000000' },
    'records-1k': { type: 'string', default: '4000000' },
    'drain-max-ms': { type: 'string', default: '8000' },
    rates: { type: 'string', default: '1000,10000' },
    'latency-seconds': { type: 'string', default: '6' },
    'memory-ms': { type: 'string', default: '8000' },
    'produce-records': { type: 'string', default: '1000000' },
    'produce-rate': { type: 'string', default: '10000' },
    'produce-max-ms': { type: 'string', default: '120000' },
    'topic-prefix': { type: 'string', default: 'bench' },
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
  say(`could not compile bench/java/BenchConsumer.java and BenchProducer.java: ${error.message}`);
}
const catalogue = clientCatalogue({ node20: opt.node20, node24: opt.node24 });
// A client with none of the chosen scenarios (a producer in a consumer run, or the reverse) is left out.
const chosen = catalogue.filter((c) => c.scenarios.some((s) => scenarios.includes(s)));
const { runnable, skipped } = availableClients(chosen, opt.clients?.split(','));
for (const s of skipped) say(`skipping ${s.label}: ${s.reason}`);
say(`clients: ${runnable.map((c) => c.id).join(', ')}`);

if (scenarios.some((s) => ['drain', 'slow', 'stalled'].includes(s))) {
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
  const run = { round, scenario, variant, client: client.id, ...outcome, load: loadavg()[0] };
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
  if (run.scenario === 'latency' || run.scenario === 'produce-latency') {
    const l = r.latency;
    const reached = run.scenario === 'produce-latency' ? ` at ${ackedPerSecond(r)?.toFixed(0)}/s` : '';
    return `${r.records} records${reached}, p50 ${(l.p50 / 1000).toFixed(2)} p99 ${(l.p99 / 1000).toFixed(2)} p99.9 ${(l.p999 / 1000).toFixed(2)} ms, RSS ${rss}`;
  }
  if (run.scenario === 'produce') return `${r.records} records, ${(ackedPerSecond(r) / 1e6).toFixed(3)} M/s, CPU ${(run.cpuMs / 1000).toFixed(1)} s, RSS ${rss}`;
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
const fresh = (...parts) => `${opt['topic-prefix']}-${parts.join('-')}-${Date.now().toString(36)}`;
const producers = runnable.filter((c) => c.scenarios.includes('produce'));

/** One producer run into a topic of its own, created before the runner starts and deleted after. */
async function measureProducer(client, round, scenario, variant, runnerArgs, count, maxMs) {
  const topic = fresh(scenario, client.id);
  await createEmptyTopic({ brokers: opt.brokers, topic, partitions });
  try {
    await measureOnce(client, round, scenario, variant, ['--topic', topic, '--scenario', scenario, '--count', String(count), '--max-ms', String(maxMs), ...runnerArgs], {
      timeoutMs: maxMs + 60_000,
      check: (r) => (r.records === count && !r.errors ? null : `${r.records} of ${count} records acknowledged, ${r.errors ?? 0} failed${r.firstError ? ` (${r.firstError})` : ''}`),
    });
  } finally {
    await deleteTopics({ brokers: opt.brokers, topics: [topic] });
  }
}

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
  // The producers rotate among themselves, so the consumers' order above is what it always was.
  const producerOrder = rotate(producers, round - 1);
  if (scenarios.includes('produce')) {
    const count = Number(opt['produce-records']);
    for (const client of producerOrder) await measureProducer(client, round, 'produce', '100 B', ['--value-size', '100'], count, Number(opt['produce-max-ms']));
  }
  if (scenarios.includes('produce-latency')) {
    const rate = Number(opt['produce-rate']);
    for (const client of producerOrder) {
      await measureProducer(client, round, 'produce-latency', `${rate} msg/s`, ['--value-size', '100', '--rate', String(rate)], rate * latencySeconds, latencySeconds * 1000 + 30_000);
    }
  }
}

const report = renderReport({ runs, clients: runnable, skipped, options: opt });
writeFileSync(`${outDir}/report.md`, report);
say(`wrote ${outDir}/results.json and ${outDir}/report.md`);
process.stdout.write(report);
