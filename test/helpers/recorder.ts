/**
 * The reliability recorder (testing.md "The recorder and its invariants"): every process of a
 * scenario appends what it saw to its own JSON-lines file, and the checker in invariants.ts reads
 * the merged logs afterwards.
 *
 * Lines are appended with synchronous writes, one `write` per line, so a member killed with
 * SIGKILL leaves its log intact up to the kill (at worst a final line cut short, which
 * {@link readRunLogs} drops). Every line carries a wall-clock timestamp with sub-millisecond
 * resolution (`performance.timeOrigin + performance.now()`), comparable across processes of one
 * machine, which orders events of different members; within a member the file order is the truth.
 */
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A topic-partition as the logs name it. */
export interface LoggedPartition {
  topic: string;
  partition: number;
}

/** Fields every line carries. */
interface LineBase {
  /** Wall-clock time in ms since the epoch, sub-millisecond resolution. */
  ts: number;
  /** Who the line is about: a member name, or `harness` for the test process itself. */
  member: string;
}

/** The producer's acknowledgement of one record: it exists at this offset with this value. */
export interface ProducedLine extends LineBase {
  t: 'produced';
  topic: string;
  partition: number;
  offset: number;
  value: string;
}

/** A member process started (before it joins). */
export interface StartLine extends LineBase {
  t: 'start';
  pid: number;
}

/** Partitions assigned to a member (the group's `assign` event). */
export interface AssignLine extends LineBase {
  t: 'assign';
  generation: number;
  partitions: LoggedPartition[];
}

/** Partitions revoked cleanly (the group's `revoke` event: drained and committed). */
export interface RevokeLine extends LineBase {
  t: 'revoke';
  generation: number;
  partitions: LoggedPartition[];
}

/** Partitions lost without a commit (the group's `lost` event). */
export interface LostLine extends LineBase {
  t: 'lost';
  generation: number;
  partitions: LoggedPartition[];
  reason: string;
}

/** The subscriber factory was called for a partition (its stage exists). */
export interface SubscribeLine extends LineBase {
  /** Which subscriber call of the member (a new one per assignment), when known. */
  sub?: number;
  t: 'subscribe';
  generation: number;
  topic: string;
  partition: number;
}

/** The subscriber's abort signal of a partition fired (a revoke or stop began). */
export interface AbortLine extends LineBase {
  /** Which subscriber call of the member (a new one per assignment), when known. */
  sub?: number;
  t: 'abort';
  generation: number;
  topic: string;
  partition: number;
}

/** Records handed to the subscriber, in delivery order. */
export interface DeliverLine extends LineBase {
  /** Which subscriber call of the member (a new one per assignment), when known. */
  sub?: number;
  t: 'deliver';
  generation: number;
  topic: string;
  partition: number;
  offsets: number[];
  values: string[];
}

/** Offsets the subscriber acked (logged just before the ack call, in the same tick). */
export interface AckLine extends LineBase {
  /** Which subscriber call of the member (a new one per assignment), when known. */
  sub?: number;
  t: 'ack';
  generation: number;
  topic: string;
  partition: number;
  offsets: number[];
  /** The partition's abort signal had fired when the subscriber acked. */
  afterAbort: boolean;
}

/** One commit attempt (the group's `commit` event), with the generation the member had then. */
export interface CommitLine extends LineBase {
  t: 'commit';
  generation: number;
  offsets: { topic: string; partition: number; offset: number }[];
  /** The failure's message, or null when the commit succeeded. */
  error: string | null;
}

/** The member received SIGTERM and began a clean stop. */
export interface StoppingLine extends LineBase {
  t: 'stopping';
}

/** The member's `stop()` resolved: drained, committed and left the group. */
export interface StoppedLine extends LineBase {
  t: 'stopped';
}

/** Written by the harness once a member it killed with SIGKILL has exited. */
export interface KilledLine extends LineBase {
  t: 'killed';
}

