/**
 * A stand-in for the group's `commitOffsets` (what the CommitManager sends through): it records
 * every OffsetCommit, and answers either at once or when the test says, with success or an error,
 * in the order the commits were sent — as one coordinator connection does.
 */
import type { OffsetToCommit } from '../../src/group/membership-contracts.js';

interface Held {
  offsets: readonly OffsetToCommit[];
  resolve(): void;
  reject(err: unknown): void;
}

export class CommitLog {
  /** Every commit sent, as `partition@offset` lists. */
  readonly sent: string[][] = [];
  private readonly held: Held[] = [];
  /** `auto`: answer success at once; `hold`: wait for {@link answer}. */
  mode: 'auto' | 'hold' = 'auto';
  /** Errors the next commits fail with, one each, before answering (also in `auto` mode). */
  readonly failNext: Error[] = [];
  /** Runs inside each commit before it is answered (to ack more while it is in flight). */
  during: ((sent: number) => void) | null = null;

  readonly commit = (offsets: readonly OffsetToCommit[]): Promise<void> => {
    this.sent.push(offsets.map((o) => `${o.partition}@${o.offset}`));
    this.during?.(this.sent.length);
    const failure = this.failNext.shift();
    if (this.mode === 'auto') return failure ? Promise.reject(failure) : Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.held.push({ offsets, resolve: failure ? () => reject(failure) : resolve, reject });
    });
  };

  /** Answers the oldest held commit (success, or `error`). */
  answer(error?: Error): void {
    const h = this.held.shift();
    if (!h) throw new Error('no commit is held');
    if (error) h.reject(error);
    else h.resolve();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** The offsets committed for one partition, in order. */
  offsetsOf(partition: number): number[] {
    return this.sent.flatMap((c) => c.filter((s) => s.startsWith(`${partition}@`)).map((s) => Number(s.split('@')[1])));
  }
}

/** Settles-state of a promise, read without awaiting it. */
export function track<T>(p: Promise<T>): { readonly state: 'pending' | 'resolved' | 'rejected'; readonly error: unknown } {
  const s = { state: 'pending' as 'pending' | 'resolved' | 'rejected', error: undefined as unknown };
  p.then(
    () => {
      s.state = 'resolved';
    },
    (err: unknown) => {
      s.state = 'rejected';
      s.error = err;
    },
  );
  return s;
}
