/**
 * The invariant checker of the reliability scenarios (testing.md I1–I6, and I7 for issue 13): a pure function over the
 * merged run logs of recorder.ts. It replays the lines in time order, keeping for every partition
 * its produced offsets, its committed position and its ownership periods (one per member per
 * assignment: from `assign` — or the subscriber's start, whichever is logged first — to `revoke`,
 * `lost`, `stopped` or `killed`), and reports every line that breaks an invariant:
 *
 * - I1 no loss: every produced record was delivered and acked by someone, with the produced value.
 * - I2 bounded duplicates: a record delivered again was left unsettled by the previous owner that
 *   delivered it — at a fault (lost, killed): at or above the committed position then; at a clean
 *   end (revoke, stop): not acked before the handover began, and the clean end committed at least
 *   everything acked before it began.
 * - I3 commit sanity: a successful commit names a partition its member owns, never passes that
 *   member's contiguous acked prefix, and never moves the partition's committed position back.
 * - I4 contiguity: within an ownership period each delivered offset is the next produced offset
 *   after the previous one (no skip, no jump back).
 * - I5 no zombie: nothing delivered or committed by a member for a partition after its revoke or
 *   loss (until assigned again).
 * - I6 the new owner starts at the commit: the first offset of a period is the committed position
 *   when it began (the log start when nothing was committed). After a member killed with SIGKILL,
 *   a commit it had in flight may have landed unlogged: a start above the logged commit but within
 *   the killed member's acked prefix is accepted and counted as an inferred commit.
 * - I7 exclusive ownership (across generations and member epochs): a period never begins while
 *   another member's period of the partition is open and that period then ends cleanly (revoke,
 *   stop) or never ends: the coordinator must not hand a partition over before its owner released
 *   it. An overlap with a period that ends killed or lost is the expected window of a fault (the
 *   owner could not say it let go) and is only counted.
 */
import type { RunLine } from './recorder.js';

/** Invariants checked here. */
export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6' | 'I7';

/** One broken invariant, located. */
export interface Violation {
  invariant: InvariantId;
  member: string;
  topic: string;
  partition: number;
  /** Time of the offending line (0 for end-of-run checks). */
  ts: number;
  message: string;
}

/** What the run exercised: tests assert on these so a scenario cannot pass by doing nothing. */
export interface InvariantStats {
  /** Records acknowledged by the producer. */
  produced: number;
  /** Record deliveries, duplicates included. */
  delivered: number;
  /** Deliveries of a record delivered before. */
  duplicates: number;
  /** Successful commits of one partition's offset. */
  commits: number;
  /** Commit attempts that failed. */
  failedCommits: number;
  /** Successful commits that stop at a record still unacked while a later record is acked (a gap waits). */
  commitsBehindGap: number;
  /** Ack lines logged after the partition's abort signal fired. */
  acksAfterAbort: number;
  /** Ack lines of a partition the member no longer owned (after its revoke or loss), or from the subscriber of an earlier assignment. */
  acksAfterRevoke: number;
  /** Ownership periods by how they ended (`open`: still owned at the end of the logs). */
  periodEnds: Record<'revoke' | 'lost' | 'stopped' | 'killed' | 'open', number>;
  /** Periods that began after a killed owner above the logged commit (a commit in flight at the kill). */
  inferredCommits: number;
  /** Periods that began while another member's period was open, which then ended killed or lost (I7 tolerates these). */
  faultOverlaps: number;
}

/** The checker's verdict. */
export interface InvariantReport {
  violations: Violation[];
  stats: InvariantStats;
}

/** Options of {@link checkInvariants}. */
export interface CheckOptions {
  /** Where a partition with no commit starts: `earliest` (the first produced offset) or unchecked. Default `earliest`. */
  reset?: 'earliest' | 'unchecked';
}

type EndKind = 'revoke' | 'lost' | 'stopped' | 'killed';

