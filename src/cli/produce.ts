/**
 * `kafka-stage produce`: writes records to a topic and prints one JSON summary line on stdout.
 *
 * With `--count N` it sends N generated records of `--size` bytes (no key: the sticky partitioner
 * spreads them); each value starts with its sequence number so values are unique. Without
 * `--count` it sends one record per line of stdin (the line as the value, without its newline).
 * `--create` creates the topic first (`--partitions`, default 1), tolerating one that exists.
 *
 * Exit code 0 when every record was acknowledged, 1 when some failed (see `errors` in the summary).
 */
import { randomFillSync } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Admin } from '../admin/admin.js';
import { Producer, type ProducerRecord, type RecordMetadata } from '../producer/producer.js';
import type { Acks } from '../producer/options.js';
import type { CompressionName } from '../protocol/records/types.js';
import { booleanFlag, integerFlag, parseFlags, stringFlag, UsageError, type FlagSpec } from './args.js';
import type { Command, CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectionFromFlags } from './connection-flags.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'topic', type: 'string', required: true, description: 'topic to write to' },
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
}

/** Sends in flight at most, so a long run does not queue every record in memory at once. */
const MAX_OUTSTANDING_BYTES = 4 * 1024 * 1024;
const MAX_OUTSTANDING_RECORDS = 20_000;
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

  constructor(private readonly limit: number) {}

  track(promise: Promise<RecordMetadata>, bytes: number): void {
    this.outstanding++;
    promise.then(
      () => {
        this.records++;
        this.bytes += bytes;
        this.settled();
      },
      (err: unknown) => {
        this.errors++;
        this.firstError ??= err instanceof Error ? err.message : String(err);
        this.settled();
      },
    );
  }

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

/** Generated values: the sequence number, a space, then random letters (as ProducerPerformance, compressible like text). */
function valueMaker(size: number): (seq: number) => Buffer {
  const pool = Buffer.allocUnsafe(Math.max(65_536, size * 2));
  randomFillSync(pool);
  for (let i = 0; i < pool.length; i++) pool[i] = 0x41 + ((pool[i] as number) % 26);
  return (seq) => {
    const value = Buffer.allocUnsafe(size);
    const start = (seq * 7919) % (pool.length - size + 1);
    pool.copy(value, 0, start, start + size);
    value.write(`${seq} `, 0, 'latin1');
    return value;
  };
}

async function sendGenerated(producer: Producer, topic: string, count: number, size: number, tally: Tally): Promise<void> {
  const makeValue = valueMaker(size);
  for (let seq = 0; seq < count; seq++) {
    const wait = tally.room();
    if (wait) await wait;
    // Yield now and then so the sender starts on full batches while the loop keeps producing.
    else if (seq % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    tally.track(producer.send(topic, { value: makeValue(seq) }), size);
  }
}

async function sendLines(producer: Producer, topic: string, io: CommandIo, tally: Tally): Promise<void> {
  const lines = createInterface({ input: io.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const wait = tally.room();
    if (wait) await wait;
    const record: ProducerRecord = { value: line };
    tally.track(producer.send(topic, record), Buffer.byteLength(line));
  }
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
  const acks: Acks = acksText === 'all' ? 'all' : acksText === '1' ? 1 : 0;
  const connection = connectionFromFlags(flags, 'produce', io);

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
  const tally = new Tally(count === undefined ? MAX_OUTSTANDING_RECORDS : Math.max(1, Math.min(MAX_OUTSTANDING_RECORDS, Math.floor(MAX_OUTSTANDING_BYTES / recordBytes))));
  let started = performance.now();
  try {
    await producer.connect();
    started = performance.now();
    if (count === undefined) await sendLines(producer, topic, io, tally);
    else await sendGenerated(producer, topic, count, recordBytes, tally);
    await producer.flush();
  } finally {
    await producer.close();
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
  io.stdout.write(`${JSON.stringify(summary)}\n`);
  return tally.errors === 0 ? 0 : 1;
}

/** The `produce` command. */
export const produceCommand: Command = {
  summary: 'write records to a topic (generated with --count, else one per stdin line); prints a JSON summary',
  usage: `--topic T ${CONNECTION_USAGE} [--create --partitions N] [--count N --size BYTES] [--compression none|gzip|snappy|lz4|zstd] [--acks all|1|0]`,
  flags: FLAGS,
  run,
};
