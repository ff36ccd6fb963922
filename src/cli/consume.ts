/**
 * `kafka-stage consume`: prints a topic's records on stdout, one per line (`--format`: json, value,
 * base64, none, or a kcat format string), and a JSON summary on stderr (not with `-q`).
 *
 * With `--group` (`-G`) it is a member of that consumer group (a subscriber per assigned partition,
 * GenStage demand `--max-demand`), commits per `--commit`, and a rerun with the same group goes on
 * from the commit. Without it, it reads every partition of the topic (or the one `-p` names) from
 * `-o` (beginning, end, an offset, -n before the end, s@ a timestamp) or else `--from`, committing
 * nothing. It stops after `-c` records, at the end of every partition read (`-e`), after
 * `--idle-timeout-ms` without a record, on SIGINT or SIGTERM, or when the reader of stdout goes
 * away; then it commits what was acked (records are acked once flushed to stdout) and leaves the
 * group. stdout's backpressure is honoured: a slow reader slows consumption instead of filling
 * memory. A second SIGINT/SIGTERM exits at once (code 130).
 *
 * Exit code 0 on a clean stop, 1 on a failure (the summary says which), 2 on a bad command line.
 */
import { Admin } from '../admin/admin.js';
import { ConsumerGroup } from '../consumer/consumer-group.js';
import { StandaloneConsumer } from '../consumer/standalone-consumer.js';
import type { CommitStrategy, GroupProtocol, ServerAssignor } from '../consumer/options.js';
import type { ConsumerEvents } from '../consumer/types.js';
import { booleanFlag, integerFlag, parseFlags, stringFlag, UsageError, type FlagSpec, type ParsedFlags } from './args.js';
import type { Command, CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, connectionFromFlags, type CliConnection } from './connection-flags.js';
import { reachCluster } from './reach-cluster.js';
import { onStopSignals } from './stop-signals.js';
import { batchPrinter } from './consume-format.js';
import { joinRecords, type BatchPrinter } from './batch-printer.js';
import { OutputSink } from './consume-output.js';
import { ConsumeSession, type StopReason } from './consume-session.js';
import { unescape } from './format-string.js';
import { parseOffsetStart, resolveOffsetStart, type OffsetStart } from './offsets-spec.js';

/**
 * `--max-demand` unless given: twice the library's default (2000), taken in batches of
 * {@link CLI_BATCH_RECORDS}. Each partition's buffer still holds at most
 * `buffer.maxRecordsPerPartition` (2000) records, so memory stays as bounded. Chosen when the
 * library's default was 1000: a Fetch then brought up to the buffer's bound per partition instead
 * of a few hundred records, a quarter of the round trips, and draining 2M × 100 B to /dev/null took
 * about a fifth less CPU (BENCHMARKS.md, "The CLI against kcat"); 8000 and 16000 with larger
 * buffers were no faster. Against the library's 2000 it has not been measured apart.
 */
const CLI_MAX_DEMAND = 4000;

/**
 * Records per batch at the default demand (`minDemand` = demand − this): a batch is what stdout
 * holds at most while its reader is not reading (one batch written, the next not taken), so it
 * stays what it was at GenStage's default demand (1000 − 750) rather than growing with it.
 */
const CLI_BATCH_RECORDS = 250;

const FLAGS: readonly FlagSpec[] = [
  { name: 'topic', short: 't', type: 'string', required: true, description: 'topic to read' },
  { name: 'group', short: 'G', type: 'string', description: 'consume as a member of this group (else: every partition, no commits)' },
  { name: 'partition', short: 'p', type: 'integer', description: 'read only this partition (no group)' },
  { name: 'offset', short: 'o', type: 'string', valueName: 'beginning|end|N|-N|s@MS', description: 'start of each partition: an offset, -N before the end, s@ first at/after a time (with --group: beginning|end, as --from)' },
  { name: 'from', type: 'string', choices: ['earliest', 'latest'], description: 'where to start without a committed offset', defaultText: 'earliest' },
  { name: 'max-messages', short: 'c', type: 'integer', min: 1, description: 'stop after printing this many records' },
  { name: 'exit', short: 'e', type: 'boolean', description: 'stop once every partition read has reached its end (its high watermark then)' },
  { name: 'idle-timeout-ms', type: 'integer', min: 1, description: 'stop after this long without a record, ms' },
  { name: 'group-protocol', type: 'string', choices: ['classic', 'consumer'], description: "group protocol (needs --group): classic, or consumer (KIP-848, Kafka 4.0+: the broker assigns)", defaultText: 'classic' },
  { name: 'server-assignor', type: 'string', choices: ['uniform', 'range'], description: "the broker's assignor (needs --group-protocol consumer)", defaultText: "the broker's" },
  { name: 'commit', type: 'string', choices: ['async', 'sync', 'none'], description: 'commit strategy (needs --group; none: only at exit)', defaultText: 'async' },
  { name: 'max-demand', type: 'integer', min: 1, description: 'records each partition subscriber asks for at once', defaultText: String(CLI_MAX_DEMAND) },
  { name: 'delay-ms', type: 'integer', min: 0, description: 'sleep before each record, ms (a slow subscriber)', defaultText: '0' },
  {
    name: 'format',
    short: 'f',
    type: 'string',
    valueName: 'FORMAT',
    description: "json | value | base64 (the value) | none | a format string: %t %p %o %k %v %h %T %K %S, \\n \\t",
    defaultText: 'json',
  },
  { name: 'key-delimiter', short: 'K', type: 'string', valueName: 'DELIM', description: 'print the key, DELIM, then the value (kcat -K)' },
  { name: 'delimiter', short: 'D', type: 'string', valueName: 'DELIM', description: 'end of each printed record', defaultText: '\\n' },
  { name: 'quiet', short: 'q', type: 'boolean', description: 'no summary or progress lines on stderr (errors still)' },
  ...CONNECTION_FLAGS,
];