/** One member's ownership of one partition. */
interface Period {
  member: string;
  topic: string;
  partition: number;
  generation: number;
  /** The subscriber call serving it (from its `subscribe` line), null when not logged. */
  sub: number | null;
  /** Where it must start (the committed position when it began). */
  expectedStart: number | null;
  /** A higher start that is accepted: the acked prefix of a killed previous owner. */
  startUpperBound: number | null;
  /** First offset delivered, null before the first delivery. */
  first: number | null;
  /** Next offset expected, null before the first delivery. */
  next: number | null;
  maxDelivered: number;
  acked: Set<number>;
  /** Contiguous acked prefix: the first offset from the start not acked. */
  prefix: number | null;
  prefixAtAbort: number | null;
  end: EndKind | null;
  /** Time its `end` was logged. */
  endTs: number;
  /** Time it began. */
  beganTs: number;
  /** Other members' periods of the partition still open when this one began (I7). */
  overlaps: Period[];
}

/** Replay state of one partition. */
interface PartitionState {
  topic: string;
  partition: number;
  produced: Map<number, string>;
  /** Produced offsets, ascending. */
  offsets: number[];
  /** Committed position: last successful (or inferred) commit. */
  committed: number | null;
  /** The period that last delivered each offset. */
  lastDeliveredBy: Map<number, Period>;
  /** Offsets acked by anyone, ever. */
  ackedEver: Set<number>;
  /** The latest period to have begun. */
  latest: Period | null;
  /** Periods of any member open now. */
  open: Set<Period>;
}

/** Replay state of one member. */
interface MemberState {
  open: Map<string, Period>;
  /** The last closed period per partition, to tell a zombie from a stranger. */
  closed: Map<string, Period>;
}

