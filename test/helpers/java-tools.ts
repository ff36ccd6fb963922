/**
 * The real Java clients from the Kafka jars, run as independent peers for interop tests and
 * benchmarks (through scripts/kafka/java-tool.sh, which fetches the jars on first use).
 *
 * Cost: every call starts a JVM. On an idle 2-core machine a console tool takes about 1.5–2 s to
 * start and finish (several times that on a busy one), and a console consumer adds about 1 s of
 * group join. Console
 * tools therefore run with a small heap, the serial GC and the C1 compiler only
 * ({@link QUICK_JVM_OPTS}); the performance tools keep the full JIT. Batch work into one call
 * (many records per javaProduce, many keys per javaPartitionsFor) rather than many calls.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const javaToolScript = fileURLToPath(new URL('../../scripts/kafka/java-tool.sh', import.meta.url));
const kafkaEnvScript = fileURLToPath(new URL('../../scripts/kafka/env.sh', import.meta.url));
const partitionForKeySource = fileURLToPath(new URL('../../scripts/kafka/PartitionForKey.java', import.meta.url));

/** JVM flags for short-lived console tools: start-up matters more than peak speed. */
export const QUICK_JVM_OPTS = '-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';

/** JVM flags for the performance tools: the full JIT, as in a real deployment. */
export const PERF_JVM_OPTS = '-Xmx1g';

/** Compression codecs of the Java producer (`compression.type`). */
export type JavaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** `acks` of the Java producer. */
export type JavaAcks = 'all' | '-1' | '0' | '1' | -1 | 0 | 1;

/** Bootstrap brokers as `host:port,...` or a list. */
export type Brokers = string | readonly string[];

// Separators of the console producer's LineMessageReader and the console consumer's
// DefaultMessageFormatter: ASCII control characters, so ordinary text (tabs, commas, colons,
// '=', any Unicode) round-trips unchanged. The reader's `headers.separator` is a regex: these
// characters are not regex syntax.
const KEY_SEPARATOR = '\x1f';
const HEADERS_DELIMITER = '\x1e';
const HEADERS_SEPARATOR = '\x1d';
const HEADER_KEY_SEPARATOR = '\x1c';
const NULL_MARKER = '\x18';
/** Record separator of the consumer output: not a newline, so values may hold newlines there. */
const LINE_SEPARATOR = '\x1e';
const RESERVED_CHARACTERS = ['\n', '\r', NULL_MARKER, HEADER_KEY_SEPARATOR, HEADERS_SEPARATOR, HEADERS_DELIMITER, KEY_SEPARATOR];

/** The result of one Java tool run. */
export interface JavaToolResult {
  /** Raw standard output (binary-safe). */
  stdout: Buffer;
  /** Standard error: the tool's log (WARN and above, see scripts/kafka/log4j2-tools.properties). */
  stderr: string;
}

/** Options of {@link runJavaTool}. */
export interface RunJavaToolOptions {
  /** Bytes written to the tool's standard input, which is then closed. */
  stdin?: string | Buffer;
  /** JVM flags (default: the script's own, -Xmx512m). */
  jvmOpts?: string;
  /** Kill the JVM and reject after this many milliseconds (default 120 000). */
  killAfterMs?: number;
}

/** A Java tool exited non-zero, was killed, or reported an error in its log. */
export class JavaToolError extends Error {
  /** The main class (or source file) that was run. */
  readonly mainClass: string;
  /** Exit code, or null when the process was killed. */
  readonly exitCode: number | null;
  /** Standard error of the run. */
  readonly stderr: string;