/** The summary `consume` writes to stderr as one JSON line. */
export interface ConsumeSummary {
  topic: string;
  group: string | null;
  /** Records printed. */
  records: number;
  /** Key and value bytes of the printed records. */
  bytes: number;
  /** Partitions consumed (assigned at some point of the run). */
  partitions: number;
  /** From the consumer running (joined) to the stop request, ms. */
  durationMs: number;
  recordsPerSec: number;
  /** Per partition: the last offset committed by this run (next offset to read); null without a group. */
  committed: Record<string, number> | null;
  /** Per partition: records printed, first and last offset printed. */
  printed: Record<string, { records: number; firstOffset: number; lastOffset: number }>;
  stoppedBy: StopReason;
  /** Failed commits and acks of the run. */
  commitErrors: number;
  /** What made the run fail, when it did. */
  error?: string;
}

/** The consumer, group or standalone, as the command drives it. */
interface DrivenConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Commits every owned partition's acked prefix now. */
  commit(): Promise<void>;
  on<K extends 'assign' | 'commit' | 'error'>(event: K, listener: (...args: ConsumerEvents[K]) => void): unknown;
}

interface ConsumeSettings {
  connection: CliConnection;
  topic: string;
  group: string | null;
  /** `--group-protocol`: classic unless asked. */
  groupProtocol: GroupProtocol;
  /** `--server-assignor`: null for the broker's default. */
  serverAssignor: ServerAssignor | null;
  /** `-p`: the one partition to read (no group). */
  partition: number | null;
  /** `-o` without a group: where each partition starts. */
  start: OffsetStart | null;
  from: 'earliest' | 'latest';
  commit: CommitStrategy;
  maxDemand: number;
  quiet: boolean;
}

/** `-o` and `--from` into the reset policy and, without a group, the start of each partition. */
function startFrom(flags: ParsedFlags, group: string | null): { from: 'earliest' | 'latest'; start: OffsetStart | null } {
  const offsetText = stringFlag(flags, 'offset');
  const fromText = stringFlag(flags, 'from') as 'earliest' | 'latest' | undefined;
  if (offsetText === undefined) return { from: fromText ?? 'earliest', start: null };
  if (fromText !== undefined) throw new UsageError('give --offset or --from, not both');
  const start = parseOffsetStart(offsetText);
  if (group === null) return { from: 'earliest', start };
  // A group starts each partition at its commit: -o can only say where to start without one.
  if (start.kind === 'beginning') return { from: 'earliest', start: null };
  if (start.kind === 'end') return { from: 'latest', start: null };
  throw new UsageError(`with --group, --offset takes beginning or end (where to start without a committed offset), got '${offsetText}'`);
}

/** `--format`, `-K` and `-D` into the printer of each batch. */
function printerFrom(flags: ParsedFlags): BatchPrinter {
  const delimiter = unescape(stringFlag(flags, 'delimiter') ?? '\n', '--delimiter');
  const format = stringFlag(flags, 'format');
  const keyDelimiterText = stringFlag(flags, 'key-delimiter');
  if (keyDelimiterText === undefined) return batchPrinter(format ?? 'json', delimiter);
  if (format !== undefined && format !== 'value') throw new UsageError(`--key-delimiter prints key and value; it does not combine with --format ${format}`);
  const keyDelimiter = unescape(keyDelimiterText, '--key-delimiter');
  return joinRecords((_topic, _partition, r) => `${r.key === null ? '' : r.key.toString('utf8')}${keyDelimiter}${r.value === null ? '' : r.value.toString('utf8')}${delimiter}`);
}

