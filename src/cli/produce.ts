/**
 * `kafka-stage produce`: writes records to a topic and prints one JSON summary line on stdout.
 *
 * With `--count N` it sends N generated records of `--size` bytes (no key: the sticky partitioner
 * spreads them); each value starts with its sequence number so values are unique. Without
 * `--count` it sends one record per line of stdin (the line as the value, without its newline), or
 * per `-D` delimiter; `-K DELIM` takes the key from before the first DELIM of each record (kcat's
 * habits). `-H k=v` adds a header to every record, `-p` sends to one partition. `--create` creates
 * the topic first (`--partitions`, default 1), tolerating one that exists.
 *
 * Progress (records sent, records/s) goes to stderr every second when stderr is a terminal (or with
 * `--progress`). On SIGINT/SIGTERM it stops reading, flushes what was accepted, prints the summary
 * and a one-line count on stderr, and exits 130; a second signal exits at once.
 *
 * Exit code 0 when every record was acknowledged, 1 when some failed (see `errors` in the summary),
 * 130 when interrupted.
 */
import { randomFillSync } from 'node:crypto';
import { Admin } from '../admin/admin.js';
import { Producer, type RecordMetadata } from '../producer/producer.js';
import { PRODUCER_DEFAULTS, type Acks } from '../producer/options.js';
import type { CompressionName } from '../protocol/records/types.js';
import { booleanFlag, integerFlag, parseFlags, stringFlag, stringsFlag, UsageError, type FlagSpec } from './args.js';
import type { Command, CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectionFromFlags } from './connection-flags.js';
import { reachCluster } from './reach-cluster.js';
import { INTERRUPTED_EXIT_CODE, onStopSignals } from './stop-signals.js';
import { unescapeBytes } from './format-string.js';
import { readRecords } from './stdin-records.js';


const FLAGS: readonly FlagSpec[] = [
  { name: 'topic', short: 't', type: 'string', required: true, description: 'topic to write to' },
  { name: 'partition', short: 'p', type: 'integer', description: 'send every record to this partition (else by key, or sticky)' },
  { name: 'key-delimiter', short: 'K', type: 'string', valueName: 'DELIM', description: 'stdin records are KEY DELIM VALUE (split at the first DELIM; without it, no key)' },
  { name: 'header', short: 'H', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'add this header to every record' },
  { name: 'delimiter', short: 'D', type: 'string', valueName: 'DELIM', description: 'what ends a record on stdin (escapes \\n \\t \\xHH)', defaultText: '\\n' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'no summary or progress (errors still on stderr)' },
  { name: 'progress', type: 'boolean', description: 'records sent and records/s on stderr every second', defaultText: 'when stderr is a terminal' },
  { name: 'create', type: 'boolean', description: 'create the topic first (an existing topic is fine)' },
  { name: 'partitions', type: 'integer', min: 1, description: 'partitions of the topic --create makes', defaultText: '1' },
  { name: 'count', type: 'integer', min: 0, description: 'send this many generated records instead of reading stdin' },
  { name: 'size', type: 'integer', min: 1, description: 'value size of generated records, bytes', defaultText: '100' },
  { name: 'compression', type: 'string', choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], description: 'compression codec', defaultText: 'none' },
  { name: 'acks', type: 'string', choices: ['all', '1', '0'], description: 'acknowledgements to wait for', defaultText: 'all' },
  ...CONNECTION_FLAGS,
];

/** The summary line `produce` prints. */
export interface ProduceSummary {
  topic: string;
  /** Records acknowledged (with acks 0: written to the socket). */
  records: number;
  /** Value and key bytes of the acknowledged records. */
  bytes: number;
  /** Partitions of the topic. */
  partitions: number;
  compression: CompressionName;
  acks: 'all' | '1' | '0';
  /** From the first send to the last acknowledgement (connection and topic creation excluded). */
  durationMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Records that failed. */
  errors: number;
  /** The first failure's message, when there was one. */
  firstError?: string;
  /** True when a signal stopped the run (what was accepted was still flushed). */
  interrupted?: boolean;
}