function key(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Checks I1–I7 over merged run logs (as {@link readRunLogs} returns them). Pure. */
export function checkInvariants(lines: readonly RunLine[], options: CheckOptions = {}): InvariantReport {
  return new Replay(options).run(lines);
}

/** A readable summary of a report's violations (the first `limit` of each invariant). */
export function formatViolations(report: InvariantReport, limit = 8): string {
  const byInvariant = new Map<InvariantId, Violation[]>();
  for (const v of report.violations) byInvariant.set(v.invariant, [...(byInvariant.get(v.invariant) ?? []), v]);
  const parts: string[] = [];
  for (const [id, list] of [...byInvariant].sort(([a], [b]) => (a < b ? -1 : 1))) {
    parts.push(`${id}: ${list.length} violation(s)`);
    for (const v of list.slice(0, limit)) parts.push(`  ${v.member} ${v.topic}/${v.partition} @${v.ts.toFixed(1)}: ${v.message}`);
  }
  return parts.join('\n');
}

class Replay {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly members = new Map<string, MemberState>();
  private readonly violations: Violation[] = [];
  private readonly stats: InvariantStats = {
    produced: 0,
    delivered: 0,
    duplicates: 0,
    commits: 0,
    failedCommits: 0,
    commitsBehindGap: 0,
    acksAfterAbort: 0,
    acksAfterRevoke: 0,
    periodEnds: { revoke: 0, lost: 0, stopped: 0, killed: 0, open: 0 },
    inferredCommits: 0,
    faultOverlaps: 0,
  };
  /** Every period, in the order they began (I7 is judged at the end, once every period's end is known). */
  private readonly periods: Period[] = [];

  constructor(private readonly options: CheckOptions) {}

  run(lines: readonly RunLine[]): InvariantReport {
    // Produce acks may be logged after the delivery of the same record: index them first.
    for (const line of lines) if (line.t === 'produced') this.indexProduced(line.topic, line.partition, line.offset, line.value);
    for (const p of this.partitions.values()) p.offsets.sort((a, b) => a - b);
    for (const line of lines) this.apply(line);
    this.finish();
    return { violations: this.violations, stats: this.stats };
  }

  private indexProduced(topic: string, partition: number, offset: number, value: string): void {
    const p = this.partition(topic, partition);
    if (!p.produced.has(offset)) p.offsets.push(offset);
    p.produced.set(offset, value);
    this.stats.produced++;
  }

  private apply(line: RunLine): void {
    switch (line.t) {
      case 'assign':
        for (const tp of line.partitions) this.begin(line.member, tp.topic, tp.partition, line.generation, line.ts);
        return;
      case 'subscribe': {
        const period = this.begin(line.member, line.topic, line.partition, line.generation, line.ts);
        if (period.sub === null && line.sub !== undefined) period.sub = line.sub;
        return;
      }
      case 'deliver':
        this.deliver(line.member, line.ts, line.topic, line.partition, line.offsets, line.values, line.sub);
        return;
      case 'ack':
        this.ack(line.member, line.topic, line.partition, line.offsets, line.afterAbort, line.sub);
        return;
      case 'abort': {
        const period = this.current(line.member, line.topic, line.partition, line.sub);
        if (period && period.prefixAtAbort === null) period.prefixAtAbort = period.prefix;
        return;
      }
      case 'commit':
        for (const o of line.offsets) this.commit(line.member, line.ts, line.generation, o.topic, o.partition, o.offset, line.error);
        return;
      case 'revoke':
      case 'lost':
        for (const tp of line.partitions) {
          const period = this.member(line.member).open.get(key(tp.topic, tp.partition));
          if (period) this.end(period, line.t, line.ts);
        }
        return;
      case 'stopped':
      case 'killed':
        for (const period of [...this.member(line.member).open.values()]) this.end(period, line.t, line.ts);
        return;
      default:
        return;
    }
  }

  /**
   * The member's open period of a partition, if the line belongs to it: a line naming another
   * subscriber call comes from a subscription of an earlier period (a revoked subscriber still at
   * work while the partition was assigned again).
   */
  private current(member: string, topic: string, partition: number, sub: number | undefined): Period | undefined {
    const period = this.member(member).open.get(key(topic, partition));
    if (!period || sub === undefined || period.sub === null || period.sub === sub) return period;
    return undefined;
  }

  /** Opens an ownership period unless the member already owns the partition; returns the open one. */
  private begin(member: string, topic: string, partition: number, generation: number, ts: number): Period {
    const m = this.member(member);
    const k = key(topic, partition);
    const open = m.open.get(k);
    if (open) return open;
    const p = this.partition(topic, partition);
    let expectedStart = p.committed;
    if (expectedStart === null && this.options.reset !== 'unchecked') expectedStart = p.offsets[0] ?? 0;
    const previous = p.latest;
    const startUpperBound = previous?.end === 'killed' ? killedUpperBound(previous) : null;
    const period: Period = {
      member,
      topic,
      partition,
      generation,
      sub: null,
      expectedStart,
      startUpperBound,
      first: null,
      next: null,
      maxDelivered: -1,
      acked: new Set(),
      prefix: expectedStart,
      prefixAtAbort: null,
      end: null,
      endTs: 0,
      beganTs: ts,
      overlaps: [...p.open].filter((other) => other.member !== member),
    };
    m.open.set(k, period);
    p.latest = period;
    p.open.add(period);
    this.periods.push(period);
    return period;
  }

  private end(period: Period, kind: EndKind, ts: number): void {
    const m = this.member(period.member);
    const k = key(period.topic, period.partition);
    m.open.delete(k);
    m.closed.set(k, period);
    this.partition(period.topic, period.partition).open.delete(period);
    period.end = kind;
    period.endTs = ts;
    this.stats.periodEnds[kind]++;
    if (kind === 'revoke' || kind === 'stopped') {
      // A clean end commits the acked prefix: at least what was acked before the handover began.
      const ackedBefore = period.prefixAtAbort ?? period.prefix;
      const committed = this.partition(period.topic, period.partition).committed;
      const ackedSome = ackedBefore !== null && period.first !== null && ackedBefore > period.first;
      if (ackedSome && (committed === null || committed < ackedBefore)) {
        this.violate('I2', period, ts, `clean ${kind} left the committed position at ${committed} below the acked prefix ${ackedBefore}: those records will be delivered again`);
      }
    }
  }

  private deliver(member: string, ts: number, topic: string, partition: number, offsets: readonly number[], values: readonly string[], sub: number | undefined): void {
    const m = this.member(member);
    const k = key(topic, partition);
    const p = this.partition(topic, partition);
    const period = this.current(member, topic, partition, sub);
    if (!period) {
      const closed = m.closed.get(k);
      const stale = m.open.has(k) ? `to subscriber call ${sub}, which served an earlier assignment` : null;
      const why = stale ?? (closed ? `after its ${closed.end}` : 'without owning it');
      this.violate('I5', { member, topic, partition }, ts, `delivered offsets ${span(offsets)} ${why}`);
      return;
    }
    offsets.forEach((offset, i) => {
      this.stats.delivered++;
      const produced = p.produced.get(offset);
      if (produced === undefined) this.violate('I1', period, ts, `delivered offset ${offset}, which no producer acknowledged`);
      else if (produced !== values[i]) this.violate('I1', period, ts, `offset ${offset} delivered value ${JSON.stringify(values[i])}, produced ${JSON.stringify(produced)}`);
      if (period.next === null) this.checkStart(period, p, ts, offset);
      else if (offset !== period.next) {
        const what = offset < period.next ? 'jumped back' : 'skipped';
        this.violate('I4', period, ts, `${what}: delivered ${offset} where ${period.next} was next`);
      }
      const earlier = p.lastDeliveredBy.get(offset);
      if (earlier !== undefined) this.checkDuplicate(period, earlier, ts, offset);
      p.lastDeliveredBy.set(offset, period);
      period.next = nextOffset(p.offsets, offset);
      period.maxDelivered = Math.max(period.maxDelivered, offset);
    });
  }

  /** I6: the first delivery of a period is the committed position when it began. */
  private checkStart(period: Period, p: PartitionState, ts: number, offset: number): void {
    period.first = offset;
    period.prefix = offset;
    if (period.expectedStart === null || offset === period.expectedStart) return;
    const upper = period.startUpperBound;
    if (upper !== null && offset > period.expectedStart && offset <= upper) {
      // The killed owner's last commit was in flight at the kill and landed: the broker knows it.
      this.stats.inferredCommits++;
      p.committed = offset;
      return;
    }
    const basis = p.committed === null ? 'the log start' : 'the last commit';
    const allowance = upper === null ? '' : ` (or up to ${upper}, the killed owner's acked prefix)`;
    this.violate('I6', period, ts, `new owner started at ${offset}; ${basis} was ${period.expectedStart}${allowance}`);
  }

  /** I2: a record delivered again was unsettled when its previous deliverer let go. */
  private checkDuplicate(period: Period, earlier: Period, ts: number, offset: number): void {
    this.stats.duplicates++;
    if (earlier === period) return; // a jump back within one period: already an I4 violation
    if (earlier.end === null) {
      this.violate('I2', period, ts, `offset ${offset} delivered while ${earlier.member} still owns the partition`);
    } else if (earlier.end === 'revoke' || earlier.end === 'stopped') {
      const settled = earlier.prefixAtAbort ?? earlier.prefix;
      if (settled !== null && offset < settled) {
        this.violate('I2', period, ts, `offset ${offset} delivered again after a clean ${earlier.end} by ${earlier.member}, which had acked up to ${settled}`);
      }
    } else {
      const committed = this.partition(period.topic, period.partition).committed;
      if (committed !== null && offset < committed) {
        this.violate('I2', period, ts, `offset ${offset} delivered again below the committed position ${committed} after ${earlier.member} was ${earlier.end}`);
      }
    }
  }

  private ack(member: string, topic: string, partition: number, offsets: readonly number[], afterAbort: boolean, sub: number | undefined): void {
    if (afterAbort) this.stats.acksAfterAbort++;
    const period = this.current(member, topic, partition, sub);
    if (!period) {
      // Acking a revoked partition is allowed; committing it is not (checked on commits).
      this.stats.acksAfterRevoke++;
      return;
    }
    const p = this.partition(topic, partition);
    for (const o of offsets) {
      period.acked.add(o);
      p.ackedEver.add(o);
    }
    if (period.prefix === null) return;
    while (period.acked.has(period.prefix)) period.prefix = nextOffset(p.offsets, period.prefix);
  }

  private commit(member: string, ts: number, generation: number, topic: string, partition: number, offset: number, error: string | null): void {
    if (error !== null) {
      this.stats.failedCommits++;
      return;
    }
    this.stats.commits++;
    const m = this.member(member);
    const k = key(topic, partition);
    const p = this.partition(topic, partition);
    const period = m.open.get(k);
    const where = { member, topic, partition };
    if (!period) {
      const closed = m.closed.get(k);
      if (closed) this.violate('I5', where, ts, `committed ${offset} after its ${closed.end}`);
      else this.violate('I3', where, ts, `committed ${offset} for a partition it never owned`);
    } else {
      if (generation < period.generation) {
        this.violate('I3', period, ts, `commit in generation ${generation}, older than the assignment's ${period.generation}`);
      }
      if (period.prefix !== null && offset > period.prefix) {
        this.violate('I3', period, ts, `committed ${offset} beyond the acked prefix ${period.prefix}`);
      }
      // The commit stops at a record still unacked while a later one is acked: a gap is waiting.
      if (!period.acked.has(offset) && [...period.acked].some((a) => a > offset)) this.stats.commitsBehindGap++;
    }
    if (p.committed !== null && offset < p.committed) {
      this.violate('I3', where, ts, `commit moved backwards from ${p.committed} to ${offset}`);
      return;
    }
    p.committed = offset;
  }

  /** End of logs: I1 over every produced record, I7 over every period; periods still open are counted. */
  private finish(): void {
    for (const m of this.members.values()) this.stats.periodEnds.open += m.open.size;
    for (const period of this.periods) {
      for (const other of period.overlaps) {
        if (other.end === 'killed' || other.end === 'lost') {
          this.stats.faultOverlaps++;
          continue;
        }
        const until = other.end === null ? 'and still owns it at the end of the logs' : `until its ${other.end} ${(other.endTs - period.beganTs).toFixed(1)} ms later`;
        this.violate('I7', period, period.beganTs, `assigned in generation ${period.generation} while ${other.member} owned it since generation ${other.generation} ${until}`);
      }
    }
    for (const p of this.partitions.values()) {
      const missing = p.offsets.filter((o) => !p.ackedEver.has(o));
      if (missing.length > 0) {
        this.violate('I1', { member: '-', topic: p.topic, partition: p.partition }, 0, `${missing.length} produced record(s) never processed: offsets ${span(missing)}`);
      }
    }
  }

  private violate(invariant: InvariantId, where: { member: string; topic: string; partition: number }, ts: number, message: string): void {
    this.violations.push({ invariant, member: where.member, topic: where.topic, partition: where.partition, ts, message });
  }

  private partition(topic: string, partition: number): PartitionState {
    const k = key(topic, partition);
    let p = this.partitions.get(k);
    if (!p) {
      p = { topic, partition, produced: new Map(), offsets: [], committed: null, lastDeliveredBy: new Map(), ackedEver: new Set(), latest: null, open: new Set() };
      this.partitions.set(k, p);
    }
    return p;
  }

  private member(name: string): MemberState {
    let m = this.members.get(name);
    if (!m) {
      m = { open: new Map(), closed: new Map() };
      this.members.set(name, m);
    }
    return m;
  }
}

/** The produced offset after `offset` (offsets may have gaps), or `offset + 1` past the known end. */
function nextOffset(sorted: readonly number[], offset: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] ?? offset + 1;
}

/** A short description of a list of offsets: `3..7 (5)` or the first few. */
function span(offsets: readonly number[]): string {
  if (offsets.length === 0) return 'none';
  const first = offsets[0] as number;
  const last = offsets[offsets.length - 1] as number;
  if (offsets.length > 1 && last - first === offsets.length - 1) return `${first}..${last} (${offsets.length})`;
  const shown = offsets.slice(0, 6).join(', ');
  return offsets.length > 6 ? `${shown}, … (${offsets.length})` : shown;
}

/**
 * How far a killed owner's unlogged last commit may have moved the committed position: its acked
 * prefix; and when it was killed before delivering anything, what the owner before it may have
 * committed (a commit in flight at that earlier kill can land after the next owner started).
 */
function killedUpperBound(period: Period): number | null {
  const own = period.first === null ? null : period.prefix;
  const inherited = period.startUpperBound;
  if (own === null) return inherited ?? period.prefix;
  return inherited === null ? own : Math.max(own, inherited);
}
