// Bench runner (PROTOCOL.md) for Kafka's own consumer benchmark, org.apache.kafka.tools.ConsumerPerformance
// 4.1.1, run through scripts/kafka/java-tool.sh (default JVM flags: -Xmx512m). Drain only: the tool has
// no handler to slow down or stall and reports no per-record times.
//
// The tool is measured as it ships: a KafkaConsumer<byte[], byte[]> in group mode (subscribe), earliest
// reset, but with its own overrides: receive.buffer.bytes 2 MiB (client default 64 KiB),
// max.partition.fetch.bytes 1 MiB (its --fetch-size; equal to the default) and check.crcs=false; it reads
// record lengths only (values are not touched: checksum 0).
//
// Its one summary line gives (see the tool's header):
//   rebalance.time.ms: subscribe → first assignment                      → startToFirstMs
//   fetch.time.ms:     first assignment → end of its poll loop            → firstToLastMs
// So, unlike the other runners, the split point is the assignment rather than the first record: the
// first fetch round trip counts in firstToLastMs, and JVM start-up plus the consumer's construction
// count in neither. When --count is more than the topic holds, the loop ends after --timeout ms
// without records; that idle time is subtracted again (to within one 100 ms poll).
// bytes: the tool prints MiB with 4 decimals (±53 B); when records × --value-size is within that, the
// exact product is reported.
// READY: the tool signals nothing at assignment; READY is printed when its header line appears, i.e.
// once the JVM is up and about to construct the consumer.
// Several topics (`--topic a,b,c`): the tool's `--include '^(a|b|c)$'`, a pattern subscription.
// Memory and CPU: java-tool.sh `exec`s java, so the spawned pid is the JVM (PID line). The JVM exits
// before RESULT, so this wrapper samples /proc/<pid> every 50 ms and reports peakRssKb (last VmHWM
// seen) and cpuMs (utime+stime, exact from this process's cutime+cstime once the JVM was reaped; that
// includes java-tool.sh's few ms of install check).
import { spawn } from 'node:child_process';
import { ProcSampler } from './proc-stats.mjs';
import { runnerArgs, fail } from './runner-kit.mjs';

const args = runnerArgs({ 'idle-timeout-ms': { type: 'string', default: '10000' } });
if (args.scenario !== 'drain') {
  fail(`java-perf: --scenario ${args.scenario} is not supported (ConsumerPerformance only drains)`);
}

const tool = new URL('../../scripts/kafka/java-tool.sh', import.meta.url).pathname;
// The tool's --timeout (default 10 s, its own default), passed explicitly so it can be subtracted; at
// 1000 partitions on a loaded machine the join and first fetch can take longer than that.
const idleTimeoutMs = Number(args.extra['idle-timeout-ms']);

/** One topic: --topic; a comma-separated list: --include with a regex matching exactly those names. */
function topicArgs(topic) {
  const topics = topic.split(',');
  if (topics.length === 1) return ['--topic', topic];
  // Topic names are [a-zA-Z0-9._-]: only the dot means something in a regex.
  return ['--include', `^(${topics.map((t) => t.replaceAll('.', '\\.')).join('|')})$`];
}

const messages = args.count < Number.MAX_SAFE_INTEGER ? args.count : Number.MAX_SAFE_INTEGER;
const child = spawn(
  'bash',
  [
    tool,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', args.brokers,
    ...topicArgs(args.topic),
    '--group', args.group,
    '--messages', String(messages),
    '--timeout', String(idleTimeoutMs),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
process.on('exit', () => child.kill('SIGKILL'));
process.stdout.write(`PID ${child.pid}\n`);
const sampler = new ProcSampler(child.pid);

// ConsumerPerformance cannot stop at --max-ms after the first record: give it that much plus 30 s for
// start-up, then give up.
const hardLimit = setTimeout(() => fail(`java-perf: no summary within --max-ms + 30 s`), args.maxMs + 30_000);

let text = '';
let ready = false;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  text += chunk;
  if (!ready && text.includes('start.time, ')) {
    ready = true;
    process.stdout.write('READY\n');
  }
});
child.on('error', (error) => fail(`java-perf: cannot start java-tool.sh: ${error.message}`));
child.on('exit', () => sampler.stopAfterExit());
child.on('close', (code, signal) => {
  clearTimeout(hardLimit);
  if (code !== 0) fail(`java-perf: ConsumerPerformance exited with ${signal ?? code}`);
  report(text.split('\n'));
});

function report(lines) {
  const headerAt = lines.findIndex((line) => line.startsWith('start.time, '));
  const columns = headerAt < 0 ? [] : lines[headerAt].split(', ');
  const row = lines.slice(headerAt + 1).map((line) => line.split(', ')).find((cells) => cells.length === columns.length && !cells[0].startsWith('WARNING'));
  if (!row) fail(`java-perf: no summary line in ConsumerPerformance's output:\n${lines.join('\n')}`);
  const column = (name) => {
    const at = columns.indexOf(name);
    if (at < 0) fail(`java-perf: ConsumerPerformance printed no ${name} column`);
    return Number(row[at]);
  };
  const records = column('data.consumed.in.nMsg');
  if (records === 0) fail(`java-perf: no records within ${idleTimeoutMs} ms (unknown or empty topic?)`);
  const idledOut = lines.some((line) => line.startsWith('WARNING: Exiting before consuming'));
  const approxBytes = Math.round(column('data.consumed.in.MB') * 1024 * 1024);
  const exactBytes = records * args.valueSize;
  const result = {
    records,
    bytes: Math.abs(approxBytes - exactBytes) <= 53 ? exactBytes : approxBytes,
    checksum: 0,
    startToFirstMs: column('rebalance.time.ms'),
    firstToLastMs: Math.max(0, column('fetch.time.ms') - (idledOut ? idleTimeoutMs : 0)),
    peakRssKb: sampler.peakRssKb,
    cpuMs: sampler.cpuMs,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // Stay alive until the harness sends SIGTERM (runner-kit exits on it).
  setInterval(() => {}, 1 << 30);
}
