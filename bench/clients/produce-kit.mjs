// What every Node.js producer runner shares (PROTOCOL.md, "Producer scenarios"): the command line,
// the two sending loops and the READY/RESULT protocol. A runner only says how its client connects
// and how it hands over records:
//   client.connect()          resolves once the client can send to --topic (metadata known where it can)
//   client.send(n, done)      hands n records of the run's value to the client; calls done(error|null)
//                             once, when all n are acknowledged (or failed)
//   client.grouped            true for a client without an accumulator of its own (KafkaJS,
//                             @platformatic/kafka; each call is a Produce request): in `produce` it
//                             gets --group-records records per call, as its docs show (an array of
//                             messages per send), in `produce-latency` the records due at each tick
//                             in one call; a client with an accumulator gets one record per call
// The loops:
//   produce          --count records as fast as the client takes them, at most --window records
//                    unacknowledged (resumes at half: one wake per many acks); records/s from the
//                    first send to the last acknowledgement
//   produce-latency  --rate records/s for --count records: every ~1 ms (a timer tick) the records
//                    due by then are handed over, each timed from its call to its acknowledgement
//                    (µs, in the order the acks arrive); records sent in the first --warmup-ms (1 s)
//                    are sent and counted but not timed
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { fail, nowMs } from './runner-kit.mjs';
import { dueBy } from '../harness/produce-stats.mjs';

/** Records sent between two yields to the event loop in `produce`, so the client's I/O runs. */
const YIELD_EVERY = 2_000;

/**
 * Parses a producer runner's command line.
 * @returns {{ brokers: string, topic: string, scenario: 'produce'|'produce-latency', count: number, rate: number, maxMs: number, valueSize: number, window: number, groupRecords: number, extra: Record<string, string|boolean|undefined> }}
 */
export function producerArgs(extraOptions = {}) {
  const { values } = parseArgs({
    options: {
      brokers: { type: 'string', default: '127.0.0.1:19092' },
      topic: { type: 'string' },
      scenario: { type: 'string', default: 'produce' },
      count: { type: 'string', default: '1000000' },
      rate: { type: 'string', default: '10000' },
      'max-ms': { type: 'string', default: '120000' },
      'value-size': { type: 'string', default: '100' },
      window: { type: 'string', default: '5000' },
      'group-records': { type: 'string', default: '1000' },
      'warmup-ms': { type: 'string', default: '1000' },
      ...extraOptions,
    },
    strict: true,
  });
  if (!values.topic) fail('--topic is required');
  if (!['produce', 'produce-latency'].includes(values.scenario)) fail(`unknown --scenario ${values.scenario}`);
  return {
    brokers: values.brokers,
    topic: values.topic,
    scenario: values.scenario,
    count: Number(values.count),
    rate: Number(values.rate),
    maxMs: Number(values['max-ms']),
    valueSize: Number(values['value-size']),
    window: Number(values.window),
    groupRecords: Number(values['group-records']),
    warmupMs: Number(values['warmup-ms']),
    extra: values,
  };
}

/** The value every record carries: `size` random capital letters (uncompressed runs only). */
export function payload(size) {
  const value = Buffer.alloc(size);
  for (let i = 0; i < size; i++) value[i] = 0x41 + Math.floor(Math.random() * 26);
  return value;
}

/** Counts acknowledgements and failures; knows when every record handed over is settled. */
class Acks {
  constructor() {
    this.handed = 0;
    this.acked = 0;
    this.errors = 0;
    this.firstError = undefined;
    this.lastAckMs = -1;
    this.waiter = null;
    this.waitBelow = 0;
  }

  settle(n, error) {
    if (error) {
      this.errors += n;
      this.firstError ??= error?.message ?? String(error);
    } else {
      this.acked += n;
    }
    this.lastAckMs = nowMs();
    if (this.waiter && this.outstanding <= this.waitBelow) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve();
    }
  }

  get outstanding() {
    return this.handed - this.acked - this.errors;
  }

  /** Resolves once at most `n` records are unsettled. */
  until(n) {
    if (this.outstanding <= n) return Promise.resolve();
    this.waitBelow = n;
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/** Runs the scenario with `client`, prints READY then RESULT, and idles until SIGTERM. */
export async function runProducer(args, client) {
  const startMs = nowMs();
  try {
    await client.connect();
  } catch (error) {
    fail(`connect failed: ${error?.stack ?? error}`);
  }
  process.stdout.write('READY\n');
  const acks = new Acks();
  const latencies = args.scenario === 'produce-latency' ? [] : undefined;
  const firstMs = nowMs();
  // A client that stops acknowledging still reports what it did (the harness flags the shortfall).
  const deadline = setTimeout(() => report(acks, args, startMs, firstMs, latencies, 'deadline'), args.maxMs);
  if (latencies) await atRate(args, client, acks, latencies);
  else await asFastAsTaken(args, client, acks);
  await acks.until(0);
  clearTimeout(deadline);
  report(acks, args, startMs, firstMs, latencies);
}

async function asFastAsTaken(args, client, acks) {
  const group = client.grouped ? args.groupRecords : 1;
  // One callback per group size (the last group may be shorter), not a closure per call.
  const dones = new Map();
  const doneFor = (n) => {
    if (!dones.has(n)) dones.set(n, (error) => acks.settle(n, error));
    return dones.get(n);
  };
  let sinceYield = 0;
  while (acks.handed < args.count) {
    if (acks.outstanding >= args.window) await acks.until(args.window / 2);
    else if (sinceYield >= YIELD_EVERY) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const n = Math.min(group, args.count - acks.handed);
    acks.handed += n;
    sinceYield += n;
    client.send(n, doneFor(n));
  }
}

async function atRate(args, client, acks, latencies) {
  const started = nowMs();
  while (acks.handed < args.count) {
    // Send what the schedule says is due by now, then yield to the event loop for about 1 ms.
    const due = dueBy(nowMs() - started, args.rate, args.count);
    const timed = nowMs() - started >= args.warmupMs;
    while (acks.handed < due) {
      // A grouped client gets this tick's records in one call: its only way to batch them.
      const n = client.grouped ? due - acks.handed : 1;
      acks.handed += n;
      const sentMs = nowMs();
      client.send(n, (error) => {
        if (!error && timed) {
          const us = Math.round((nowMs() - sentMs) * 1000);
          for (let i = 0; i < n; i++) latencies.push(us);
        }
        acks.settle(n, error);
      });
    }
    await sleep(1);
  }
}

let reported = false;
function report(acks, args, startMs, firstMs, latencies, cut) {
  if (reported) return;
  reported = true;
  const result = {
    records: acks.acked,
    bytes: acks.acked * args.valueSize,
    errors: acks.errors,
    startToFirstMs: firstMs - startMs,
    firstToLastMs: acks.lastAckMs < 0 ? null : acks.lastAckMs - firstMs,
  };
  if (acks.firstError) result.firstError = acks.firstError;
  if (cut) result.cut = `${cut} after ${args.maxMs} ms`;
  if (latencies) result.latenciesUs = latencies;
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // Stay alive until the harness has read /proc, then it sends SIGTERM.
  setInterval(() => {}, 1 << 30);
}
