// Bench runner (PROTOCOL.md) around kcat (Debian's package: kcat 1.7.1 on librdkafka 2.0.2), the
// command-line face of librdkafka. kcat runs as a balanced consumer-group member (-G: subscribe, as the
// protocol asks of runners not named *-standalone) with earliest reset and librdkafka's defaults
// otherwise (auto-commit every 5 s). The PID line makes the harness measure kcat, not this wrapper.
//
// drain: kcat writes every value (plus a newline) to /dev/null and exits after --count records (-c)
//   or at the end of every partition (-e). Reading the values through a pipe instead slowed kcat down:
//   500k × 100 B after assignment, /dev/null 0.6-1.0 s vs. a Node reader 1.3-2.3 s (its CPU also
//   competes on a 2-core box) and even `wc -lc` ~1.0 s. So this wrapper sees no records; it times from
//   kcat's stderr: startToFirstMs = spawn → "rebalanced … assigned", firstToLastMs = assigned → the
//   "revoked" line kcat prints when it closes after the last record (the assignment is the split point,
//   so the first fetch round trip counts in firstToLastMs). records = --count when kcat stopped on -c,
//   else the sum of the end offsets it reports (the bench topics start at offset 0); bytes = records ×
//   --value-size (derived, not measured); checksum 0. kcat cannot stop at --max-ms after the first
//   record: it reads the whole topic (the run fails only past assignment + --max-ms + 100 s).
// latency / slow / stalled: kcat writes each record as a 4-byte length and the value (-f '%R%s',
//   unbuffered -u) into a pipe; this wrapper touches each value there and, for latency, stamps its
//   arrival (the pipe adds a few µs to each latency). slow: one record per 1 ms timer. stalled: the
//   wrapper stops reading at the first record, so kcat blocks on the full pipe: a stalled handler,
//   while librdkafka keeps prefetching into its local queue.
// Memory and CPU: kcat exits before RESULT in drain, so /proc/<pid> is sampled every 50 ms and RESULT
// carries peakRssKb and cpuMs (CPU exact from this process's cutime+cstime once kcat was reaped).
import { spawn, execFileSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcSampler } from './proc-stats.mjs';
import { runnerArgs, Tally, fail, nowMs } from './runner-kit.mjs';

const args = runnerArgs();
try {
  execFileSync('kcat', ['-V'], { stdio: 'ignore' });
} catch {
  fail('kcat: not found (Debian: apt-get install -y kcat)');
}

const drain = args.scenario === 'drain';
const kcatArgs = ['-b', args.brokers, '-G', args.group, '-X', 'auto.offset.reset=earliest'];
if (drain) {
  kcatArgs.push('-e');
  if (args.count < Number.MAX_SAFE_INTEGER) kcatArgs.push('-c', String(args.count));
} else {
  kcatArgs.push('-u', '-f', '%R%s');
}
kcatArgs.push(args.topic);

// Piped scenarios: the Tally's RESULT plus kcat's sampled memory and CPU (kcat is still alive here,
// so a fresh sample is taken first).
class KcatTally extends Tally {
  /** kcat is the measured process: its peak RSS and CPU at the moment of the report. */
  extraResult() {
    sampler.sample();
    return { peakRssKb: sampler.peakRssKb, cpuMs: sampler.cpuMs };
  }
}

const tally = new KcatTally(args);
tally.start();
const spawnMs = nowMs();
const child = spawn('kcat', kcatArgs, { stdio: ['ignore', drain ? openSync('/dev/null', 'w') : 'pipe', 'pipe'] });
process.on('exit', () => child.kill('SIGKILL'));
process.stdout.write(`PID ${child.pid}\n`);
const sampler = new ProcSampler(child.pid);
child.on('error', (error) => fail(`kcat: cannot start: ${error.message}`));

// kcat's stderr: assignment (READY), end-of-partition offsets and the revoke at close. Passed on.
let assignedMs = -1;
let revokedMs = -1;
let endedAtEof = false;
const endOffsets = new Map();
let partial = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (chunk) => {
  process.stderr.write(chunk);
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    if (assignedMs < 0 && / rebalanced .*: assigned: /.test(line)) {
      assignedMs = nowMs();
      onAssigned();
    } else if (revokedMs < 0 && / rebalanced .*: revoked: /.test(line)) {
      revokedMs = nowMs();
    }
    const eof = /^% Reached end of topic .* \[(\d+)\] at offset (\d+)(: exiting)?/.exec(line);
    if (eof) {
      endOffsets.set(eof[1], Number(eof[2]));
      if (eof[3]) endedAtEof = true;
    }
  }
});

let deadline;
function onAssigned() {
  if (!drain) {
    tally.ready();
    return;
  }
  process.stdout.write('READY\n');
  // kcat cannot stop after --max-ms (its output goes to /dev/null, so nothing counts records as they
  // pass): it drains the whole topic, and its rate is over all of it. The cap only catches a hang.
  const capMs = args.maxMs + 100_000;
  deadline = setTimeout(() => fail(`kcat: drain not done ${capMs} ms after assignment`), capMs);
}

child.on('exit', (code, signal) => {
  sampler.stopAfterExit();
  if (drain) {
    clearTimeout(deadline);
    if (code !== 0) fail(`kcat exited with ${signal ?? code}`);
    reportDrain(nowMs());
  } else if (!tally.done) {
    fail(`kcat exited with ${signal ?? code} before the run was over`);
  }
});

function reportDrain(exitMs) {
  if (assignedMs < 0) fail('kcat: exited without an assignment');
  const endMs = revokedMs >= 0 ? revokedMs : exitMs;
  const records = endedAtEof ? [...endOffsets.values()].reduce((a, b) => a + b, 0) : args.count;
  const result = {
    records,
    bytes: records * args.valueSize,
    checksum: 0,
    startToFirstMs: assignedMs - spawnMs,
    firstToLastMs: endMs - assignedMs,
    peakRssKb: sampler.peakRssKb,
    cpuMs: sampler.cpuMs,
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  setInterval(() => {}, 1 << 30);
}


const never = new Promise(() => {});

/** Reads length-prefixed values from kcat's stdout; awaiting in here stops reading the pipe. */
async function readPipe() {
  let pending = Buffer.alloc(0);
  for await (const chunk of child.stdout) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const length = Math.max(0, pending.readInt32BE(at)); // -1: null value, none in the bench topics
      if (pending.length - at - 4 < length) break;
      const value = pending.subarray(at + 4, at + 4 + length);
      at += 4 + length;
      if (args.scenario === 'stalled') await never;
      if (args.scenario === 'slow') await sleep(1);
      if (tally.touch(value)) await never; // done: leave kcat blocked on the pipe until SIGTERM
    }
    pending = pending.subarray(at);
  }
}

if (!drain) readPipe().catch((error) => fail(`kcat: reading its output failed: ${error.message}`));
