/**
 * Manual demand: `stage.ask(n)` and `stage.onRecords(handler)`. Records reach the handler only
 * against asks; asks accumulate (asking 5 then 7 before anything arrives means 12 records will
 * come); each hand-out gives the handler every record buffered, up to the outstanding demand.
 *
 * The handler runs from a microtask, never inside `ask()` itself, so a handler that asks again does
 * not recurse. A handler that throws reports to `onError` when one was given; otherwise it is a
 * failure of the subscriber, handled by the consumer's `onFailure` policy (retry, dead-letter or
 * stop), as if the subscriber function had thrown.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { KafkaRecord } from '../../protocol/records/types.js';
import type { DeliverySource, Subscription } from './source.js';

/** What a bad argument was, for the message (never its contents). */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Receives records delivered against manual asks, in offset order. */
export type RecordsHandler = (records: KafkaRecord[]) => void;

/** Receives a fetch error the stage could not get past (or an error the handler threw). */
export type ErrorHandler = (error: Error) => void;

/** Throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) unless `n` is a count `ask(n)` can take. */
export function checkAskCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('n', `ask(n): n must be a non-negative integer, got ${String(n)}`);
}

/** The manual-demand subscription of one stage. */
export class ManualSubscription implements Subscription {
  private handler: RecordsHandler | null = null;
  private errorHandler: ErrorHandler | null = null;
  private failed = false;

  constructor(private readonly source: DeliverySource) {}

  /** Adds `n` to the outstanding demand. */
  ask(n: number): void {
    checkAskCount(n);
    if (this.source.ended() || n === 0) return;
    this.source.demand(n);
    if (this.handler !== null) this.source.notifySoon();
  }

  /** Sets the handler (replacing an earlier one) and delivers what is already asked for and buffered. */
  onRecords(handler: RecordsHandler, onError?: ErrorHandler): void {
    // Checked here, not at the first hand-out, where calling a non-function would be a subscriber failure.
    if (typeof handler !== 'function') throw new InvalidArgumentError('handler', `onRecords(handler): expected a function (records) => void, got ${kindOf(handler)}`);
    if (onError !== undefined && typeof onError !== 'function') throw new InvalidArgumentError('onError', `onRecords(handler, onError): expected a function (error) => void, got ${kindOf(onError)}`);
    this.handler = handler;
    this.errorHandler = onError ?? null;
    this.source.notifySoon();
  }

  /** @internal Hands buffered records to the handler against demand; reports a standing fetch error once. */
  notify(): void {
    const handler = this.handler;
    if (handler === null || this.failed) return;
    const records = this.source.take(Number.POSITIVE_INFINITY);
    if (records.length > 0) {
      try {
        handler(records);
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        // Without onError, a failing handler is a subscriber failure: the onFailure policy retries it.
        if (this.errorHandler !== null || !this.source.fail(err)) this.report(err);
      }
      // A fetch error that came with these records (one notification for both) is reported next.
      if (this.source.failure() !== null) this.source.notifySoon();
      return;
    }
    const failure = this.source.failure();
    if (failure !== null) {
      this.failed = true;
      this.source.detach(this);
      this.report(failure);
    }
  }

  private report(error: Error): void {
    if (this.errorHandler === null) throw error;
    this.errorHandler(error);
  }
}
