// Does awaiting `stage.ack(batch)` slow a drain? (issue #14: the README's pattern must be the fast way.)
//
//   node bench/ack-pattern.mjs [--brokers 127.0.0.1:19092] [--topic T] [--records 2000000]
//        [--rounds 5] [--lib name=path/to/dist/index.js ...] [--mode standalone|group]
//
// Fills (or reuses) a 6-partition topic of 100 B values, then drains all of it once per round and
// per loop — `for await (const b of stage.batches()) { touch b; await stage.ack(b) }` ("await")
// against the same loop with `stage.ack(b)` not awaited ("bare") — and per library build (`--lib`,
// default this checkout's dist/: build it first), each drain in a fresh process, in alternating
// order. Prints per variant the median records/s (first record to last), the Fetches sent, the
// partitions each covered, the records still buffered when each was sent (the processing left to
// overlap its round trip) and the share of the drain the event loop was busy, and the await/bare
// ratio; the machine may be shared, so only ratios within one run mean anything.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { subscribe } from 'node:diagnostics_channel';

const here = fileURLToPath(import.meta.url);
const { values } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:19092' },
    topic: { type: 'string', default: 'bench-ack-pattern-2m' },
    records: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '5' },
    lib: { type: 'string', multiple: true },
    mode: { type: 'string', default: 'standalone' },
    child: { type: 'boolean', default: false },
    loop: { type: 'string' },
  },
  strict: true,
});
const records = Number(values.records);
const PARTITIONS = 6;

if (values.child) await child();
else await driver();

/** One drain in this process: prints `RESULT {"rate":…,"records":…}`. */
async function child() {
  const { ConsumerGroup, StandaloneConsumer } = await import(pathToFileURL(values.lib[0]).href);
  const awaitAck = values.loop === 'await';
  // Every Fetch sent, and the partitions it covered (the scheduler publishes each on this channel).
  // With the records still buffered (not yet taken by a subscriber) when each one is sent: how much
  // processing is left to overlap its round trip.
  const fetches = { count: 0, parts: 0, buffered: [] };
  const stages = new Set();
  subscribe('kafka-stage:fetch', (event) => {
    fetches.count++;
    fetches.parts += event.partitions.length;
    let buffered = 0;
    for (const stage of stages) buffered += stage.stats().bufferedRecords;
    fetches.buffered.push(buffered);
  });
  let seen = 0;
  let firstMs = -1;
  let checksum = 0;
  let elu0;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const subscriber = async (stage) => {
    stages.add(stage);
    for await (const batch of stage.batches()) {
      if (firstMs < 0) {
        firstMs = performance.now();
        elu0 = performance.eventLoopUtilization();
      }
      for (const record of batch.records) checksum = (checksum + record.value[0]) | 0;
      seen += batch.records.length;
      if (awaitAck) await stage.ack(batch);
      else stage.ack(batch);
      if (seen >= records) finish(performance.now());
    }
  };
  const common = { brokers: values.brokers.split(','), clientId: 'bench-ack-pattern', autoOffsetReset: 'earliest' };
  const consumer =
    values.mode === 'group'
      ? new ConsumerGroup({ ...common, groupId: `bench-ack-pattern-${process.pid}-${Date.now()}`, topics: [values.topic] }, subscriber)
      : new StandaloneConsumer({ ...common, partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: values.topic, partition })) }, subscriber);
  const timeout = setTimeout(() => finish(-1), 120_000);
  await consumer.start();
  const lastMs = await done;
  // The share of the drain the event loop was busy: below 1 it waited (for Fetch answers).
  const busy = performance.eventLoopUtilization(elu0).utilization;
  clearTimeout(timeout);
  process.stdout.write(`RESULT ${JSON.stringify({ records: seen, rate: lastMs < 0 ? 0 : seen / ((lastMs - firstMs) / 1000), fetches: fetches.count, partsPerFetch: fetches.parts / fetches.count, bufferedAtSend: median(fetches.buffered), busy, checksum })}\n`);
  await consumer.stop();
  process.exit(0);
}

async function driver() {
  const libs = (values.lib ?? [`this=${fileURLToPath(new URL('../dist/index.js', import.meta.url))}`]).map((spec) => {
    const i = spec.indexOf('=');
    return i < 0 ? { name: spec, path: spec } : { name: spec.slice(0, i), path: spec.slice(i + 1) };
  });
  const { prepareDrainTopic } = await import('./harness/topics.mjs');
  await prepareDrainTopic({ brokers: values.brokers, topic: values.topic, partitions: PARTITIONS, records, valueSize: 100, say: (m) => console.log(m) });
  const variants = libs.flatMap((lib) => ['await', 'bare'].map((loop) => ({ lib, loop, key: `${lib.name} ${loop}`, rates: [], fetches: [], parts: [], busy: [], buffered: [] })));
  const rounds = Number(values.rounds);
  console.log(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start`);
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round so neither variant always runs first.
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const { rate, fetches, partsPerFetch, busy, bufferedAtSend } = await drainOnce(v.lib.path, v.loop);
      v.busy.push(busy);
      v.buffered.push(bufferedAtSend);
      v.rates.push(rate);
      v.fetches.push(fetches);
      v.parts.push(partsPerFetch);
      console.log(`round ${round + 1} ${v.key}: ${(rate / 1e6).toFixed(3)} M/s, ${fetches} Fetches, ${partsPerFetch.toFixed(2)} partitions each, ${bufferedAtSend} records buffered at send, loop busy ${(busy * 100).toFixed(0)} %`);
    }
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at end`);
  console.log('\nvariant            median M/s   (min–max)          Fetches  partitions/Fetch  buffered at send  loop busy (medians)');
  for (const v of variants) {
    const sorted = [...v.rates].sort((a, b) => a - b);
    console.log(`${v.key.padEnd(18)} ${(median(sorted) / 1e6).toFixed(3).padStart(10)}   (${(sorted[0] / 1e6).toFixed(3)}–${(sorted.at(-1) / 1e6).toFixed(3)})   ${String(median(v.fetches)).padStart(8)}  ${median(v.parts).toFixed(2).padStart(16)}  ${String(median(v.buffered)).padStart(16)}  ${(median(v.busy) * 100).toFixed(0).padStart(8)} %`);
  }
  for (const lib of libs) {
    const [a, b] = ['await', 'bare'].map((loop) => median(variants.find((v) => v.lib === lib && v.loop === loop).rates));
    console.log(`${lib.name}: await / bare = ${(a / b).toFixed(2)}`);
  }
}

function drainOnce(lib, loop) {
  return new Promise((resolve, reject) => {
    const args = [here, '--child', '--lib', lib, '--loop', loop, '--mode', values.mode, '--brokers', values.brokers, '--topic', values.topic, '--records', String(records)];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) return reject(new Error(`drain (${loop}, ${lib}) exited ${code}: ${out}`));
      const result = JSON.parse(line.slice(7));
      if (result.records < records || result.rate === 0) return reject(new Error(`drain (${loop}) got ${result.records} of ${records} records`));
      resolve(result);
    });
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
