/**
 * What one partition remembers of its subscriber's failures: the failure being retried (its first
 * failed record and how many times in a row it failed) and, for `record.attempt`, which offsets
 * each rewind delivers again. Pure state, no I/O.
 *
 * A failure rewinds delivery to the first unacked offset `from`; every offset from there up to
 * where delivery had got (`until`) comes again, acked or not. So a record's attempt is 1 plus the
 * number of rewinds whose [from, until) holds it.
 *
 * Worked example: records 0-49 delivered, 0-6 acked, the subscriber throws on 7: rewind [7, 50).
 * Re-delivered, 7 has attempt 2 (so do 8-49); it fails again: rewind [7, 50), attempt 3. It then
 * succeeds and 9 fails on its third delivery: the failure is now 9's (failures 1), a rewind [9, 50),
 * and 9 comes with attempt 4.
 */

/** Rewinds remembered for `attemptOf`; older ones are forgotten (attempts then count low, never high). */
export const MAX_REMEMBERED_REWINDS = 1000;

/** The failure a partition is retrying. */
export interface CurrentFailure {
  /** Offset of the first failed record (where a rewind starts when nothing before it is unacked). */
  offset: number;
  /** Failures of that record in a row. */
  failures: number;
  /** Deliveries of that record so far. */
  attempts: number;
  /** The latest error. */
  error: Error;
}

/** Which offsets are re-deliveries, as a stage needs to know when it hands records out. */
export interface Redelivery {
  /** One past the highest re-delivered offset: records at or above it are on their first delivery. */
  readonly until: number;
  /** The attempt of a record at `offset` (below {@link until}). */
  attemptOf(offset: number): number;
}

/** The failures of one partition, across its rewinds. */
export class PartitionFailures implements Redelivery {
  /** Pairs [from, until) of the rewinds, oldest first. */
  private rewinds: number[] = [];
  private highest = 0;
  private now: CurrentFailure | null = null;

  /** The failure being retried, or null. */
  get current(): CurrentFailure | null {
    return this.now;
  }

  get until(): number {
    return this.highest;
  }

  /**
   * Notes a failure: the first failed record is at `firstFailed`, delivery rewinds to `from` and
   * had got to `until`. Returns the failure as it now stands (failures counted in a row for the
   * same first record; a failure of another record starts at 1).
   */
  fail(firstFailed: number, from: number, until: number, error: Error): CurrentFailure {
    if (until > from) {
      this.rewinds.push(from, until);
      if (this.rewinds.length > 2 * MAX_REMEMBERED_REWINDS) this.rewinds.splice(0, 2);
      this.highest = Math.max(this.highest, until);
    }
    const failures = this.now !== null && this.now.offset === firstFailed ? this.now.failures + 1 : 1;
    // A failure with nothing delivered (the subscriber threw before taking a record) has had no delivery.
    const attempts = Math.max(failures, this.attemptOf(firstFailed) - 1);
    this.now = { offset: firstFailed, failures, attempts, error };
    return this.now;
  }

  /** Starts the failure count again (a stopped partition released by the user); attempts keep counting. */
  resetFailures(): void {
    if (this.now !== null) this.now = { ...this.now, failures: 0 };
  }

  /** Forgets the current failure once its record was acked (`committable` passed it). */
  settle(committable: number): void {
    if (this.now !== null && committable > this.now.offset) this.now = null;
  }

  attemptOf(offset: number): number {
    if (offset >= this.highest) return 1;
    let attempt = 1;
    for (let i = 0; i < this.rewinds.length; i += 2) {
      if ((this.rewinds[i] as number) <= offset && offset < (this.rewinds[i + 1] as number)) attempt++;
    }
    return attempt;
  }
}
