// What every Node.js bench runner shares (see PROTOCOL.md): argument parsing, the value "touch",
// the wall clock in microseconds, the latency stamp parser and the READY/RESULT protocol.
import { parseArgs } from 'node:util';

/**
 * Parses the runner's command line.
 * @returns {{ brokers: string, topic: string, group: string, scenario: 'drain'|'latency'|'slow'|'stalled', count: number, maxMs: number, valueSize: number, extra: Record<string, string|boolean|undefined> }}
 */
export function runnerArgs(extraOptions = {}) {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: '127.0.0.1:19092' },
      topic: { type: 'string' },
      group: { type: 'string' },
      scenario: { type: 'string', default: 'drain' },
      count: { type: 'string', default: String(Number.MAX_SAFE_INTEGER) },
      'max-ms': { type: 'string', default: '60000' },
      'value-size': { type: 'string', default: '100' },
      ...extraOptions,
    },
    strict: true,
  });
  if (!values.topic) fail('--topic is required');
  const scenario = values.scenario;
  if (!['drain', 'latency', 'slow', 'stalled'].includes(scenario)) fail(`unknown --scenario ${scenario}`);
  return {
    brokers: values.brokers,
    topic: values.topic,
    group: values.group ?? `bench-${process.pid}-${Date.now()}`,
    scenario,
    count: Number(values.count),
    maxMs: Number(values['max-ms']),
    valueSize: Number(values['value-size']),
    extra: values,
  };
}

/** Prints a message and exits non-zero. */
export function fail(message) {
  process.stderr.write(`runner: ${message}\n`);
  process.exit(2);
}

/** Wall clock in microseconds since the epoch, sub-millisecond resolution. */
export function nowUs() {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Milliseconds on a monotonic clock. */
export function nowMs() {
  return performance.now();
}

/** Parses the 16 ASCII digits a latency value starts with (producer's send time, µs). */
export function stampUs(value) {
  let us = 0;
  for (let i = 0; i < 16; i++) us = us * 10 + (value[i] - 48);
  return us;
}

/**
 * Counts handled records, touches every value, tracks first/last times and (latency scenario)
 * per-record latencies; decides when the run is over.
 */
export class Tally {
  constructor(args) {
    this.args = args;
    this.records = 0;
    this.bytes = 0;
    this.checksum = 0;
    this.startMs = nowMs();
    this.firstMs = -1;
    this.lastMs = -1;
    this.latencies = args.scenario === 'latency' ? [] : undefined;
    this.done = false;
    this.onDone = undefined;
  }

  /** Marks the start of consumer set-up (defaults to construction time). */
  start() {
    this.startMs = nowMs();
  }

  /** Handles one value (Buffer/Uint8Array). Returns true once the run is over. */
  touch(value) {
    if (this.done) return true;
    // No clock read per record (it cost ~4 % of a 100 B drain): the last record's time is taken
    // when the run ends, which is when the last counted record was handled or the deadline fired.
    if (this.firstMs < 0) {
      this.firstMs = nowMs();
      if (this.args.scenario === 'drain') this.#armDeadline(this.args.maxMs);
    }
    if (this.latencies) this.latencies.push(nowUs() - stampUs(value));
    this.checksum = (this.checksum + value[0] + value[value.length - 1] + value.length) | 0;
    this.bytes += value.length;
    this.records++;
    if (this.records >= this.args.count) this.finish();
    return this.done;
  }

  /** Signals readiness; for latency/slow/stalled the deadline runs from here. */
  ready() {
    process.stdout.write('READY\n');
    if (this.args.scenario !== 'drain') this.#armDeadline(this.args.maxMs);
  }

  #armDeadline(ms) {
    if (this.deadline) return;
    this.deadline = setTimeout(() => this.finish(), ms);
  }

  /** Fields a wrapper runner adds to RESULT (e.g. its child's peakRssKb / cpuMs). */
  extraResult() {
    return {};
  }

  /** Reports RESULT once, then idles until SIGTERM. */
  finish() {
    if (this.done) return;
    this.done = true;
    this.lastMs = nowMs();
    if (this.deadline) clearTimeout(this.deadline);
    const result = {
      records: this.records,
      bytes: this.bytes,
      checksum: this.checksum,
      startToFirstMs: this.firstMs < 0 ? null : this.firstMs - this.startMs,
      firstToLastMs: this.firstMs < 0 ? null : this.lastMs - this.firstMs,
    };
    if (this.latencies) result.latenciesUs = this.latencies;
    Object.assign(result, this.extraResult());
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    this.onDone?.();
    // Stay alive until the harness has read /proc, then it sends SIGTERM.
    setInterval(() => {}, 1 << 30);
  }
}

process.on('SIGTERM', () => process.exit(0));