  constructor(message: string, mainClass: string, exitCode: number | null, stderr: string) {
    super(`${message} (${mainClass}, exit ${exitCode ?? 'killed'})\n${tail(stderr, 30)}`);
    this.name = 'JavaToolError';
    this.mainClass = mainClass;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function brokerList(brokers: Brokers): string {
  return typeof brokers === 'string' ? brokers : brokers.join(',');
}

/**
 * Runs a main class from the Kafka jars (or a `.java` source file in source-file mode) and
 * resolves with its output once it exits with status 0. Rejects with {@link JavaToolError}
 * on a non-zero exit or when `killAfterMs` passes.
 */
export function runJavaTool(mainClass: string, args: readonly string[], options: RunJavaToolOptions = {}): Promise<JavaToolResult> {
  const env = { ...process.env };
  if (options.jvmOpts !== undefined) env.KAFKA_TOOL_JVM_OPTS = options.jvmOpts;
  const child = spawn('bash', [javaToolScript, mainClass, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // A JVM that dies early closes its stdin: the write error is reported through the exit code.
  child.stdin.on('error', () => {});
  child.stdin.end(options.stdin ?? '');
  const killAfterMs = options.killAfterMs ?? 120_000;
  return new Promise((resolve, reject) => {
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const err = Buffer.concat(stderr).toString('utf8');
      if (killed) reject(new JavaToolError(`killed after ${killAfterMs} ms`, mainClass, null, err));
      else if (code !== 0) reject(new JavaToolError('failed', mainClass, code, err));
      else resolve({ stdout: Buffer.concat(stdout), stderr: err });
    });
  });
}

/** Lines of a tool's log at ERROR level (the tools' log pattern starts each line with the level). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('ERROR '));
}

/** Creates a topic with the Java admin tool (`kafka-topics.sh --create`). */
export async function javaCreateTopic(
  brokers: Brokers,
  topic: string,
  partitions: number,
  options: { replicationFactor?: number; configs?: Record<string, string> } = {},
): Promise<void> {
  const args = [
    '--bootstrap-server', brokerList(brokers), '--create', '--topic', topic,
    '--partitions', String(partitions), '--replication-factor', String(options.replicationFactor ?? 1),
  ];
  for (const [name, value] of Object.entries(options.configs ?? {})) args.push('--config', `${name}=${value}`);
  await runJavaTool('org.apache.kafka.tools.TopicCommand', args, { jvmOpts: QUICK_JVM_OPTS });
}

/**
 * Offsets per partition from the Java GetOffsetShell: `'latest'` gives the log-end offsets,
 * `'earliest'` the log-start offsets, a number the first offset at or after that timestamp (ms).
 */
export async function javaListOffsets(brokers: Brokers, topic: string, time: 'latest' | 'earliest' | number = 'latest'): Promise<Map<number, number>> {
  const spec = time === 'latest' ? '-1' : time === 'earliest' ? '-2' : String(time);
  const { stdout } = await runJavaTool(
    'org.apache.kafka.tools.GetOffsetShell',
    ['--bootstrap-server', brokerList(brokers), '--topic', topic, '--time', spec],
    { jvmOpts: QUICK_JVM_OPTS },
  );
  const offsets = new Map<number, number>();
  // Lines are "topic:partition:offset"; topic names cannot hold ':', but parse from the right anyway.
  for (const line of stdout.toString('utf8').split('\n')) {
    const parts = line.trim().split(':');
    if (parts.length < 3) continue;
    offsets.set(Number(parts.at(-2)), Number(parts.at(-1)));
  }
  return offsets;
}

/** A record for {@link javaProduce}. No field may hold a newline or the characters U+0018, U+001C–U+001F. */
export interface JavaRecordIn {
  /** Key; null or absent for a record without a key (then the sticky partitioner picks). */
  key?: string | null;
  /** Value; null for a tombstone. */
  value: string | null;
  /** Headers in insertion order; a null value is a header without a value. */
  headers?: Record<string, string | null>;
}

/** Options of {@link javaProduce}. */
export interface JavaProduceOptions {
  brokers: Brokers;
  topic: string;
  records: readonly JavaRecordIn[];
  compression: JavaCompression;
  /** Default 'all'. */
  acks?: JavaAcks;
  /** `linger.ms` (default 50): long enough that many records share a batch. */
  lingerMs?: number;
  /** `batch.size` in bytes (default 1 MiB). */
  batchSize?: number;
  /** `max.block.ms`: how long a send may wait for metadata, e.g. of a missing topic (default 60 000). */
  maxBlockMs?: number;
  /** A Java client properties file (`--command-config`; `--producer.config` before Kafka 4.1), e.g. security settings. */
  clientConfig?: string;
}

function checkField(what: string, text: string): string {
  if (RESERVED_CHARACTERS.some((c) => text.includes(c))) throw new RangeError(`javaProduce: ${what} holds a newline or a reserved control character: ${JSON.stringify(text)}`);
  return text;
}

/** One input line of the console producer: headers, key, value (LineMessageReader's order). */
function producerLine(record: JavaRecordIn, index: number): string {
  const entries = Object.entries(record.headers ?? {});
  const headers = entries.length === 0
    ? NULL_MARKER
    : entries
        .map(([k, v]) => `${checkField(`record ${index} header key`, k)}${HEADER_KEY_SEPARATOR}${v === null ? NULL_MARKER : checkField(`record ${index} header value`, v)}`)
        .join(HEADERS_SEPARATOR);
  const key = record.key == null ? NULL_MARKER : checkField(`record ${index} key`, record.key);
  const value = record.value === null ? NULL_MARKER : checkField(`record ${index} value`, record.value);
  return `${headers}${HEADERS_DELIMITER}${key}${KEY_SEPARATOR}${value}\n`;
}

/**
 * Produces records with the Java console producer (`org.apache.kafka.tools.ConsoleProducer`)
 * and resolves once every record is acknowledged: the tool flushes and closes its producer at
 * end of input, and a failed send (logged at ERROR, the tool still exits 0) rejects.
 * Keyed records land where the Java default partitioner puts them.
 */
export async function javaProduce(options: JavaProduceOptions): Promise<void> {
  const input = options.records.map(producerLine).join('');
  const acks = options.acks === undefined || options.acks === 'all' ? '-1' : String(options.acks);
  const args = [
    '--bootstrap-server', brokerList(options.brokers), '--topic', options.topic,
    '--compression-codec', options.compression,
    '--request-required-acks', acks,
    '--timeout', String(options.lingerMs ?? 50),
    '--batch-size', String(options.batchSize ?? 1024 * 1024),
    '--request-timeout-ms', '30000',
    '--max-block-ms', String(options.maxBlockMs ?? 60_000),
    '--property', 'parse.key=true', '--property', `key.separator=${KEY_SEPARATOR}`,
    '--property', 'parse.headers=true', '--property', `headers.delimiter=${HEADERS_DELIMITER}`,
    '--property', `headers.separator=${HEADERS_SEPARATOR}`, '--property', `headers.key.separator=${HEADER_KEY_SEPARATOR}`,
    '--property', `null.marker=${NULL_MARKER}`,
    ...(options.clientConfig === undefined ? [] : [kafkaToolsAtLeast(4, 1) ? '--command-config' : '--producer.config', options.clientConfig]),
  ];
  const { stderr } = await runJavaTool('org.apache.kafka.tools.ConsoleProducer', args, { stdin: input, jvmOpts: QUICK_JVM_OPTS });
  const errors = errorLines(stderr);
  if (errors.length > 0) throw new JavaToolError(`${errors.length} send(s) failed`, 'org.apache.kafka.tools.ConsoleProducer', 0, stderr);
}

/** A record read by {@link javaConsume}. Key, value and header values are decoded as UTF-8. */
export interface JavaRecordOut {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  /** Headers by key (the last one wins when a key repeats; see `headerList`). */
  headers: Record<string, string | null>;
  /** Headers in record order, duplicates kept. */
  headerList: [string, string | null][];
}

/** Options of {@link javaConsume}. */
export interface JavaConsumeOptions {
  brokers: Brokers;
  topic: string;
  /** Stop after this many records. */
  maxMessages: number;
  /** Stop when no record arrives for this long (the tool's `--timeout-ms`); the records so far are returned. */
  timeoutMs: number;
  /** Where to start: the only option is the beginning of every partition. */
  from: 'earliest';
  /** Consumer group (default: a fresh group per call). */
  group?: string;
  /** `isolation.level` (default read_uncommitted, as the Java consumer). */
  isolation?: 'read_committed' | 'read_uncommitted';
  /** A Java client properties file (`--command-config`; `--consumer.config` before Kafka 4.1), e.g. security settings. */
  clientConfig?: string;
  /** Consumer properties (`--command-property`; `--consumer-property` before Kafka 4.2), e.g. `group.protocol: 'consumer'`. */
  consumerProperties?: Record<string, string>;
}

/**
 * Reads records with the Java console consumer (`org.apache.kafka.tools.consumer.ConsoleConsumer`),
 * subscribed to the whole topic. Resolves with up to `maxMessages` records in the order the
 * consumer printed them (per-partition order is the log order). Fewer records come back when
 * the topic goes idle for `timeoutMs`: callers assert the count.
 *
 * Not unambiguous for: header keys containing ':' (split at the first ':'), keys containing
 * U+001F, any field containing U+001E, and a field equal to U+0018 (read as null).
 */
export async function javaConsume(options: JavaConsumeOptions): Promise<JavaRecordOut[]> {
  const args = consoleConsumerArgs(options);
  const { stdout } = await runJavaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', args, {
    jvmOpts: QUICK_JVM_OPTS,
    killAfterMs: options.timeoutMs + 120_000,
  });
  return parseConsoleConsumerOutput(stdout.toString('utf8'));
}