function settingsFrom(argv: readonly string[], io: CommandIo): { settings: ConsumeSettings; session: ConstructorParameters<typeof ConsumeSession>[0] } {
  const flags = parseFlags(argv, FLAGS);
  const group = stringFlag(flags, 'group') ?? null;
  const partition = integerFlag(flags, 'partition') ?? null;
  if (group !== null && partition !== null) throw new UsageError('--partition reads one partition without a group: give --group or --partition, not both');
  const commit = stringFlag(flags, 'commit') as CommitStrategy | undefined;
  if (group === null && commit !== undefined && commit !== 'none') {
    throw new UsageError(`--commit ${commit} needs --group (without a group nothing is committed)`);
  }
  const groupProtocol = stringFlag(flags, 'group-protocol') as GroupProtocol | undefined;
  if (group === null && groupProtocol !== undefined) throw new UsageError('--group-protocol needs --group');
  const serverAssignor = stringFlag(flags, 'server-assignor') as ServerAssignor | undefined;
  if (serverAssignor !== undefined && groupProtocol !== 'consumer') throw new UsageError('--server-assignor needs --group-protocol consumer (the classic protocol assigns in the client)');
  const givenDemand = integerFlag(flags, 'max-demand');
  const maxDemand = givenDemand ?? CLI_MAX_DEMAND;
  const format = printerFrom(flags);
  return {
    settings: {
      connection: connectionFromFlags(flags, 'consume', io),
      topic: stringFlag(flags, 'topic') as string,
      group,
      groupProtocol: groupProtocol ?? 'classic',
      serverAssignor: serverAssignor ?? null,
      partition,
      ...startFrom(flags, group),
      commit: commit ?? (group === null ? 'none' : 'async'),
      maxDemand,
      quiet: booleanFlag(flags, 'quiet'),
    },
    session: {
      format,
      maxMessages: integerFlag(flags, 'max-messages'),
      idleTimeoutMs: integerFlag(flags, 'idle-timeout-ms'),
      delayMs: integerFlag(flags, 'delay-ms') ?? 0,
      maxDemand,
      // A given --max-demand keeps GenStage's minimum (three quarters): batches of a quarter of it.
      ...(givenDemand === undefined ? { minDemand: CLI_MAX_DEMAND - CLI_BATCH_RECORDS } : {}),
      exitAtEnd: booleanFlag(flags, 'exit'),
    },
  };
}

/** The partitions to read (all, or `-p`'s) and, for `-o` without a group, where each starts. */
interface ReadPlan {
  partitions: number[];
  offsets: Map<number, number> | null;
}

/**
 * Looks the topic up (a missing topic fails here, before any group is joined), checks `-p` names
 * one of its partitions, and resolves `-o` with ListOffsets.
 */
async function readPlan(s: ConsumeSettings): Promise<ReadPlan> {
  const admin = new Admin({ ...s.connection });
  try {
    const count = (await admin.cluster.topic(s.topic)).partitions.length;
    if (s.partition !== null && s.partition >= count) {
      throw new UsageError(`--partition ${s.partition}: topic ${s.topic} has ${count} partition${count === 1 ? '' : 's'} (0-${count - 1})`);
    }
    const partitions = s.partition !== null ? [s.partition] : Array.from({ length: count }, (_, p) => p);
    if (s.start === null || s.group !== null) return { partitions, offsets: null };
    const offsets = await resolveOffsetStart(s.start, partitions, async (spec, ps) => {
      const found = await admin.listOffsets(ps.map((partition) => ({ topic: s.topic, partition, spec })));
      return new Map(found.map((o) => [o.partition, o.offset]));
    });
    return { partitions, offsets };
  } finally {
    await admin.close();
  }
}

/**
 * How long a revoke or stop waits for acks, ms. The subscriber stops printing as soon as its
 * partition is revoked, and acks what it printed once stdout has taken it, so after that nothing
 * more will be acked: waiting the library's default (10 s) for records it will never print would
 * only delay a rebalance or the exit. What is not acked by then is not committed (it comes again).
 */
const CLI_DRAIN_TIMEOUT_MS = 1_000;

