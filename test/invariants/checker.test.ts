/**
 * The invariant checker on hand-made logs: one clean run that exercises every allowed shape
 * (clean handover, kill with bounded duplicates, a commit in flight at the kill, out-of-order acks,
 * acks after revoke) must pass; each log that breaks one invariant must be caught under that
 * invariant.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkInvariants, formatViolations, type InvariantId, type InvariantReport } from '../helpers/invariants.js';
import type { RunLine, UnstampedLine } from '../helpers/recorder.js';

const T = 't';

/** Builds a run log line by line with increasing timestamps. */
class Log {
  readonly lines: RunLine[] = [];
  private ts = 1000;

  private push(member: string, line: UnstampedLine): this {
    this.lines.push({ ...line, ts: this.ts++, member } as RunLine);
    return this;
  }

  /** Produce acks of offsets 0..count-1 of a partition, values `t/p/offset`. */
  produce(partition: number, count: number): this {
    for (let offset = 0; offset < count; offset++) this.push('harness', { t: 'produced', topic: T, partition, offset, value: value(partition, offset) });
    return this;
  }
  assign(member: string, generation: number, ...partitions: number[]): this {
    return this.push(member, { t: 'assign', generation, partitions: partitions.map((partition) => ({ topic: T, partition })) });
  }
  subscribe(member: string, generation: number, partition: number, sub?: number): this {
    return this.push(member, { t: 'subscribe', generation, topic: T, partition, ...(sub !== undefined && { sub }) });
  }
  deliver(member: string, generation: number, partition: number, offsets: number[], values = offsets.map((o) => value(partition, o)), sub?: number): this {
    return this.push(member, { t: 'deliver', generation, topic: T, partition, offsets, values, ...(sub !== undefined && { sub }) });
  }
  ack(member: string, generation: number, partition: number, offsets: number[], afterAbort = false, sub?: number): this {
    return this.push(member, { t: 'ack', generation, topic: T, partition, offsets, afterAbort, ...(sub !== undefined && { sub }) });
  }
  commit(member: string, generation: number, partition: number, offset: number, error: string | null = null): this {
    return this.push(member, { t: 'commit', generation, offsets: [{ topic: T, partition, offset }], error });
  }
  abort(member: string, generation: number, partition: number): this {
    return this.push(member, { t: 'abort', generation, topic: T, partition });
  }
  revoke(member: string, generation: number, ...partitions: number[]): this {
    return this.push(member, { t: 'revoke', generation, partitions: partitions.map((partition) => ({ topic: T, partition })) });
  }
  lost(member: string, generation: number, ...partitions: number[]): this {
    return this.push(member, { t: 'lost', generation, partitions: partitions.map((partition) => ({ topic: T, partition })), reason: 'fenced' });
  }
  stopped(member: string): this {
    return this.push(member, { t: 'stopped' });
  }
  killed(member: string): this {
    return this.push(member, { t: 'killed' });
  }
}

