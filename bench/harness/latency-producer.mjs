// The latency scenario's producer: `--rate` records/s for `--count` records, spread over the
// topic's partitions in turn; each value starts with 16 ASCII digits, the wall clock in µs when it
// was handed to the producer (the runners subtract it from their own clock on arrival). Uses
// kafka-stage's producer with no linger, so every client sees the same arrival pattern.
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from '../../dist/index.js';
import { nowUs } from '../clients/runner-kit.mjs';

const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:19092' },
    topic: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    count: { type: 'string', default: '10000' },
    partitions: { type: 'string', default: '6' },
    'value-size': { type: 'string', default: '100' },
  },
});
const rate = Number(values.rate);
const count = Number(values.count);
const partitions = Number(values.partitions);
const valueSize = Math.max(16, Number(values['value-size']));
const filler = Buffer.alloc(valueSize - 16, 'x');

const producer = new Producer({ brokers: values.brokers.split(','), clientId: 'bench-latency-producer', lingerMs: 0, acks: 1, idempotent: false });
await producer.connect();
const pending = [];
/** Send-to-acknowledgement times, µs: the part of every client's latency that the producer and broker add. */
const acks = [];
const started = performance.now();
let sent = 0;
while (sent < count) {
  // Send what the schedule says is due by now, then yield to the event loop for about 1 ms.
  const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000));
  for (; sent < due; sent++) {
    const sentUs = nowUs();
    const value = Buffer.concat([Buffer.from(String(sentUs).padStart(16, '0')), filler]);
    pending.push(producer.send(values.topic, { value, partition: sent % partitions }).then(() => acks.push(nowUs() - sentUs)));
  }
  if (pending.length > 10_000) await Promise.all(pending.splice(0));
  await sleep(1);
}
await Promise.all(pending);
await producer.close();
acks.sort((a, b) => a - b);
const at = (q) => ((acks[Math.min(acks.length - 1, Math.ceil(q * acks.length) - 1)] ?? 0) / 1000).toFixed(2);
process.stdout.write(`SENT ${sent} in ${((performance.now() - started) / 1000).toFixed(2)} s; ack p50 ${at(0.5)} p99 ${at(0.99)} p99.9 ${at(0.999)} ms\n`);