function createConsumer(s: ConsumeSettings, plan: ReadPlan, session: ConsumeSession): DrivenConsumer {
  const common = { ...s.connection, autoOffsetReset: s.from, commit: { strategy: s.commit }, drainTimeoutMs: CLI_DRAIN_TIMEOUT_MS };
  if (s.group !== null) {
    const protocol = s.groupProtocol === 'consumer' ? { groupProtocol: s.groupProtocol, ...(s.serverAssignor === null ? {} : { serverAssignor: s.serverAssignor }) } : {};
    return new ConsumerGroup({ ...common, groupId: s.group, topics: [s.topic], ...protocol }, session.subscriber);
  }
  const partitions = plan.partitions.map((partition) => {
    const offset = plan.offsets?.get(partition);
    return offset === undefined ? { topic: s.topic, partition } : { topic: s.topic, partition, offset };
  });
  return new StandaloneConsumer({ ...common, partitions }, session.subscriber);
}

/**
 * Stops on SIGINT/SIGTERM, saying so on stderr (so a user, or a test, knows the stop has begun and
 * no further batch will be printed); a second signal exits at once. Returns the function that
 * removes the handlers.
 */
function handleSignals(session: ConsumeSession, io: CommandIo, quiet: boolean): () => void {
  return onStopSignals((signal) => {
    session.requestStop('signal');
    if (!quiet) io.stderr.write(`kafka-stage consume: stopping on ${signal}, printing what was taken and committing it (a second signal exits at once)\n`);
  });
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { settings, session: sessionOptions } = settingsFrom(argv, io);
  // The connect budget of every command: an unreachable cluster is one line and exit 1, within seconds.
  await reachCluster(settings.connection);
  const sink = new OutputSink(io.stdout);
  const session = new ConsumeSession(sessionOptions, sink);
  const removeSignalHandlers = handleSignals(session, io, settings.quiet);
  const assigned = new Set<number>();
  const committed = new Map<number, number>();
  let commitErrors = 0;
  let started = performance.now();
  let stoppedAt = started;
  try {
    const plan = await readPlan(settings);
    const consumer = createConsumer(settings, plan, session);
    consumer.on('assign', ({ partitions: ps }) => ps.forEach((p) => assigned.add(p.partition)));
    consumer.on('commit', ({ offsets, error }) => {
      if (error) commitErrors++;
      else for (const o of offsets) committed.set(o.partition, o.offset);
    });
    consumer.on('error', (err) => session.requestStop('error', err));
    if (settings.group === null) for (const p of plan.partitions) assigned.add(p);

    // A stop requested while joining (Ctrl-C) ends the wait; stop() below then leaves cleanly.
    const start = consumer.start();
    start.catch((err: unknown) => session.requestStop('error', err instanceof Error ? err : new Error(String(err))));
    await Promise.race([start.then(() => undefined, () => undefined), session.stopped]);
    started = performance.now();
    session.startIdleTimer();
    session.startEndWatch();
    await session.stopped;
    stoppedAt = performance.now();
    // Flushed records get their acks now; stop() then commits the acked prefix and leaves the group.
    await session.drainOutput();
    // Under `none` revoking commits nothing: the one commit of the run happens here.
    if (settings.group !== null && settings.commit === 'none') await consumer.commit();
    await consumer.stop();
  } catch (err) {
    session.requestStop('error', err instanceof Error ? err : new Error(String(err)));
    stoppedAt = performance.now();
  } finally {
    removeSignalHandlers();
  }

  const durationMs = Math.max(1, Math.round(stoppedAt - started));
  const summary: ConsumeSummary = {
    topic: settings.topic,
    group: settings.group,
    records: session.records,
    bytes: session.bytes,
    partitions: assigned.size,
    durationMs,
    recordsPerSec: Math.round((session.records * 1000) / durationMs),
    committed: settings.group === null ? null : Object.fromEntries([...committed].sort((a, b) => a[0] - b[0])),
    printed: Object.fromEntries([...session.tallies].sort((a, b) => a[0] - b[0])),
    stoppedBy: session.reason ?? 'error',
    commitErrors: commitErrors + session.ackErrors,
  };
  if (session.error) {
    summary.error = session.error.message;
    io.stderr.write(`kafka-stage consume: ${session.error.message}\n`);
  }
  if (!settings.quiet || session.error) io.stderr.write(`${JSON.stringify(summary)}\n`);
  return session.reason === 'error' ? 1 : 0;
}

/** The `consume` command. */
export const consumeCommand: Command = {
  summary: 'print records of a topic, as a group member (--group) or from every partition; a JSON summary on stderr',
  usage:
    `-t TOPIC ${CONNECTION_USAGE} [-G GROUP | -p PARTITION] [-o beginning|end|N|-N|s@MS] [-c N] [-e] [-f FORMAT] [-K DELIM] [-D DELIM] [-q] ` +
    '[--from earliest|latest] [--idle-timeout-ms MS] [--commit async|sync|none] [--max-demand N] [--delay-ms MS]',
  flags: FLAGS,
  run,
};