function value(partition: number, offset: number): string {
  return `${T}/${partition}/${offset}`;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function check(log: Log): InvariantReport {
  return checkInvariants(log.lines);
}

/** Asserts the report breaks `invariant` (and says so in a message that names it). */
function assertCaught(report: InvariantReport, invariant: InvariantId, pattern?: RegExp): void {
  const hits = report.violations.filter((v) => v.invariant === invariant && (pattern === undefined || pattern.test(v.message)));
  assert.ok(hits.length > 0, `expected a ${invariant} violation${pattern ? ` matching ${pattern}` : ''}, got:\n${formatViolations(report) || 'none'}`);
}

/** Asserts the report breaks only the listed invariants. */
function assertOnly(report: InvariantReport, ...allowed: InvariantId[]): void {
  const other = report.violations.filter((v) => !allowed.includes(v.invariant));
  assert.deepEqual(other, [], `unexpected violations:\n${formatViolations(report)}`);
}

describe('invariant checker', () => {
  it('passes a clean run with a clean handover, a kill, an in-flight commit at a kill, out-of-order acks and acks after revoke', () => {
    const log = new Log().produce(0, 10).produce(1, 6).produce(2, 4);
    // Partition 0: m1 acks 0..3 in order, commits, is revoked cleanly; m2 takes over at 4.
    log.assign('m1', 1, 0, 1, 2).subscribe('m1', 1, 0).subscribe('m1', 1, 1).subscribe('m1', 1, 2);
    log.deliver('m1', 1, 0, range(0, 3)).ack('m1', 1, 0, range(0, 3)).commit('m1', 1, 0, 4);
    // Partition 1: out-of-order acks; the commit waits for the gap at 1.
    log.deliver('m1', 1, 1, range(0, 3)).ack('m1', 1, 1, [0, 2, 3]).commit('m1', 1, 1, 1).ack('m1', 1, 1, [1]).commit('m1', 1, 1, 4);
    // Partition 2: delivered 0..3, acked 0..1 before the abort; the drain ends without the rest; they are acked late.
    log.deliver('m1', 1, 2, range(0, 3)).ack('m1', 1, 2, [0, 1]);
    log.abort('m1', 1, 0).abort('m1', 1, 2).commit('m1', 1, 2, 2).revoke('m1', 1, 0, 2).ack('m1', 1, 2, [2, 3], true);
    log.assign('m2', 2, 0, 2);
    log.deliver('m2', 2, 0, range(4, 7)).ack('m2', 2, 0, range(4, 7)).commit('m2', 2, 0, 8);
    log.deliver('m2', 2, 2, range(2, 3)).ack('m2', 2, 2, range(2, 3)).commit('m2', 2, 2, 4);
    // m2 is killed with 8..9 delivered and unacked; m1 takes partition 0 back at the commit and gets 8..9 again.
    log.deliver('m2', 2, 0, [8, 9]).killed('m2');
    log.assign('m1', 3, 0).deliver('m1', 3, 0, [8, 9]).ack('m1', 3, 0, [8, 9]).commit('m1', 3, 0, 10);
    // Partition 1 moves to m3 after m1 is killed with a commit of 6 in flight (acked 4..5, commit unlogged).
    log.deliver('m1', 3, 1, [4, 5]).ack('m1', 3, 1, [4, 5]).killed('m1');
    log.assign('m3', 4, 1).stopped('m3');
    const report = check(log);
    assert.deepEqual(report.violations, [], formatViolations(report));
    assert.equal(report.stats.produced, 20);
    assert.equal(report.stats.commitsBehindGap, 1, 'the commit at 1 waited for the gap');
    assert.equal(report.stats.acksAfterRevoke, 1);
    assert.equal(report.stats.acksAfterAbort, 1);
    assert.equal(report.stats.duplicates, 4, 'partition 2: 2..3 again after the drain ended without them; partition 0: 8..9 again after the kill');
    assert.deepEqual(report.stats.periodEnds, { revoke: 2, lost: 0, stopped: 1, killed: 4, open: 0 });
  });

  it('accepts duplicates after a kill between the commit and the highest delivered offset', () => {
    const log = new Log().produce(0, 10).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 7)).ack('m1', 1, 0, range(0, 5)).commit('m1', 1, 0, 3).killed('m1');
    log.assign('m2', 2, 0).deliver('m2', 2, 0, range(3, 9)).ack('m2', 2, 0, range(3, 9)).commit('m2', 2, 0, 10).stopped('m2');
    const report = check(log);
    assert.deepEqual(report.violations, [], formatViolations(report));
    assert.equal(report.stats.duplicates, 5);
  });

  it('accepts a start above the logged commit within the killed owner’s acked prefix (a commit in flight at the kill)', () => {
    const log = new Log().produce(0, 10).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 7)).ack('m1', 1, 0, range(0, 5)).commit('m1', 1, 0, 3).killed('m1');
    log.assign('m2', 2, 0).deliver('m2', 2, 0, range(6, 9)).ack('m2', 2, 0, range(6, 9)).commit('m2', 2, 0, 10).stopped('m2');
    const report = check(log);
    assert.deepEqual(report.violations, [], formatViolations(report));
    assert.equal(report.stats.inferredCommits, 1);
  });

  it('accepts that start after a second owner was killed before it delivered anything (the first kill’s commit still the one that landed)', () => {
    // Seen in a CI-like run: m1 acked through 6 and was killed with its commit of 7 unlogged; m2 got
    // the partition and was killed before its first delivery; m3 starts at 7.
    const log = new Log().produce(0, 10).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 6)).ack('m1', 1, 0, range(0, 6)).commit('m1', 1, 0, 3).killed('m1');
    log.assign('m2', 2, 0).killed('m2');
    log.assign('m3', 3, 0).deliver('m3', 3, 0, range(7, 9)).ack('m3', 3, 0, range(7, 9)).commit('m3', 3, 0, 10).stopped('m3');
    const report = check(log);
    assert.deepEqual(report.violations, [], formatViolations(report));
    assert.equal(report.stats.inferredCommits, 1);
  });

  describe('I1 no loss', () => {
    it('catches a produced record nobody processed', () => {
      const log = new Log().produce(0, 5).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 4)).ack('m1', 1, 0, range(0, 3)).commit('m1', 1, 0, 4).stopped('m1');
      const report = check(log);
      assertCaught(report, 'I1', /1 produced record\(s\) never processed: offsets 4/);
      assertOnly(report, 'I1');
    });

    it('catches a record delivered with another value than produced', () => {
      const log = new Log().produce(0, 2).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1], [value(0, 0), 'other']).ack('m1', 1, 0, [0, 1]).commit('m1', 1, 0, 2).stopped('m1');
      const report = check(log);
      assertCaught(report, 'I1', /offset 1 delivered value "other"/);
      assertOnly(report, 'I1');
    });

    it('catches a record no producer acknowledged', () => {
      const log = new Log().produce(0, 2).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1, 2], [value(0, 0), value(0, 1), 'x']).ack('m1', 1, 0, [0, 1, 2]);
      assertCaught(check(log), 'I1', /which no producer acknowledged/);
    });
  });

  describe('I2 bounded duplicates', () => {
    it('catches a clean revoke that commits less than was acked before it began, and the duplicates it causes', () => {
      const log = new Log().produce(0, 6).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 3)).ack('m1', 1, 0, range(0, 3)).commit('m1', 1, 0, 2);
      log.abort('m1', 1, 0).revoke('m1', 1, 0);
      log.assign('m2', 2, 0).deliver('m2', 2, 0, range(2, 5)).ack('m2', 2, 0, range(2, 5)).commit('m2', 2, 0, 6).stopped('m2');
      const report = check(log);
      assertCaught(report, 'I2', /clean revoke left the committed position at 2 below the acked prefix 4/);
      assertCaught(report, 'I2', /offset 2 delivered again after a clean revoke by m1, which had acked up to 4/);
      assertOnly(report, 'I2');
    });

    it('catches a clean stop that commits nothing though records were acked', () => {
      const log = new Log().produce(0, 3).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 2)).ack('m1', 1, 0, range(0, 2)).stopped('m1');
      const report = check(log);
      assertCaught(report, 'I2', /clean stopped left the committed position at null below the acked prefix 3/);
      assertOnly(report, 'I2');
    });

    it('catches a record delivered to a second member while the first still owns the partition', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 3));
      log.assign('m2', 2, 0).deliver('m2', 2, 0, range(0, 3));
      assertCaught(check(log), 'I2', /offset 0 delivered while m1 still owns the partition/);
    });

    it('catches a duplicate below the committed position after a kill', () => {
      const log = new Log().produce(0, 6).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 5)).ack('m1', 1, 0, range(0, 5)).commit('m1', 1, 0, 4).killed('m1');
      log.assign('m2', 2, 0).deliver('m2', 2, 0, range(1, 5)).ack('m2', 2, 0, range(1, 5));
      const report = check(log);
      assertCaught(report, 'I2', /offset 1 delivered again below the committed position 4 after m1 was killed/);
      assertOnly(report, 'I2', 'I6');
    });
  });

  describe('I3 commit sanity', () => {
    it('catches a commit past a gap in the acks', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 3)).ack('m1', 1, 0, [0, 2, 3]).commit('m1', 1, 0, 4);
      const report = check(log);
      assertCaught(report, 'I3', /committed 4 beyond the acked prefix 1/);
      assertOnly(report, 'I3', 'I1');
    });

    it('catches a commit of a partition the member never owned', () => {
      const log = new Log().produce(0, 2).produce(1, 2).assign('m1', 1, 0).commit('m1', 1, 1, 1);
      assertCaught(check(log), 'I3', /committed 1 for a partition it never owned/);
    });

    it('catches a commit that moves backwards', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 3)).ack('m1', 1, 0, range(0, 3)).commit('m1', 1, 0, 4).commit('m1', 1, 0, 2);
      assertCaught(check(log), 'I3', /commit moved backwards from 4 to 2/);
    });

    it('catches a commit in a generation older than the assignment', () => {
      const log = new Log().produce(0, 2).assign('m1', 5, 0).deliver('m1', 5, 0, [0, 1]).ack('m1', 5, 0, [0, 1]).commit('m1', 4, 0, 2);
      assertCaught(check(log), 'I3', /generation 4, older than the assignment's 5/);
    });

    it('ignores failed commits', () => {
      const log = new Log().produce(0, 2).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1]).ack('m1', 1, 0, [0]).commit('m1', 1, 0, 2, 'ILLEGAL_GENERATION');
      log.lost('m1', 1, 0).assign('m2', 2, 0).deliver('m2', 2, 0, [0, 1]).ack('m2', 2, 0, [0, 1]).commit('m2', 2, 0, 2).stopped('m2');
      const report = check(log);
      assert.deepEqual(report.violations, [], formatViolations(report));
      assert.equal(report.stats.failedCommits, 1);
    });
  });

  describe('I4 contiguity', () => {
    it('catches a skipped offset', () => {
      const log = new Log().produce(0, 6).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1, 2]).deliver('m1', 1, 0, [4, 5]);
      assertCaught(check(log), 'I4', /skipped: delivered 4 where 3 was next/);
    });

    it('catches a jump back', () => {
      const log = new Log().produce(0, 6).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1, 2]).deliver('m1', 1, 0, [1, 2, 3]);
      assertCaught(check(log), 'I4', /jumped back: delivered 1 where 3 was next/);
    });

    it('follows gaps in the produced offsets', () => {
      const log = new Log();
      for (const offset of [0, 1, 4, 5]) log.lines.push({ t: 'produced', ts: 1, member: 'harness', topic: T, partition: 0, offset, value: value(0, offset) });
      log.assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1]).deliver('m1', 1, 0, [4, 5]).ack('m1', 1, 0, [0, 1, 4, 5]).commit('m1', 1, 0, 6).stopped('m1');
      const report = check(log);
      assert.deepEqual(report.violations, [], formatViolations(report));
    });
  });

  describe('I5 no zombie', () => {
    it('catches a delivery after revoke', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1]).ack('m1', 1, 0, [0, 1]).commit('m1', 1, 0, 2).revoke('m1', 1, 0).deliver('m1', 1, 0, [2, 3]);
      assertCaught(check(log), 'I5', /delivered offsets 2..3 \(2\) after its revoke/);
    });

    it('catches a commit after lost', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1]).ack('m1', 1, 0, [0, 1]).lost('m1', 1, 0).commit('m1', 1, 0, 2);
      assertCaught(check(log), 'I5', /committed 2 after its lost/);
    });

    it('catches a commit of acks made after revoke', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 3)).ack('m1', 1, 0, [0, 1]).abort('m1', 1, 0).commit('m1', 1, 0, 2).revoke('m1', 1, 0);
      log.ack('m1', 1, 0, [2, 3], true).commit('m1', 1, 0, 4);
      assertCaught(check(log), 'I5', /committed 4 after its revoke/);
    });

    it('tells a revoked subscriber’s late lines from the new subscriber’s when the partition comes back to the member', () => {
      const log = new Log().produce(0, 6).subscribe('m1', 1, 0, 1).assign('m1', 1, 0);
      log.deliver('m1', 1, 0, range(0, 3), undefined, 1).ack('m1', 1, 0, [0, 1], false, 1).abort('m1', 1, 0).commit('m1', 1, 0, 2).revoke('m1', 1, 0);
      log.subscribe('m1', 2, 0, 2).assign('m1', 2, 0).deliver('m1', 2, 0, [2, 3], undefined, 2);
      // The old subscriber acks 2..3 late: they are not the new subscription's acks, so a commit of 4 is beyond its prefix.
      log.ack('m1', 2, 0, [2, 3], true, 1).commit('m1', 2, 0, 4);
      log.deliver('m1', 2, 0, [4, 5], undefined, 1);
      const report = check(log);
      assertCaught(report, 'I3', /committed 4 beyond the acked prefix 2/);
      assertCaught(report, 'I5', /delivered offsets 4..5 \(2\) to subscriber call 1, which served an earlier assignment/);
      assert.equal(report.stats.acksAfterRevoke, 1);
    });

    it('catches a delivery of a partition never assigned', () => {
      const log = new Log().produce(0, 2).assign('m1', 1, 1).deliver('m1', 1, 0, [0, 1]);
      assertCaught(check(log), 'I5', /without owning it/);
    });
  });

  describe('I7 exclusive ownership across generations and epochs', () => {
    it('catches a partition assigned to a second member before the first revoked it', () => {
      const log = new Log().produce(0, 4).assign('m1', 3, 0).deliver('m1', 3, 0, [0, 1]).ack('m1', 3, 0, [0, 1]);
      // m2 is assigned at epoch 5 while m1 still owns the partition; m1 revokes cleanly only afterwards.
      log.assign('m2', 5, 0).commit('m1', 4, 0, 2).revoke('m1', 4, 0);
      log.deliver('m2', 5, 0, [2, 3]).ack('m2', 5, 0, [2, 3]).commit('m2', 5, 0, 4).stopped('m2');
      const report = check(log);
      assertCaught(report, 'I7', /assigned in generation 5 while m1 owned it since generation 3 until its revoke/);
      // Assigned before the commit, m2 also expected to start where nothing was committed yet.
      assertOnly(report, 'I7', 'I6');
    });

    it('catches an overlap with an owner that never lets go', () => {
      const log = new Log().produce(0, 2).assign('m1', 1, 0).assign('m2', 2, 0).deliver('m2', 2, 0, [0, 1]).ack('m2', 2, 0, [0, 1]);
      assertCaught(check(log), 'I7', /still owns it at the end of the logs/);
    });

    it('counts, without failing, an overlap with an owner that was then found lost or killed', () => {
      const log = new Log().produce(0, 4).produce(1, 2).assign('m1', 1, 0, 1).deliver('m1', 1, 0, [0, 1]).ack('m1', 1, 0, [0, 1]).commit('m1', 1, 0, 2);
      // The coordinator gave both partitions away (m1 missed its session): m1 learns it later.
      log.assign('m2', 2, 0, 1).lost('m1', 1, 0).killed('m1');
      log.deliver('m2', 2, 0, [2, 3]).ack('m2', 2, 0, [2, 3]).deliver('m2', 2, 1, [0, 1]).ack('m2', 2, 1, [0, 1]).commit('m2', 2, 0, 4).commit('m2', 2, 1, 2).stopped('m2');
      const report = check(log);
      assert.deepEqual(report.violations, [], formatViolations(report));
      assert.equal(report.stats.faultOverlaps, 2);
    });

    it('accepts the same member keeping a partition as its epoch moves on', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, [0, 1]).assign('m1', 2, 0).deliver('m1', 2, 0, [2, 3]).ack('m1', 2, 0, range(0, 3)).commit('m1', 2, 0, 4).stopped('m1');
      const report = check(log);
      assert.deepEqual(report.violations, [], formatViolations(report));
    });
  });

  describe('I6 the new owner starts at the commit', () => {
    it('catches a new owner starting above the commit', () => {
      const log = new Log().produce(0, 8).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 3)).ack('m1', 1, 0, range(0, 3)).commit('m1', 1, 0, 4).revoke('m1', 1, 0);
      log.assign('m2', 2, 0).deliver('m2', 2, 0, range(6, 7)).ack('m2', 2, 0, [6, 7]);
      const report = check(log);
      assertCaught(report, 'I6', /new owner started at 6; the last commit was 4/);
    });

    it('catches a first owner that does not start at the log start', () => {
      const log = new Log().produce(0, 4).assign('m1', 1, 0).deliver('m1', 1, 0, [2, 3]);
      assertCaught(check(log), 'I6', /new owner started at 2; the log start was 0/);
    });

    it('catches a start past the killed owner’s acked prefix', () => {
      const log = new Log().produce(0, 10).assign('m1', 1, 0).deliver('m1', 1, 0, range(0, 7)).ack('m1', 1, 0, range(0, 5)).commit('m1', 1, 0, 3).killed('m1');
      log.assign('m2', 2, 0).deliver('m2', 2, 0, range(7, 9));
      assertCaught(check(log), 'I6', /new owner started at 7; the last commit was 3 \(or up to 6, the killed owner's acked prefix\)/);
    });
  });
});
