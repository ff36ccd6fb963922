// Turns the runs of a benchmark into markdown tables: per client the median over rounds, and the
// ratio to the Java consumer measured in the same round (median, with min–max over rounds).
import { median, summarise } from './stats.mjs';
import { ackedPerSecond } from './produce-stats.mjs';

const fmt = (value, digits = 2) => (value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const millions = (value) => (value === null ? '–' : `${(value / 1e6).toFixed(3)} M`);
const ratioCell = (s) => (s?.ratio ? `${fmt(s.ratio.median)}× (${fmt(s.ratio.min)}–${fmt(s.ratio.max)})` : '–');

/** The rows of one metric for one scenario variant. */
function metricRows(runs, scenario, variant, metric) {
  return runs
    .filter((r) => r.ok && r.scenario === scenario && r.variant === variant)
    .map((r) => ({ round: r.round, client: r.client, value: metric(r) }))
    .filter((row) => row.value !== null && Number.isFinite(row.value));
}

function roundsCell(runs, scenario, variant, client) {
  const mine = runs.filter((r) => r.scenario === scenario && r.variant === variant && r.client === client);
  const ok = mine.filter((r) => r.ok).length;
  return ok === mine.length ? String(ok) : `${ok}/${mine.length} ⚠`;
}

const variantsOf = (runs, scenario) => [...new Set(runs.filter((r) => r.scenario === scenario).map((r) => r.variant))];

function drainTables(runs, clients, lines) {
  for (const variant of variantsOf(runs, 'drain')) {
    const rate = summarise(metricRows(runs, 'drain', variant, (r) => r.result.records / (r.result.firstToLastMs / 1000)), 'java-perf');
    const rateVsJava = summarise(metricRows(runs, 'drain', variant, (r) => r.result.records / (r.result.firstToLastMs / 1000)), 'java');
    const mbps = summarise(metricRows(runs, 'drain', variant, (r) => r.result.bytes / 1e6 / (r.result.firstToLastMs / 1000)), 'java-perf');
    const first = summarise(metricRows(runs, 'drain', variant, (r) => r.result.startToFirstMs), 'java');
    const cpu = summarise(metricRows(runs, 'drain', variant, (r) => (r.cpuMs * 1000) / r.result.records), 'java');
    const rss = summarise(metricRows(runs, 'drain', variant, (r) => r.peakRssKb / 1024), 'java');
    lines.push(`### Drain, ${variant} values`, '');
    lines.push('| client | records/s | MB/s | × ConsumerPerformance | × Java KafkaConsumer | first record after (ms) | CPU µs/record | peak RSS (MiB) | rounds |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of clients.filter((c) => rate.has(c.id))) {
      lines.push(`| ${c.label} | ${millions(rate.get(c.id).median)} | ${fmt(mbps.get(c.id)?.median, 1)} | ${ratioCell(rate.get(c.id))} | ${ratioCell(rateVsJava.get(c.id))} | ${fmt(first.get(c.id)?.median, 0)} | ${fmt(cpu.get(c.id)?.median)} | ${fmt(rss.get(c.id)?.median, 0)} | ${roundsCell(runs, 'drain', variant, c.id)} |`);
    }
    lines.push('');
  }
}

function latencyTables(runs, clients, lines) {
  for (const variant of variantsOf(runs, 'latency')) {
    const ms = (key) => summarise(metricRows(runs, 'latency', variant, (r) => r.result.latency[key] / 1000), 'java');
    const p50 = ms('p50');
    const p99 = ms('p99');
    const p999 = ms('p999');
    const cpu = summarise(metricRows(runs, 'latency', variant, (r) => ((r.cpuMs - (r.cpuAtReadyMs ?? 0)) * 1000) / r.result.records), 'java');
    // The target is a difference (p99 within 2 ms of Java's), so show it per round as well.
    const p99Rows = metricRows(runs, 'latency', variant, (r) => r.result.latency.p99 / 1000);
    const javaP99 = new Map(p99Rows.filter((r) => r.client === 'java').map((r) => [r.round, r.value]));
    lines.push(`### End-to-end latency at ${variant}`, '');
    // The producer's own send-to-ack p99 in the same run: the part of the tail the producer and broker add.
    const ackP99 = (r) => Number(/ack p50 [\d.]+ p99 ([\d.]+)/.exec(r.producer ?? '')?.[1] ?? NaN);
    const producerTail = summarise(metricRows(runs, 'latency', variant, ackP99), 'java');
    lines.push('| client | p50 (ms) | p99 (ms) | p99.9 (ms) | p99 − Java p99 (ms) | p99 × Java | producer ack p99 (ms) | CPU µs/record | CPU × Java | rounds |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of clients.filter((c) => p99.has(c.id))) {
      const diffs = p99Rows
        .filter((r) => r.client === c.id && javaP99.has(r.round))
        .map((r) => r.value - javaP99.get(r.round));
      const diff = diffs.length ? `${fmt(median(diffs))} (${fmt(Math.min(...diffs))}–${fmt(Math.max(...diffs))})` : '–';
      lines.push(`| ${c.label} | ${fmt(p50.get(c.id).median)} | ${fmt(p99.get(c.id).median)} | ${fmt(p999.get(c.id).median)} | ${diff} | ${ratioCell(p99.get(c.id))} | ${fmt(producerTail.get(c.id)?.median)} | ${fmt(cpu.get(c.id)?.median)} | ${ratioCell(cpu.get(c.id))} | ${roundsCell(runs, 'latency', variant, c.id)} |`);
    }
    lines.push('');
  }
}

function memoryTables(runs, clients, lines) {
  for (const [scenario, title] of [['slow', 'a slow handler (1 ms per record)'], ['stalled', 'a stalled handler']]) {
    for (const variant of variantsOf(runs, scenario)) {
      const rss = summarise(metricRows(runs, scenario, variant, (r) => r.peakRssKb / 1024), 'java');
      const records = summarise(metricRows(runs, scenario, variant, (r) => r.result.records), 'java');
      lines.push(`### Peak RSS with ${title}, ${variant} topic`, '');
      lines.push('| client | peak RSS (MiB) | min–max | × Java | records handled |');
      lines.push('|---|---:|---:|---:|---:|');
      for (const c of clients.filter((c) => rss.has(c.id))) {
        const all = metricRows(runs, scenario, variant, (r) => r.peakRssKb / 1024).filter((r) => r.client === c.id).map((r) => r.value);
        lines.push(`| ${c.label} | ${fmt(rss.get(c.id).median, 0)} | ${fmt(Math.min(...all), 0)}–${fmt(Math.max(...all), 0)} | ${ratioCell(rss.get(c.id))} | ${fmt(records.get(c.id)?.median, 0)} |`);
      }
      lines.push('');
    }
  }
}

const JAVA_PRODUCER = 'java-producer';
const OWN_PRODUCER = 'kafka-stage-producer';

/** `min–max` of one client's values of a metric over rounds. */
function spread(rows, client, digits) {
  const all = rows.filter((r) => r.client === client).map((r) => r.value);
  return all.length ? `${fmt(Math.min(...all), digits)}–${fmt(Math.max(...all), digits)}` : '–';
}

/** kafka-stage's value ÷ `client`'s, per round (median, min–max): how kafka-stage compares with each peer. */
function ownOver(rows, client) {
  if (client === OWN_PRODUCER) return '–';
  const pair = rows.filter((r) => r.client === client || r.client === OWN_PRODUCER);
  return ratioCell(summarise(pair, client).get(OWN_PRODUCER));
}

function producerTables(runs, clients, lines) {
  // CPU from READY (connected, metadata known) to RESULT: the producing, not the process or JVM start.
  const cpuRows = (scenario, variant) => metricRows(runs, scenario, variant, (r) => ((r.cpuMs - (r.cpuAtReadyMs ?? 0)) * 1000) / r.result.records);
  const loadRows = (scenario, variant) => metricRows(runs, scenario, variant, (r) => r.load ?? null);
  for (const variant of variantsOf(runs, 'produce')) {
    const rateRows = metricRows(runs, 'produce', variant, (r) => ackedPerSecond(r.result));
    const rate = summarise(rateRows, JAVA_PRODUCER);
    const mbps = summarise(metricRows(runs, 'produce', variant, (r) => r.result.bytes / 1e6 / (r.result.firstToLastMs / 1000)), JAVA_PRODUCER);
    const cpu = summarise(cpuRows('produce', variant), JAVA_PRODUCER);
    const rss = summarise(metricRows(runs, 'produce', variant, (r) => r.peakRssKb / 1024), JAVA_PRODUCER);
    const load = summarise(loadRows('produce', variant), JAVA_PRODUCER);
    lines.push(`### Producer throughput, ${variant} values, acks all`, '');
    lines.push('| client | records/s | min–max (M/s) | MB/s | × Java KafkaProducer | kafka-stage ÷ this | CPU µs/record | peak RSS (MiB) | load (1 min) | rounds |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of clients.filter((c) => rate.has(c.id))) {
      lines.push(`| ${c.label} | ${millions(rate.get(c.id).median)} | ${spread(rateRows.map((r) => ({ ...r, value: r.value / 1e6 })), c.id, 3)} | ${fmt(mbps.get(c.id)?.median, 1)} | ${ratioCell(rate.get(c.id))} | ${ownOver(rateRows, c.id)} | ${fmt(cpu.get(c.id)?.median)} | ${fmt(rss.get(c.id)?.median, 0)} | ${fmt(load.get(c.id)?.median, 1)} | ${roundsCell(runs, 'produce', variant, c.id)} |`);
    }
    lines.push('');
  }
  for (const variant of variantsOf(runs, 'produce-latency')) {
    const msRows = (key) => metricRows(runs, 'produce-latency', variant, (r) => r.result.latency[key] / 1000);
    const p50 = summarise(msRows('p50'), JAVA_PRODUCER);
    const p99Rows = msRows('p99');
    const p99 = summarise(p99Rows, JAVA_PRODUCER);
    const p999 = summarise(msRows('p999'), JAVA_PRODUCER);
    const reached = summarise(metricRows(runs, 'produce-latency', variant, (r) => ackedPerSecond(r.result)), JAVA_PRODUCER);
    const cpu = summarise(cpuRows('produce-latency', variant), JAVA_PRODUCER);
    const rss = summarise(metricRows(runs, 'produce-latency', variant, (r) => r.peakRssKb / 1024), JAVA_PRODUCER);
    const load = summarise(loadRows('produce-latency', variant), JAVA_PRODUCER);
    const javaP99 = new Map(p99Rows.filter((r) => r.client === JAVA_PRODUCER).map((r) => [r.round, r.value]));
    lines.push(`### Producer send-to-ack latency at ${variant}, acks all`, '');
    lines.push('| client | rate reached (records/s) | p50 (ms) | p99 (ms) | p99 min–max | p99.9 (ms) | p99 − Java p99 (ms) | kafka-stage p99 ÷ this | CPU µs/record | peak RSS (MiB) | load (1 min) | rounds |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of clients.filter((c) => p99.has(c.id))) {
      const diffs = p99Rows.filter((r) => r.client === c.id && javaP99.has(r.round)).map((r) => r.value - javaP99.get(r.round));
      const diff = diffs.length && c.id !== JAVA_PRODUCER ? `${fmt(median(diffs))} (${fmt(Math.min(...diffs))}–${fmt(Math.max(...diffs))})` : '–';
      lines.push(`| ${c.label} | ${fmt(reached.get(c.id)?.median, 0)} | ${fmt(p50.get(c.id).median)} | ${fmt(p99.get(c.id).median)} | ${spread(p99Rows, c.id, 2)} | ${fmt(p999.get(c.id).median)} | ${diff} | ${ownOver(p99Rows, c.id)} | ${fmt(cpu.get(c.id)?.median)} | ${fmt(rss.get(c.id)?.median, 0)} | ${fmt(load.get(c.id)?.median, 1)} | ${roundsCell(runs, 'produce-latency', variant, c.id)} |`);
    }
    lines.push('');
  }
}

/** The whole report as markdown. */
export function renderReport({ runs, clients, skipped }) {
  const lines = [];
  const rounds = new Set(runs.map((r) => r.round)).size;
  lines.push(`Rounds: ${rounds}. Medians over rounds; ratios are per round against the Java client in the same round (median, min–max).`, '');
  for (const s of skipped) lines.push(`- Not measured: ${s.label} (${s.reason}).`);
  if (skipped.length) lines.push('');
  drainTables(runs, clients, lines);
  latencyTables(runs, clients, lines);
  memoryTables(runs, clients, lines);
  producerTables(runs, clients, lines);
  const failures = runs.filter((r) => !r.ok);
  if (failures.length) {
    lines.push('### Failed runs', '');
    for (const f of failures) lines.push(`- round ${f.round} ${f.scenario} ${f.variant} ${f.client}: ${f.error}`);
    lines.push('');
  }
  return lines.join('\n');
}
