// The chaos suite's independent checker. Plain Node, imports nothing from src/: it judges the client
// only from what the processes wrote down and what the brokers hold.
//
// Inputs (one scenario folder, or the same lines passed to checkScenario):
//   producer.log   A <p> <offset> <seq> <ms>   acknowledged send (offset -1: the broker called it a duplicate)
//                  F <seq> <ms> <code>          failed send (never acknowledged: may or may not be in the log)
//   member-*.log   S <p> <ms> <session>         a subscriber session started on partition p
//                  D <p> <offset> <seq> <ms> <session>  a record delivered (logged before it was acked)
//                  C <p> <offset> <ms>          a commit of next-offset `offset` acknowledged by the broker
//   java.log       D <p> <offset> <seq> <ms>    the Java consumer's deliveries, stamped on arrival
//   log.txt        <p> <offset> <seq>           the whole topic as the brokers hold it (read after the run)
//   committed.txt  <p> <committed|-> <logEnd>   the group's final committed offsets
//   events.log     <ms> <R|-> <label>           faults; R marks the moments recovery is measured from
//
// Verdicts: lost (acked, never delivered to the group), missing from the log (acked, not in the
// log), ack mismatch (acked at an offset holding another record), producer duplicates (a sequence
// number twice in the log), order violations (the log out of send order in a partition, or a
// session delivering an offset not above the one before), consumer duplicates (delivered again:
// explained when no acknowledged commit covered the record at that moment, unexplained otherwise),
// I1 (a commit acknowledged before every record below it was delivered), recovery per fault (the
// time from the fault to the first delivery, on each partition, of a record newer than the fault;
// the same for the Java consumer, and for the producer's acknowledgements).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Splits lines into fields, dropping blanks. */
function fields(lines) {
  return lines.map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/));
}

/** Max acked offset of partition p acknowledged at or before time t. */
function maxAckedBefore(acksByPartition, p, t) {
  let max = -1;
  for (const a of acksByPartition.get(p) ?? []) if (a.t <= t && a.offset > max) max = a.offset;
  return max;
}

/**
 * Recovery after each R event: per partition with records acked after the event, the time from
 * the event to the first delivery of a record newer than every record acked before the event.
 * Returns one entry per event: worst time, its partition, and partitions never consumed again.
 */
function recoveries(events, deliveries, acksByPartition) {
  const byPartition = new Map();
  for (const d of deliveries) {
    if (!byPartition.has(d.p)) byPartition.set(d.p, []);
    byPartition.get(d.p).push(d);
  }
  return events
    .filter((e) => e.recovery)
    .map((e) => {
      let worstMs = 0;
      let worstPartition = null;
      const unrecovered = [];
      for (const [p, acks] of acksByPartition) {
        const baseline = maxAckedBefore(acksByPartition, p, e.t);
        if (!acks.some((a) => a.offset > baseline)) continue; // nothing newer was produced there
        let first = Infinity;
        for (const d of byPartition.get(p) ?? []) if (d.t > e.t && d.offset > baseline && d.t < first) first = d.t;
        if (first === Infinity) {
          unrecovered.push(p);
          continue;
        }
        if (first - e.t > worstMs) {
          worstMs = first - e.t;
          worstPartition = p;
        }
      }
      return { label: e.label, t: e.t, worstMs, worstPartition, unrecovered };
    });
}

/**
 * Checks one scenario. Every argument is an array of log lines; `members` maps a member name to its
 * lines. Returns the figures and the violations found (`ok` is false on any failing verdict).
 */
