/**
 * The requests one connection has sent and not yet seen answered: correlation id → request, in the
 * order sent, each with a deadline. It hands out correlation ids (never one still in flight), finds
 * the request a response answers, and reports a request whose deadline passed, with one timer for
 * the earliest deadline rather than a timer per request. It knows nothing of sockets or promises:
 * what a request holds, and what a timeout does, is the connection's business.
 */
import { DeadlineTimer } from '../util/deadline-timer.js';
import { nextCorrelationId } from './correlation.js';

/** What the table needs of a request. */
export interface InFlightEntry {
  readonly correlationId: number;
  /** When the request times out, on the table's clock (ms). */
  readonly deadline: number;
}

/** Options of an {@link InFlightTable}. */
export interface InFlightTableOptions<E extends InFlightEntry> {
  /**
   * Called with a request whose deadline passed, already removed from the table. Expired requests
   * are reported one at a time, earliest sent first.
   */
  onExpired: (entry: E) => void;
  /** The clock deadlines are read against, ms. Default `performance.now`. */
  now?: () => number;
  /** First correlation id handed out. Default 0. */
  firstCorrelationId?: number;
}

/** The in-flight requests of one connection. */
export class InFlightTable<E extends InFlightEntry> {
  private readonly entries = new Map<number, E>();
  private readonly timer: DeadlineTimer;
  private readonly onExpired: (entry: E) => void;
  private readonly now: () => number;
  private lastId: number;

  constructor(options: InFlightTableOptions<E>) {
    this.onExpired = options.onExpired;
    this.now = options.now ?? (() => performance.now());
    this.lastId = (options.firstCorrelationId ?? 0) - 1;
    // The timer guards requests on a socket, which keeps the process alive while it is open.
    this.timer = new DeadlineTimer(this.expire, { now: this.now, keepAlive: false });
  }

  /** Requests in flight. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The correlation id the next request should carry: after the last one used, wrapping at 2^31-1,
   * skipping ids still in flight. It is used only once {@link add} or {@link useId} takes it.
   */
  nextId(): number {
    return nextCorrelationId(this.lastId, this.entries);
  }

  /** Marks `id` used by a request that gets no response (it is never in flight). */
  useId(id: number): void {
    this.lastId = id;
  }

  /** Adds a sent request: its id is used, and its deadline armed. */
  add(entry: E): void {
    if (this.entries.has(entry.correlationId)) throw new RangeError(`correlation id ${entry.correlationId} is already in flight`);
    this.lastId = entry.correlationId;
    this.entries.set(entry.correlationId, entry);
    this.timer.armAt(entry.deadline);
  }

  /** The request carrying `id`, still in the table. */
  get(id: number): E | undefined {
    return this.entries.get(id);
  }

  /** Removes and returns the request carrying `id` (a response came for it), or undefined. */
  take(id: number): E | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    if (this.entries.size === 0) this.timer.disarm();
    return entry;
  }

  /** Removes every request and returns them, earliest sent first (the connection is closing). */
  drain(): E[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    this.timer.disarm();
    return all;
  }

  private readonly expire = (): void => {
    const now = this.now();
    let due: E | undefined;
    for (const entry of this.entries.values()) {
      if (entry.deadline <= now) {
        due = entry;
        break;
      }
    }
    if (due !== undefined) this.entries.delete(due.correlationId);
    // Armed before the report: the rest are looked at again even if the callback adds requests.
    this.armEarliest();
    if (due !== undefined) this.onExpired(due);
  };

  private armEarliest(): void {
    let earliest = Infinity;
    for (const entry of this.entries.values()) if (entry.deadline < earliest) earliest = entry.deadline;
    this.timer.armAt(earliest);
  }
}
