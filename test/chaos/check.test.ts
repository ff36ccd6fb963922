/**
 * The chaos checker (scripts/chaos/check.mjs) on small hand-made logs: a clean run passes, and
 * each violation it exists to catch is caught, counted and fails the verdict.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { checkScenario, type ScenarioLogs } from '../../scripts/chaos/check.mjs';

/**
 * A clean run: 4 records on partition 0 (seq 0..3, offsets 0..3) and 2 on partition 1 (seq 4, 5),
 * acked at t=100..105, delivered by member a at t=200.., committed at t=300, all in the log.
 */
function clean(): Required<ScenarioLogs> {
  return {
    producer: ['A 0 0 0 100', 'A 0 1 1 101', 'A 0 2 2 102', 'A 0 3 3 103', 'A 1 0 4 104', 'A 1 1 5 105', 'X 400 6 6 0'],
    members: {
      a: ['S 0 150 1', 'S 1 150 2', 'D 0 0 0 200 1', 'D 0 1 1 200 1', 'D 0 2 2 201 1', 'D 0 3 3 201 1', 'D 1 0 4 202 2', 'D 1 1 5 202 2', 'C 0 4 300', 'C 1 2 300'],
    },
    java: ['D 0 0 0 210', 'D 0 1 1 210', 'D 0 2 2 211', 'D 0 3 3 211', 'D 1 0 4 212', 'D 1 1 5 212'],
    log: ['0 0 0', '0 1 1', '0 2 2', '0 3 3', '1 0 4', '1 1 5'],
    committed: ['0 4 4', '1 2 2'],
    events: ['50 R SIGKILL node 1'],
  };
}

test('a clean run passes with every count zero', () => {
  const v = checkScenario(clean());
  assert.equal(v.ok, true);
  assert.equal(v.produced, 6);
  assert.equal(v.consumed, 6);
  assert.equal(v.logRecords, 6);
  for (const k of ['lost', 'missingFromLog', 'ackMismatch', 'producerDuplicates', 'orderViolations', 'duplicates', 'unexplainedDuplicates', 'i1Violations'] as const) {
    assert.equal(v[k], 0, k);
  }
  assert.deepEqual(v.finalBehind, []);
});

test('an acknowledged record never delivered is lost', () => {
  const logs = clean();
  logs.members.a = logs.members.a!.filter((l) => l !== 'D 0 2 2 201 1');
  const v = checkScenario(logs);
  assert.equal(v.lost, 1);
  assert.deepEqual(v.samples.lost, [{ p: 0, offset: 2, seq: '2', t: 102 }]);
  assert.equal(v.ok, false);
});

test('an acknowledged record missing from the log, or acked at an offset holding another, fails', () => {
  const missing = clean();
  missing.log = missing.log.filter((l) => l !== '1 1 5');
  const v1 = checkScenario(missing);
  assert.equal(v1.missingFromLog, 1);
  assert.equal(v1.ok, false);

  const mismatch = clean();
  mismatch.producer[5] = 'A 1 0 5 105'; // seq 5 claimed at offset 0, which holds seq 4
  const v2 = checkScenario(mismatch);
  assert.equal(v2.ackMismatch, 1);
  assert.equal(v2.ok, false);
});

test('a sequence number twice in the log is a producer duplicate', () => {
  const logs = clean();
  logs.log.push('0 4 3'); // seq 3 written again after itself
  const v = checkScenario(logs);
  assert.equal(v.producerDuplicates, 1);
  assert.equal(v.ok, false);
});

test('a partition log out of send order is an order violation', () => {
  const logs = clean();
  logs.log = ['0 0 0', '0 1 2', '0 2 1', '0 3 3', '1 0 4', '1 1 5'];
  const v = checkScenario(logs);
  assert.equal(v.orderViolations, 1);
  assert.equal(v.ok, false);
});

test('a session delivering an offset not above the previous one is an order violation', () => {
  const logs = clean();
  logs.members.a = ['S 0 150 1', 'D 0 0 0 200 1', 'D 0 2 2 200 1', 'D 0 1 1 201 1', 'D 0 3 3 201 1', 'S 1 150 2', 'D 1 0 4 202 2', 'D 1 1 5 202 2', 'C 0 4 300', 'C 1 2 300'];
  const v = checkScenario(logs);
  assert.equal(v.orderViolations, 1);
  assert.deepEqual(v.samples.orderViolations, [{ kind: 'delivery', member: 'a', p: 0, prev: 2, offset: 1, t: 201 }]);
  assert.equal(v.ok, false);
});