/** Periodic figures of a member, for the memory scenario. */
export interface SampleLine extends LineBase {
  t: 'sample';
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size of the process so far, bytes (`process.resourceUsage().maxRSS`). */
  maxRss: number;
  /** Fetches the scheduler sent naming the member's topic (`kafka-stage:fetch`), since the start. */
  fetches: number;
  /** Fetch requests settled on any connection (`kafka-stage:request`), since the start. */
  fetchRequests: number;
  /** Records handed to the subscriber so far. */
  delivered: number;
  /** Per owned partition: buffered bytes and the next offset to fetch. */
  partitions: { partition: number; bufferedBytes: number; bufferedRecords: number; fetchedOffset: number; outstandingDemand: number }[];
}

/** A handler held records longer than maxProcessingMs (the group's `stuck` event). */
export interface StuckLine extends LineBase {
  t: 'stuck';
  generation: number;
  topic: string;
  partition: number;
  heldMs: number;
  inFlight: number;
}

/** Something a member could not absorb (the group's `error` event, or a crash). */
export interface ErrorLine extends LineBase {
  t: 'error';
  message: string;
}

/** Any line of a run log. */
export type RunLine =
  | ProducedLine
  | StartLine
  | AssignLine
  | RevokeLine
  | LostLine
  | SubscribeLine
  | AbortLine
  | DeliverLine
  | AckLine
  | CommitLine
  | StoppingLine
  | StoppedLine
  | KilledLine
  | SampleLine
  | StuckLine
  | ErrorLine;

/** A line as written: the recorder stamps `ts` and `member`. */
export type UnstampedLine = RunLine extends infer L ? (L extends RunLine ? Omit<L, 'ts' | 'member'> : never) : never;

/** Now, in ms since the epoch with sub-millisecond resolution, comparable across local processes. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Appends one process's lines to its own file, synchronously. */
export class Recorder {
  private readonly fd: number;
  private closed = false;

  /** Opens (creating or appending to) `file`; lines are stamped with `member`. */
  constructor(
    readonly file: string,
    readonly member: string,
  ) {
    this.fd = openSync(file, 'a');
  }

  /** Appends one line; returns its timestamp. */
  log(line: UnstampedLine, member = this.member): number {
    const ts = wallClock();
    if (this.closed) return ts;
    writeSync(this.fd, `${JSON.stringify({ ts, member, ...line })}\n`);
    return ts;
  }

  /** Appends many lines in one write (all stamped now). */
  logAll(lines: readonly UnstampedLine[], member = this.member): void {
    if (this.closed || lines.length === 0) return;
    const ts = wallClock();
    writeSync(this.fd, lines.map((line) => `${JSON.stringify({ ts, member, ...line })}\n`).join(''));
  }

  /** Closes the file; later lines are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** A parsed line with where it came from, so equal timestamps keep each file's order. */
export interface OrderedLine {
  line: RunLine;
  file: string;
  index: number;
}

/**
 * Reads every `*.jsonl` file of a run directory and returns their lines merged in time order
 * (ties keep file order). A last line cut short by a kill is dropped; any other unreadable line
 * throws, since it means the recorder is broken.
 */
export function readRunLogs(dir: string): RunLine[] {
  const ordered: OrderedLine[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8');
    const rows = text.split('\n');
    rows.forEach((row, index) => {
      if (row === '') return;
      try {
        ordered.push({ line: JSON.parse(row) as RunLine, file: name, index });
      } catch (err) {
        // Only an unterminated last line can be a write cut short by SIGKILL.
        if (index !== rows.length - 1) throw new Error(`${name}:${index + 1}: unreadable log line: ${String(err)}`);
      }
    });
  }
  return mergeByTime(ordered);
}

/** Sorts lines by timestamp; lines of one file keep their order when timestamps tie. */
export function mergeByTime(lines: OrderedLine[]): RunLine[] {
  return lines
    .sort((a, b) => a.line.ts - b.line.ts || (a.file === b.file ? a.index - b.index : a.file < b.file ? -1 : 1))
    .map((o) => o.line);
}