/**
 * The console consumer's arguments for {@link javaConsume}'s options (records printed with the
 * separators {@link parseConsoleConsumerOutput} reads); `maxMessages` and `timeoutMs` may be left
 * out, for a consumer that runs until stopped.
 */
export function consoleConsumerArgs(options: Omit<JavaConsumeOptions, 'maxMessages' | 'timeoutMs'> & { maxMessages?: number; timeoutMs?: number }): string[] {
  // Kafka 4.2 renamed the formatter's --property to --formatter-property, and warns about the old
  // name on stdout, in the middle of the records.
  const property = kafkaToolsAtLeast(4, 2) ? '--formatter-property' : '--property';
  return [
    '--bootstrap-server', brokerList(options.brokers), '--topic', options.topic, '--from-beginning',
    ...(options.maxMessages === undefined ? [] : ['--max-messages', String(options.maxMessages)]),
    ...(options.timeoutMs === undefined ? [] : ['--timeout-ms', String(options.timeoutMs)]),
    '--group', options.group ?? `java-consume-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    '--isolation-level', options.isolation ?? 'read_uncommitted',
    property, 'print.partition=true', property, 'print.offset=true',
    property, 'print.headers=true', property, 'print.key=true',
    property, `key.separator=${KEY_SEPARATOR}`, property, `line.separator=${LINE_SEPARATOR}`,
    property, `headers.separator=${HEADERS_SEPARATOR}`, property, `null.literal=${NULL_MARKER}`,
    ...(options.clientConfig === undefined ? [] : [kafkaToolsAtLeast(4, 1) ? '--command-config' : '--consumer.config', options.clientConfig]),
    // Kafka 4.2 renamed --consumer-property too (warning about the old name on stdout, like --property).
    ...Object.entries(options.consumerProperties ?? {}).flatMap(([k, v]) => [kafkaToolsAtLeast(4, 2) ? '--command-property' : '--consumer-property', `${k}=${v}`]),
  ];
}

/** The records of console consumer output that are complete so far (a record still being written is left out). */
export function parseCompleteConsoleOutput(text: string): JavaRecordOut[] {
  const end = text.lastIndexOf(LINE_SEPARATOR);
  return end < 0 ? [] : parseConsoleConsumerOutput(text.slice(0, end + 1));
}

const nullable = (text: string): string | null => (text === NULL_MARKER ? null : text);

/**
 * True when the Kafka release whose tools java-tool.sh runs is `major.minor` or newer: KAFKA_VERSION,
 * or else the default that scripts/kafka/env.sh sets.
 */
export function kafkaToolsAtLeast(major: number, minor: number): boolean {
  const version = process.env.KAFKA_VERSION ?? /KAFKA_VERSION:-([0-9.]+)/.exec(readFileSync(kafkaEnvScript, 'utf8'))?.[1];
  if (!version) throw new Error(`no KAFKA_VERSION and no default in ${kafkaEnvScript}`);
  const [ma = 0, mi = 0] = version.split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}

/** Parses DefaultMessageFormatter output written with the separators {@link javaConsume} sets. */
export function parseConsoleConsumerOutput(text: string): JavaRecordOut[] {
  const lines = text.split(LINE_SEPARATOR);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => {
    // Partition, offset, headers and key hold no KEY_SEPARATOR; the value may.
    const fields = line.split(KEY_SEPARATOR);
    const [partitionField, offsetField, headersField, keyField] = fields;
    if (
      fields.length < 5 || keyField === undefined || headersField === undefined ||
      !partitionField?.startsWith('Partition:') || !offsetField?.startsWith('Offset:')
    ) {
      throw new Error(`javaConsume: cannot parse record ${index}: ${JSON.stringify(line.slice(0, 200))}`);
    }
    const headerList: [string, string | null][] = headersField === 'NO_HEADERS'
      ? []
      : headersField.split(HEADERS_SEPARATOR).map((pair) => {
          const colon = pair.indexOf(':');
          if (colon < 0) throw new Error(`javaConsume: bad header ${JSON.stringify(pair)} in record ${index}`);
          return [pair.slice(0, colon), nullable(pair.slice(colon + 1))];
        });
    return {
      partition: Number(partitionField.slice('Partition:'.length)),
      offset: Number(offsetField.slice('Offset:'.length)),
      key: nullable(keyField),
      value: nullable(fields.slice(4).join(KEY_SEPARATOR)),
      headers: Object.fromEntries(headerList),
      headerList,
    };
  });
}

/** Options of {@link javaProducerPerformance} (`org.apache.kafka.tools.ProducerPerformance`). */
export interface JavaProducerPerformanceOptions {
  brokers: Brokers;
  topic: string;
  numRecords: number;
  recordSize: number;
  /** Records per second, -1 for no limit (default -1). */
  throughput?: number;
  compression?: JavaCompression;
  acks?: JavaAcks;
  /** Further producer settings, e.g. `{ 'linger.ms': '5', 'batch.size': '65536' }`. */
  producerProps?: Record<string, string>;
  killAfterMs?: number;
}

/** The closing summary of ProducerPerformance. */
export interface JavaProducerPerformanceResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** The summary line as printed. */
  line: string;
}

const PRODUCER_SUMMARY = new RegExp(
  String.raw`^(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, ` +
    String.raw`(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$`,
  'm',
);

/** Runs the Java producer benchmark and returns its closing figures. */
export async function javaProducerPerformance(options: JavaProducerPerformanceOptions): Promise<JavaProducerPerformanceResult> {
  const props: Record<string, string> = {
    'bootstrap.servers': brokerList(options.brokers),
    'compression.type': options.compression ?? 'none',
    acks: options.acks === undefined || options.acks === 'all' ? 'all' : String(options.acks),
    ...options.producerProps,
  };
  const args = [
    '--topic', options.topic, '--num-records', String(options.numRecords), '--record-size', String(options.recordSize),
    '--throughput', String(options.throughput ?? -1),
    '--producer-props', ...Object.entries(props).map(([k, v]) => `${k}=${v}`),
  ];
  const { stdout, stderr } = await runJavaTool('org.apache.kafka.tools.ProducerPerformance', args, {
    jvmOpts: PERF_JVM_OPTS,
    killAfterMs: options.killAfterMs ?? 600_000,
  });
  const text = stdout.toString('utf8');
  const m = PRODUCER_SUMMARY.exec(text);
  if (!m) throw new JavaToolError(`no summary line in output: ${tail(text, 5)}`, 'org.apache.kafka.tools.ProducerPerformance', 0, stderr);
  const n = (i: number): number => Number(m[i]);
  return {
    records: n(1), recordsPerSec: n(2), mbPerSec: n(3), avgLatencyMs: n(4), maxLatencyMs: n(5),
    p50Ms: n(6), p95Ms: n(7), p99Ms: n(8), p999Ms: n(9), line: m[0],
  };
}

/** Options of {@link javaConsumerPerformance} (`org.apache.kafka.tools.ConsumerPerformance`). */
export interface JavaConsumerPerformanceOptions {
  brokers: Brokers;
  topic: string;
  /** Stop after this many records. */
  messages: number;
  /** Give up when no record arrives for this long (the tool's `--timeout`; default 10 000 ms). */
  timeoutMs?: number;
  /** Consumer group (default: a fresh one, so the topic is read from the start). */
  group?: string;
  /** Fetch size in bytes (the tool's `--fetch-size`, i.e. `max.partition.fetch.bytes`). */
  fetchSize?: number;
  killAfterMs?: number;
}

/** The figures ConsumerPerformance prints; `fetch*` exclude the group join (`rebalanceTimeMs`). */
export interface JavaConsumerPerformanceResult {
  mb: number;
  mbPerSec: number;
  messages: number;
  messagesPerSec: number;
  rebalanceTimeMs: number;
  fetchTimeMs: number;
  fetchMbPerSec: number;
  fetchMessagesPerSec: number;
  /** True when the tool stopped at its timeout before reading `messages` records. */
  timedOut: boolean;
}

/** Runs the Java consumer benchmark and returns its figures. */
export async function javaConsumerPerformance(options: JavaConsumerPerformanceOptions): Promise<JavaConsumerPerformanceResult> {
  const args = [
    '--bootstrap-server', brokerList(options.brokers), '--topic', options.topic,
    '--messages', String(options.messages), '--timeout', String(options.timeoutMs ?? 10_000),
    '--group', options.group ?? `java-perf-${process.pid}-${Date.now().toString(36)}`,
  ];
  if (options.fetchSize !== undefined) args.push('--fetch-size', String(options.fetchSize));
  const { stdout, stderr } = await runJavaTool('org.apache.kafka.tools.ConsumerPerformance', args, {
    jvmOpts: PERF_JVM_OPTS,
    killAfterMs: options.killAfterMs ?? 600_000,
  });
  const lines = stdout.toString('utf8').trim().split('\n');
  const headerIndex = lines.findIndex((l) => l.startsWith('start.time,'));
  const header = lines[headerIndex]?.split(',').map((s) => s.trim());
  // The timeout warning is printed on stdout between the header and the figures.
  const row = lines.slice(headerIndex + 1).find((l) => /^\d/.test(l))?.split(',').map((s) => s.trim());
  if (headerIndex < 0 || !header || !row || row.length !== header.length) {
    throw new JavaToolError(`unexpected output: ${tail(lines.join('\n'), 5)}`, 'org.apache.kafka.tools.ConsumerPerformance', 0, stderr);
  }
  const col = (name: string): number => {
    const value = Number(row[header.indexOf(name)]);
    if (!Number.isFinite(value)) throw new JavaToolError(`no ${name} column`, 'org.apache.kafka.tools.ConsumerPerformance', 0, stderr);
    return value;
  };
  return {
    mb: col('data.consumed.in.MB'),
    mbPerSec: col('MB.sec'),
    messages: col('data.consumed.in.nMsg'),
    messagesPerSec: col('nMsg.sec'),
    rebalanceTimeMs: col('rebalance.time.ms'),
    fetchTimeMs: col('fetch.time.ms'),
    fetchMbPerSec: col('fetch.MB.sec'),
    fetchMessagesPerSec: col('fetch.nMsg.sec'),
    timedOut: lines.some((l) => l.includes('Exiting before consuming the expected number of messages')),
  };
}

/** What the Java client computes for one key. */
export interface JavaKeyHash {
  /** `BuiltInPartitioner.partitionForKey(key, numPartitions)`: the default partitioner's choice. */
  partition: number;
  /** `Utils.murmur2(key)` as a signed 32-bit integer. */
  murmur2: number;
}

/**
 * Asks the Java client (kafka-clients, via scripts/kafka/PartitionForKey.java in source-file
 * mode) which partition its default partitioner picks for each key, and the key's murmur2 hash.
 * Strings are encoded as UTF-8, as the Java StringSerializer does. One JVM for the whole list.
 */
export async function javaKeyHashes(keys: readonly (string | Uint8Array)[], numPartitions: number): Promise<JavaKeyHash[]> {
  return keyHashes(keys.map((key) => ({ key, numPartitions })));
}

async function keyHashes(entries: readonly { key: string | Uint8Array; numPartitions: number }[]): Promise<JavaKeyHash[]> {
  if (entries.length === 0) return [];
  const input = entries.map(({ key, numPartitions }) => {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
    return `${numPartitions} ${Buffer.from(key).toString('hex')}\n`;
  });
  const { stdout } = await runJavaTool(partitionForKeySource, [], { stdin: input.join(''), jvmOpts: QUICK_JVM_OPTS });
  const lines = stdout.toString('ascii').trim().split('\n').filter(Boolean);
  if (lines.length !== entries.length) throw new Error(`PartitionForKey answered ${lines.length} lines for ${entries.length} keys`);
  return lines.map((line) => {
    const [partition, murmur2] = line.split(' ').map(Number);
    return { partition: partition ?? NaN, murmur2: murmur2 ?? NaN };
  });
}

/** The Java default partitioner's choice for each key (see {@link javaKeyHashes}). */
export async function javaPartitionsFor(keys: readonly (string | Uint8Array)[], numPartitions: number): Promise<number[]> {
  return (await javaKeyHashes(keys, numPartitions)).map((h) => h.partition);
}

interface PendingKey {
  key: string;
  numPartitions: number;
  resolve: (partition: number) => void;
  reject: (err: unknown) => void;
}
let pendingKeys: PendingKey[] = [];

/**
 * The partition the Java client's default partitioner picks for `key` among `numPartitions`.
 * Calls made in the same tick share one JVM run, so `Promise.all(keys.map(...))` is cheap.
 */
export function javaPartitionFor(key: string, numPartitions: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (pendingKeys.length === 0) setImmediate(flushPendingKeys);
    pendingKeys.push({ key, numPartitions, resolve, reject });
  });
}

function flushPendingKeys(): void {
  const batch = pendingKeys;
  pendingKeys = [];
  keyHashes(batch).then(
    (hashes) => batch.forEach((p, i) => p.resolve(hashes[i]?.partition ?? NaN)),
    (err: unknown) => batch.forEach((p) => p.reject(err)),
  );
}
