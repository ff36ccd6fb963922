/**
 * The demo's live view: one row per partition from the members' `stats()` — who owns it, what was
 * processed, the buffer against its bound, outstanding demand, records in flight, the committed
 * offset and the lag — under a heading with totals. On a terminal it redraws in place; otherwise it
 * prints one plain line per refresh (logs and CI stay readable).
 */
import type { PartitionStats } from '../../src/consumer/types.js';

/** One partition as the view shows it. */
export interface PartitionRow {
  partition: number;
  /** Name of the member that owns it now, `-` between owners. */
  member: string;
  /** Records the subscribers processed (all owners together). */
  processed: number;
  /** The stage's figures, null while no member owns the partition. */
  stats: PartitionStats | null;
}

/** What the heading line reports. */
export interface ViewTotals {
  elapsedMs: number;
  produced: number;
  /** Events the demo writes in all. */
  target: number;
  processed: number;
  /** Records a partition may buffer (the consumer's `buffer.maxRecordsPerPartition`). */
  bufferBound: number;
  /** Rebalances seen so far (assign events after the first). */
  rebalances: number;
}

const BAR_WIDTH = 10;

/** A bar of `value` out of `max`, `width` cells wide. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  const filled = max <= 0 ? 0 : Math.min(width, Math.round((value / max) * width));
  return '█'.repeat(filled) + '·'.repeat(width - filled);
}

const num = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : String(v));

/** The heading line. */
export function headingLine(t: ViewTotals): string {
  const seconds = (t.elapsedMs / 1000).toFixed(1).padStart(5);
  const rate = t.elapsedMs > 0 ? Math.round((t.processed * 1000) / t.elapsedMs) : 0;
  return `t=${seconds}s  produced ${t.produced}/${t.target}  processed ${t.processed}/${t.target} (${rate}/s)  rebalances ${t.rebalances}`;
}

/** The table rows under the heading (header row included). */
export function tableLines(rows: readonly PartitionRow[], bufferBound: number): string[] {
  const header = ['part', 'member', 'processed', `buffered (bound ${bufferBound})`, 'demand', 'in flight', 'committed', 'lag'];
  const cells = rows.map((r) => {
    const s = r.stats;
    const buffered = s ? `${bar(s.bufferedRecords, bufferBound)} ${String(s.bufferedRecords).padStart(String(bufferBound).length)}` : '-';
    return [String(r.partition), r.member, String(r.processed), buffered, num(s?.outstandingDemand), num(s?.inFlight), num(s?.committedOffset), num(s?.lag)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  // Numbers right-aligned, names and bars left-aligned.
  const left = new Set([1, 3]);
  const line = (c: readonly string[]) => c.map((v, i) => (left.has(i) ? v.padEnd(widths[i] as number) : v.padStart(widths[i] as number))).join('  ');
  return [line(header), ...cells.map(line)];
}

/** The one plain line of a refresh when the output is not a terminal. */
export function plainLine(t: ViewTotals, rows: readonly PartitionRow[]): string {
  const per = rows
    .map((r) => `p${r.partition}[${r.member} buf ${num(r.stats?.bufferedRecords)} lag ${num(r.stats?.lag)} com ${num(r.stats?.committedOffset)}]`)
    .join(' ');
  return `${headingLine(t)}  ${per}`;
}

/** Notes kept under the table on a terminal. */
const NOTES_SHOWN = 4;

/** Writes refreshes: in place on a TTY, appended plain lines otherwise. */
export class LiveView {
  private drawnLines = 0;
  private readonly notes: string[] = [];

  constructor(private readonly out: NodeJS.WriteStream) {}

  /** Something happened (a member left or joined): under the table on a terminal, a line of its own otherwise. */
  note(text: string): void {
    if (!this.redraws) {
      this.out.write(`demo: ${text}\n`);
      return;
    }
    this.notes.push(text);
    if (this.notes.length > NOTES_SHOWN) this.notes.shift();
  }

  /** True when refreshes redraw in place. */
  get redraws(): boolean {
    return this.out.isTTY === true;
  }

  /** Shows one refresh. */
  render(t: ViewTotals, rows: readonly PartitionRow[]): void {
    if (!this.redraws) {
      this.out.write(`${plainLine(t, rows)}\n`);
      return;
    }
    const lines = [headingLine(t), '', ...tableLines(rows, t.bufferBound)];
    if (this.notes.length > 0) lines.push('', ...this.notes.map((n) => `  ${n}`));
    // Up over the previous frame, clear to the end of the screen, draw the new one.
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F\x1b[J` : '';
    this.out.write(`${up}${lines.join('\n')}\n`);
    this.drawnLines = lines.length;
  }

  /** Ends the live part: later output goes below the last frame. */
  done(): void {
    this.drawnLines = 0;
  }
}