/**
 * Sends in flight at most, so a long run does not queue every record in memory at once. 5 000
 * records still fill 5 requests of 6 full 16 KiB batches at 100 B, and each unacknowledged send
 * holds a few objects that survive young-generation collections: at 20 000 the CLI spent 40% more
 * CPU (1M x 100 B), most of it in the garbage collector.
 */
const MAX_OUTSTANDING_BYTES = 4 * 1024 * 1024;
const MAX_OUTSTANDING_RECORDS = 5_000;
/** Generated records sent between two yields to the event loop. */
const YIELD_EVERY = 2_000;

/** Counts outcomes and limits the sends in flight. */
class Tally {
  records = 0;
  bytes = 0;
  errors = 0;
  firstError: string | undefined;
  private outstanding = 0;
  private waiter: (() => void) | null = null;

  /**
   * @param limit sends in flight at most
   * @param recordBytes bytes of every record when they are all alike (generated ones): their sends
   *   then share one pair of handlers instead of two closures each
   */
  constructor(
    private readonly limit: number,
    private readonly recordBytes = 0,
  ) {}

  /** Counts the outcome of a send of `bytes` (default: the size every record has). */
  track(promise: Promise<RecordMetadata>, bytes?: number): void {
    this.outstanding++;
    if (bytes === undefined) {
      promise.then(this.acknowledged, this.failed);
      return;
    }
    promise.then(
      () => {
        this.records++;
        this.bytes += bytes;
        this.settled();
      },
      this.failed,
    );
  }

  private readonly acknowledged = (): void => {
    this.records++;
    this.bytes += this.recordBytes;
    this.settled();
  };

  private readonly failed = (err: unknown): void => {
    this.errors++;
    this.firstError ??= err instanceof Error ? err.message : String(err);
    this.settled();
  };

  /** Undefined while under the limit; else a promise that resolves once half the limit has drained. */
  room(): Promise<void> | undefined {
    if (this.outstanding < this.limit) return undefined;
    return new Promise((resolve) => (this.waiter = resolve));
  }

  private settled(): void {
    this.outstanding--;
    // Resume at half the limit, not one below it: one wake per many acks, not one per ack.
    if (this.waiter && this.outstanding <= this.limit / 2) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve();
    }
  }
}

/** Bytes of generated values made at once: one allocation and one copy per chunk, not per record. */
const VALUE_CHUNK_BYTES = 65_536;

/**
 * Generated values: the sequence number, a space, then random letters (as ProducerPerformance,
 * compressible like text). Values are views of chunks filled from a random pool at shifting
 * offsets, so making one costs a view and a few digit writes, not an allocation and a copy.
 */
function valueMaker(size: number): (seq: number) => Buffer {
  const perChunk = Math.max(1, Math.floor(VALUE_CHUNK_BYTES / size));
  const chunkBytes = perChunk * size;
  const pool = Buffer.allocUnsafe(chunkBytes * 2);
  randomFillSync(pool);
  for (let i = 0; i < pool.length; i++) pool[i] = 0x41 + ((pool[i] as number) % 26);
  let chunk = pool;
  let used = perChunk;
  let chunks = 0;
  return (seq) => {
    if (used === perChunk) {
      // A fresh chunk: records still in flight keep their views of the old one.
      chunk = Buffer.allocUnsafeSlow(chunkBytes);
      const start = (chunks++ * 7919) % (chunkBytes + 1);
      pool.copy(chunk, 0, start, start + chunkBytes);
      used = 0;
    }
    const at = used++ * size;
    const value = chunk.subarray(at, at + size);
    writeSeq(value, seq);
    return value;
  };
}

/** Writes `seq` in decimal and a space at the start of `value` (as far as it fits). */
function writeSeq(value: Buffer, seq: number): void {
  let digits = 1;
  for (let n = seq; n >= 10; n = Math.floor(n / 10)) digits++;
  if (digits < value.length) value[digits] = 0x20;
  for (let i = digits - 1, n = seq; i >= 0; i--, n = Math.floor(n / 10)) {
    if (i < value.length) value[i] = 0x30 + (n % 10);
  }
}

/** What every record of the run gets: a partition (`-p`) and headers (`-H`). */
interface RecordCommon {
  partition?: number;
  headers?: { key: string; value: string }[];
}