test('a new session may start again below the last delivery: a re-delivery of uncommitted records is an explained duplicate', () => {
  const logs = clean();
  // Member a had 0..3 of partition 0 delivered, none committed; member b took the partition over
  // (a rebalance) and got 2..3 again from the committed offset 2 — committed after they were delivered.
  logs.members.a = ['S 0 150 1', 'D 0 0 0 200 1', 'D 0 1 1 200 1', 'D 0 2 2 201 1', 'D 0 3 3 201 1', 'C 0 2 210', 'S 1 150 2', 'D 1 0 4 202 2', 'D 1 1 5 202 2', 'C 1 2 300'];
  logs.members.b = ['S 0 250 1', 'D 0 2 2 260 1', 'D 0 3 3 260 1', 'C 0 4 300'];
  const v = checkScenario(logs);
  assert.equal(v.duplicates, 2);
  assert.equal(v.unexplainedDuplicates, 0);
  assert.equal(v.orderViolations, 0);
  assert.equal(v.ok, true);
});

test('re-delivering a record an acknowledged commit had covered is an unexplained duplicate', () => {
  const logs = clean();
  // Commit 4 on partition 0 acknowledged at 300, then offsets 1..3 delivered again at 350.
  logs.members.b = ['S 0 340 1', 'D 0 1 1 350 1', 'D 0 2 2 350 1', 'D 0 3 3 350 1'];
  const v = checkScenario(logs);
  assert.equal(v.duplicates, 3);
  assert.equal(v.unexplainedDuplicates, 3);
  assert.equal(v.ok, false);
});

test('a commit acknowledged before the records below it were delivered violates I1', () => {
  const logs = clean();
  logs.members.a = ['S 0 150 1', 'D 0 0 0 200 1', 'D 0 1 1 200 1', 'C 0 4 205', 'D 0 2 2 210 1', 'D 0 3 3 210 1', 'S 1 150 2', 'D 1 0 4 202 2', 'D 1 1 5 202 2', 'C 1 2 300'];
  const v = checkScenario(logs);
  assert.equal(v.i1Violations, 1);
  assert.deepEqual(v.samples.i1Violations, [{ member: 'a', p: 0, offset: 4, t: 205 }]);
  assert.equal(v.ok, false);
});

test('a commit of an offset never delivered at all violates I1', () => {
  const logs = clean();
  logs.members.a = [...logs.members.a!, 'C 1 3 400'];
  const v = checkScenario(logs);
  assert.equal(v.i1Violations, 1);
});

test('a final commit behind the log end is reported; one ahead of it fails', () => {
  const behind = clean();
  behind.committed = ['0 3 4', '1 - 2'];
  const v1 = checkScenario(behind);
  assert.deepEqual(v1.finalBehind, [{ p: 0, committed: 3, logEnd: 4 }, { p: 1, committed: null, logEnd: 2 }]);
  assert.equal(v1.ok, true);

  const ahead = clean();
  ahead.committed = ['0 5 4', '1 2 2'];
  const v2 = checkScenario(ahead);
  assert.deepEqual(v2.finalAhead, [{ p: 0, committed: 5, logEnd: 4 }]);
  assert.equal(v2.ok, false);
});

test('recovery: from each marked event to the first delivery of a record produced after it, worst partition; the same for Java', () => {
  const logs: ScenarioLogs = {
    // Partition 0: acked 0 at 100, 1 at 1000, 2 at 1100. Partition 1: 3 at 100, 4 at 1050.
    producer: ['A 0 0 0 100', 'A 1 0 3 100', 'A 0 1 1 1000', 'A 1 1 4 1050', 'A 0 2 2 1100'],
    members: {
      // Offset 0 of partition 0 is delivered late (at 600, after the fault): old data, not recovery.
      a: ['S 0 50 1', 'D 0 0 0 600 1', 'D 0 1 1 1500 1', 'D 0 2 2 1600 1', 'S 1 50 2', 'D 1 0 3 150 2', 'D 1 1 4 2500 2'],
    },
    java: ['D 0 0 0 150', 'D 1 0 3 150', 'D 0 1 1 1200', 'D 1 1 4 1300', 'D 0 2 2 1300'],
    events: ['500 R SIGKILL node 2', '550 - not measured'],
  };
  const v = checkScenario(logs);
  assert.equal(v.recovery.length, 1);
  assert.equal(v.recovery[0]!.worstMs, 2000); // partition 1: 2500 - 500
  assert.equal(v.recovery[0]!.worstPartition, 1);
  assert.equal(v.maxRecoveryMs, 2000);
  assert.equal(v.javaMaxRecoveryMs, 800); // partition 1: 1300 - 500
  assert.equal(v.producerMaxRecoveryMs, 550); // partition 1: first newer ack at 1050
  assert.equal(v.producerRecovery[0]!.worstPartition, 1);
});

test('a partition produced to after a fault but never consumed again is unrecovered', () => {
  const logs: ScenarioLogs = {
    producer: ['A 0 0 0 100', 'A 0 1 1 1000'],
    members: { a: ['S 0 50 1', 'D 0 0 0 150 1'] },
    events: ['500 R SIGSTOP node 3'],
  };
  const v = checkScenario(logs);
  assert.deepEqual(v.recovery[0]!.unrecovered, [0]);
  assert.equal(v.maxRecoveryMs, Infinity);
  assert.equal(v.lost, 1);
});
