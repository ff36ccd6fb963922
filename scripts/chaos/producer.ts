/**
 * Chaos producer process: an idempotent kafka-stage producer (acks all) writing sequence-numbered
 * records at a steady rate, logging every acknowledgement and every failure.
 * Usage: node --import tsx producer.ts <brokers> <topic> <records-per-second> <log-file>
 * Log lines: `A <partition> <offset> <seq> <ms>` (acked), `F <seq> <ms> <code>` (failed),
 * `X <ms> <sent> <acked> <failed>` (stopped after SIGTERM and a flush).
 * The key and the value are the sequence number in decimal, so the key spreads records over the
 * partitions and the checker can find each record in the log by its key.
 */
import { Producer } from '../../src/index.js';
import { openLineLog } from './log-file.js';

const [brokersArg, topic, rateArg, logPath] = process.argv.slice(2);
if (!brokersArg || !topic || !rateArg || !logPath) {
  console.error('usage: producer.ts <brokers> <topic> <records-per-second> <log-file>');
  process.exit(2);
}
const rate = Number(rateArg);
const log = openLineLog(logPath);
// Sends waiting for an answer are capped so a long outage does not queue an unbounded backlog;
// while at the cap the producer skips ticks (the rate drops, nothing is lost or reordered).
const MAX_PENDING = 20_000;
const TICK_MS = 20;

const producer = new Producer({
  brokers: brokersArg.split(','),
  clientId: 'chaos-producer',
  acks: 'all',
  idempotent: true,
  lingerMs: 5,
  metadataMaxAgeMs: 5_000,
});

let seq = 0;
let acked = 0;
let failed = 0;
let pending = 0;
let carry = 0;

function sendOne(): void {
  const n = seq++;
  pending++;
  producer.send(topic!, { key: String(n), value: String(n) }).then(
    (md) => {
      pending--;
      acked++;
      log.write([`A ${md.partition} ${md.offset} ${n} ${Date.now()}`]);
    },
    (error: unknown) => {
      pending--;
      failed++;
      const code = (error as { code?: string }).code ?? (error as Error).name;
      log.write([`F ${n} ${Date.now()} ${code}`]);
    },
  );
}

const timer = setInterval(() => {
  carry += (rate * TICK_MS) / 1000;
  const due = Math.floor(carry);
  carry -= due;
  for (let i = 0; i < due && pending < MAX_PENDING; i++) sendOne();
}, TICK_MS);

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  const deadline = setTimeout(() => {
    log.write([`X ${Date.now()} ${seq} ${acked} ${failed} flush-timeout pending=${pending}`]);
    process.exit(1);
  }, 150_000);
  void (async () => {
    try {
      await producer.flush();
      await producer.close();
    } catch (error) {
      console.error('chaos producer: close failed', error);
    }
    clearTimeout(deadline);
    log.write([`X ${Date.now()} ${seq} ${acked} ${failed}`]);
    process.exit(0);
  })();
});