export function checkScenario({ producer = [], members = {}, java = [], log = [], committed = [], events = [] }) {
  // What the producer was told.
  const acks = [];
  let failedSends = 0;
  for (const f of fields(producer)) {
    if (f[0] === 'A') acks.push({ p: Number(f[1]), offset: Number(f[2]), seq: f[3], t: Number(f[4]) });
    else if (f[0] === 'F') failedSends++;
  }
  const acksByPartition = new Map();
  for (const a of acks) {
    if (!acksByPartition.has(a.p)) acksByPartition.set(a.p, []);
    acksByPartition.get(a.p).push(a);
  }

  // What the brokers hold.
  const logAt = new Map(); // "p:offset" -> seq
  const logSeqCount = new Map();
  const logByPartition = new Map();
  for (const f of fields(log)) {
    const p = Number(f[0]);
    const offset = Number(f[1]);
    logAt.set(`${p}:${offset}`, f[2]);
    logSeqCount.set(f[2], (logSeqCount.get(f[2]) ?? 0) + 1);
    if (!logByPartition.has(p)) logByPartition.set(p, []);
    logByPartition.get(p).push({ offset, seq: f[2] });
  }
  const haveLog = logAt.size > 0;

  // What the group delivered and committed.
  const deliveries = [];
  const commits = [];
  const orderViolations = [];
  let skips = 0;
  for (const [member, lines] of Object.entries(members)) {
    const lastInSession = new Map(); // "p:session" -> last offset
    for (const f of fields(lines)) {
      if (f[0] === 'D') {
        const d = { member, p: Number(f[1]), offset: Number(f[2]), seq: f[3], t: Number(f[4]), session: f[5] ?? '0' };
        deliveries.push(d);
        const key = `${d.p}:${d.session}`;
        const prev = lastInSession.get(key);
        if (prev !== undefined && d.offset <= prev) orderViolations.push({ kind: 'delivery', member, p: d.p, prev, offset: d.offset, t: d.t });
        else if (prev !== undefined && d.offset > prev + 1) skips++;
        lastInSession.set(key, d.offset);
      } else if (f[0] === 'C') {
        commits.push({ member, p: Number(f[1]), offset: Number(f[2]), t: Number(f[3]) });
      }
    }
  }
  const deliveredSeqs = new Set(deliveries.map((d) => d.seq));

  // Lost, missing from the log, acked at the wrong offset.
  const lost = acks.filter((a) => !deliveredSeqs.has(a.seq));
  const missingFromLog = haveLog ? acks.filter((a) => !logSeqCount.has(a.seq)) : [];
  const ackMismatch = haveLog ? acks.filter((a) => a.offset >= 0 && logAt.has(`${a.p}:${a.offset}`) && logAt.get(`${a.p}:${a.offset}`) !== a.seq) : [];

  // Producer duplicates and the log's order against the send order (sequence numbers rise per partition).
  const producerDuplicates = [...logSeqCount].filter(([, n]) => n > 1).map(([seq, n]) => ({ seq, copies: n }));
  for (const [p, records] of logByPartition) {
    records.sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < records.length; i++) {
      if (Number(records[i].seq) <= Number(records[i - 1].seq)) {
        orderViolations.push({ kind: 'log', p, prev: records[i - 1].offset, offset: records[i].offset });
      }
    }
  }

  // Consumer duplicates, in time order: each later delivery of an offset is explained only if no
  // acknowledged commit covered it (commit offset > record offset) when it was delivered again.
  const commitsByPartition = new Map();
  for (const c of [...commits].sort((a, b) => a.t - b.t)) {
    if (!commitsByPartition.has(c.p)) commitsByPartition.set(c.p, []);
    commitsByPartition.get(c.p).push(c);
  }
  const maxCommittedAt = (p, t) => {
    let max = -1;
    for (const c of commitsByPartition.get(p) ?? []) {
      if (c.t > t) break;
      if (c.offset > max) max = c.offset;
    }
    return max;
  };
  const seen = new Set();
  let duplicates = 0;
  const unexplainedDuplicates = [];
  for (const d of [...deliveries].sort((a, b) => a.t - b.t)) {
    const key = `${d.p}:${d.offset}`;
    if (!seen.has(key)) {
      seen.add(key);
      continue;
    }
    duplicates++;
    const committedThen = maxCommittedAt(d.p, d.t);
    if (committedThen > d.offset) unexplainedDuplicates.push({ ...d, committedThen });
  }

  // I1: at each acknowledged commit of offset c, every offset below c had been delivered.
  const firstDelivery = new Map(); // "p:offset" -> earliest time
  for (const d of deliveries) {
    const key = `${d.p}:${d.offset}`;
    const t = firstDelivery.get(key);
    if (t === undefined || d.t < t) firstDelivery.set(key, d.t);
  }
  const readyAtByPartition = new Map(); // p -> array: time by which offsets 0..k were all delivered
  const readyAt = (p, k) => {
    if (!readyAtByPartition.has(p)) readyAtByPartition.set(p, []);
    const arr = readyAtByPartition.get(p);
    for (let i = arr.length; i <= k; i++) {
      const t = firstDelivery.get(`${p}:${i}`) ?? Infinity;
      arr.push(Math.max(i === 0 ? -Infinity : arr[i - 1], t));
    }
    return arr[k];
  };
  const i1Violations = commits.filter((c) => c.offset > 0 && readyAt(c.p, c.offset - 1) > c.t);

  // Final committed offsets against the log end.
  const finalBehind = [];
  const finalAhead = [];
  for (const f of fields(committed)) {
    const p = Number(f[0]);
    const c = f[1] === '-' ? null : Number(f[1]);
    const end = Number(f[2]);
    if (c === null ? end > 0 : c < end) finalBehind.push({ p, committed: c, logEnd: end });
    if (c !== null && c > end) finalAhead.push({ p, committed: c, logEnd: end });
  }

  const eventList = fields(events).map((f) => ({ t: Number(f[0]), recovery: f[1] === 'R', label: f.slice(2).join(' ') }));
  const javaDeliveries = fields(java)
    .filter((f) => f[0] === 'D')
    .map((f) => ({ p: Number(f[1]), offset: Number(f[2]), seq: f[3], t: Number(f[4]) }));
  const javaSeqs = new Set(javaDeliveries.map((d) => d.seq));
  const recovery = recoveries(eventList, deliveries, acksByPartition);
  const javaRecovery = recoveries(eventList, javaDeliveries, acksByPartition);
  // The producer's own recovery (first acknowledgement of a newer record): a consumer cannot see a
  // record before it is written, so this is the floor under both consumers' figures.
  const producerRecovery = recoveries(eventList, acks, acksByPartition);
  const worst = (list) => list.reduce((m, r) => Math.max(m, r.unrecovered.length > 0 ? Infinity : r.worstMs), 0);

  const result = {
    produced: acks.length,
    failedSends,
    consumed: seen.size,
    logRecords: logAt.size,
    deliveries: deliveries.length,
    lost: lost.length,
    missingFromLog: missingFromLog.length,
    ackMismatch: ackMismatch.length,
    producerDuplicates: producerDuplicates.length,
    orderViolations: orderViolations.length,
    skips,
    duplicates,
    unexplainedDuplicates: unexplainedDuplicates.length,
    i1Violations: i1Violations.length,
    finalBehind,
    finalAhead,
    recovery,
    javaRecovery,
    producerRecovery,
    maxRecoveryMs: worst(recovery),
    producerMaxRecoveryMs: worst(producerRecovery),
    javaMaxRecoveryMs: javaRecovery.length > 0 && javaDeliveries.length > 0 ? worst(javaRecovery) : null,
    javaLost: javaDeliveries.length > 0 ? acks.filter((a) => !javaSeqs.has(a.seq)).length : null,
    samples: {
      lost: lost.slice(0, 5),
      missingFromLog: missingFromLog.slice(0, 5),
      ackMismatch: ackMismatch.slice(0, 5),
      producerDuplicates: producerDuplicates.slice(0, 5),
      orderViolations: orderViolations.slice(0, 5),
      unexplainedDuplicates: unexplainedDuplicates.slice(0, 5),
      i1Violations: i1Violations.slice(0, 5),
    },
  };
  result.ok =
    result.lost === 0 &&
    result.missingFromLog === 0 &&
    result.ackMismatch === 0 &&
    result.producerDuplicates === 0 &&
    result.orderViolations === 0 &&
    result.unexplainedDuplicates === 0 &&
    result.i1Violations === 0 &&
    finalAhead.length === 0;
  return result;
}

/** Reads a scenario folder written by the chaos runner and checks it. */
export function checkFolder(dir) {
  const read = (name) => {
    try {
      return readFileSync(join(dir, name), 'utf8').split('\n');
    } catch {
      return [];
    }
  };
  const members = {};
  for (const name of readdirSync(dir)) {
    const m = /^member-(.+)\.log$/.exec(name);
    if (m) members[m[1]] = read(name);
  }
  return checkScenario({
    producer: read('producer.log'),
    members,
    java: read('java.log'),
    log: read('log.txt'),
    committed: read('committed.txt'),
    events: read('events.log'),
  });
}

// `node scripts/chaos/check.mjs <scenario folder>`: prints the verdict as JSON, exits 1 on a failure.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/chaos/check.mjs <scenario folder>');
    process.exit(2);
  }
  const result = checkFolder(dir);
  console.log(JSON.stringify(result, (_k, v) => (v === Infinity ? 'Infinity' : v), 2));
  process.exit(result.ok ? 0 : 1);
}