async function sendGenerated(producer: Producer, topic: string, count: number, size: number, common: RecordCommon, tally: Tally, stop: AbortSignal): Promise<void> {
  const makeValue = valueMaker(size);
  // No -p or -H (the usual run): a record literal, not a spread of an empty object per record.
  const plain = common.partition === undefined && common.headers === undefined;
  for (let seq = 0; seq < count && !stop.aborted; seq++) {
    const wait = tally.room();
    if (wait) await wait;
    // Yield now and then so the sender starts on full batches while the loop keeps producing.
    else if (seq % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    if (stop.aborted) break;
    tally.track(producer.send(topic, plain ? { value: makeValue(seq) } : { ...common, value: makeValue(seq) }));
  }
}

interface StdinSettings {
  delimiter: Buffer;
  keyDelimiter?: Buffer;
}

async function sendStdin(producer: Producer, topic: string, io: CommandIo, stdin: StdinSettings, common: RecordCommon, tally: Tally, stop: AbortSignal): Promise<void> {
  // Interrupted while connecting: nothing to read.
  if (stop.aborted) return;
  // A signal destroys stdin to end a read that waits for input; that premature close is the stop, not a failure.
  const onStop = () => io.stdin.destroy();
  stop.addEventListener('abort', onStop, { once: true });
  try {
    for await (const r of readRecords(io.stdin, { ...stdin, maxBytes: PRODUCER_DEFAULTS.maxRequestSize })) {
      if (stop.aborted) break;
      const wait = tally.room();
      if (wait) await wait;
      tally.track(producer.send(topic, { ...common, key: r.key, value: r.value }), r.value.length + (r.key?.length ?? 0));
    }
  } catch (err) {
    if (!stop.aborted) throw err;
  } finally {
    stop.removeEventListener('abort', onStop);
  }
}

/** `-H k=v` flags into headers (split at the first '='). */
function headersFrom(texts: readonly string[]): { key: string; value: string }[] {
  return texts.map((text) => {
    const at = text.indexOf('=');
    if (at <= 0) throw new UsageError(`--header takes KEY=VALUE, got '${text}'`);
    return { key: text.slice(0, at), value: text.slice(at + 1) };
  });
}

/**
 * Records sent and the rate over the last second, on stderr every second: redrawn in place on a
 * terminal, one line each otherwise. Returns the function that stops it (clearing the line).
 */
function startProgress(tally: Tally, io: CommandIo): () => void {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let last = { at: performance.now(), records: 0 };
  const timer = setInterval(() => {
    const now = performance.now();
    const rate = Math.round(((tally.records - last.records) * 1000) / Math.max(1, now - last.at));
    last = { at: now, records: tally.records };
    const line = `kafka-stage produce: ${tally.records} records sent, ${rate} records/s, ${tally.errors} failed`;
    io.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) io.stderr.write('\r\x1b[K');
  };
}

/** Stops the run on SIGINT/SIGTERM (the abort); a second signal exits at once. Returns the remover. */
function handleSignals(stop: AbortController, io: CommandIo, quiet: boolean): () => void {
  return onStopSignals((signal) => {
    stop.abort();
    // On a terminal the message starts on a line of its own, not after a progress line or ^C.
    const fresh = (io.stderr as { isTTY?: boolean }).isTTY === true ? '\r\x1b[K' : '';
    if (!quiet) io.stderr.write(`${fresh}kafka-stage produce: stopping on ${signal}, flushing what was accepted (a second signal exits at once)\n`);
  });
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  const topic = stringFlag(flags, 'topic') as string;
  const create = booleanFlag(flags, 'create');
  const partitions = integerFlag(flags, 'partitions');
  const count = integerFlag(flags, 'count');
  const size = integerFlag(flags, 'size');
  const compression = (stringFlag(flags, 'compression') ?? 'none') as CompressionName;
  const acksText = (stringFlag(flags, 'acks') ?? 'all') as 'all' | '1' | '0';
  if (partitions !== undefined && !create) throw new UsageError('--partitions only applies with --create');
  if (size !== undefined && count === undefined) throw new UsageError('--size only applies with --count');
  const keyDelimiterText = stringFlag(flags, 'key-delimiter');
  const delimiterText = stringFlag(flags, 'delimiter');
  if (count !== undefined && (keyDelimiterText !== undefined || delimiterText !== undefined)) {
    throw new UsageError('--key-delimiter and --delimiter read stdin; they do not apply with --count');
  }
  const stdin: StdinSettings = { delimiter: unescapeBytes(delimiterText ?? '\n', '--delimiter') };
  if (keyDelimiterText !== undefined) stdin.keyDelimiter = unescapeBytes(keyDelimiterText, '--key-delimiter');
  const common: RecordCommon = {};
  const partition = integerFlag(flags, 'partition');
  if (partition !== undefined) common.partition = partition;
  const headers = headersFrom(stringsFlag(flags, 'header'));
  if (headers.length > 0) common.headers = headers;
  const quiet = booleanFlag(flags, 'quiet');
  const progress = !quiet && (flags.progress === undefined ? (io.stderr as { isTTY?: boolean }).isTTY === true : booleanFlag(flags, 'progress'));
  const acks: Acks = acksText === 'all' ? 'all' : acksText === '1' ? 1 : 0;
  const connection = connectionFromFlags(flags, 'produce', io);
  // The connect budget of every command: an unreachable cluster is one line and exit 1, within seconds.
  await reachCluster(connection);

  if (create) {
    const admin = new Admin({ ...connection });
    try {
      await admin.createTopics([{ topic, partitions: partitions ?? 1 }], { ignoreExisting: true });
    } finally {
      await admin.close();
    }
  }

  const producer = new Producer({ ...connection, acks, compression });
  const recordBytes = size ?? 100;
  const tally = new Tally(
    count === undefined ? MAX_OUTSTANDING_RECORDS : Math.max(1, Math.min(MAX_OUTSTANDING_RECORDS, Math.floor(MAX_OUTSTANDING_BYTES / recordBytes))),
    recordBytes,
  );
  let started = performance.now();
  const stop = new AbortController();
  const removeSignalHandlers = handleSignals(stop, io, quiet);
  let stopProgress: (() => void) | null = null;
  try {
    await producer.connect();
    started = performance.now();
    if (progress) stopProgress = startProgress(tally, io);
    if (count === undefined) await sendStdin(producer, topic, io, stdin, common, tally, stop.signal);
    else await sendGenerated(producer, topic, count, recordBytes, common, tally, stop.signal);
    // Interrupted or not, what was accepted is sent before the summary.
    await producer.flush();
  } finally {
    stopProgress?.();
    await producer.close();
    removeSignalHandlers();
  }
  const durationMs = Math.max(1, Math.round(performance.now() - started));
  const topicInfo = producer.cluster.metadata?.topics.get(topic);
  const summary: ProduceSummary = {
    topic,
    records: tally.records,
    bytes: tally.bytes,
    partitions: topicInfo?.partitions.length ?? 0,
    compression,
    acks: acksText,
    durationMs,
    recordsPerSec: Math.round((tally.records * 1000) / durationMs),
    mbPerSec: Math.round((tally.bytes / 1024 / 1024 / (durationMs / 1000)) * 100) / 100,
    errors: tally.errors,
  };
  if (tally.firstError !== undefined) summary.firstError = tally.firstError;
  if (stop.signal.aborted) {
    summary.interrupted = true;
    io.stderr.write(`kafka-stage produce: interrupted: ${tally.records} records sent, ${tally.errors} failed\n`);
  }
  if (!quiet) io.stdout.write(`${JSON.stringify(summary)}\n`);
  if (stop.signal.aborted) return INTERRUPTED_EXIT_CODE;
  return tally.errors === 0 ? 0 : 1;
}

/** The `produce` command. */
export const produceCommand: Command = {
  summary: 'write records to a topic (generated with --count, else one per stdin line, -K for keys); prints a JSON summary',
  usage:
    `-t TOPIC ${CONNECTION_USAGE} [-p PARTITION] [-K DELIM] [-H KEY=VALUE ...] [-D DELIM] [-q] [--progress] ` +
    '[--create --partitions N] [--count N --size BYTES] [--compression none|gzip|snappy|lz4|zstd] [--acks all|1|0]',
  flags: FLAGS,
  run,
};
