// Bench runner for KafkaJS (PROTOCOL.md), the peer pinned in bench/peers/package.json.
// Usage: node bench/clients/kafkajs.mjs --topic T --scenario drain|latency|slow|stalled [--count N] [--max-ms M] [--tuned]
// --tuned: the settings a user tuning KafkaJS for throughput picks (the issue-14 "tuned" row):
// autoCommit off (no OffsetCommit after each batch) and maxBytes 50 MiB per fetch (as Java's
// fetch.max.bytes) instead of 10 MiB; everything else as the defaults row.
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { runnerArgs, Tally, fail } from './runner-kit.mjs';

// The peers live in their own package so the library's own dependencies stay untouched.
const peers = createRequire(new URL('../peers/package.json', import.meta.url));
const { Kafka, logLevel } = peers('kafkajs');

const args = runnerArgs({ tuned: { type: 'boolean', default: false } });
const tuned = args.extra.tuned;
const tally = new Tally(args);
const never = new Promise(() => {});

// KafkaJS logs to the console (stdout) by default; stdout belongs to the protocol, so warnings and
// errors go to stderr instead.
const toStderr = () => ({ namespace, label, log }) => {
  process.stderr.write(`kafkajs ${label} [${namespace}] ${log.message} ${JSON.stringify(log)}\n`);
};

tally.start();
const kafka = new Kafka({
  clientId: 'bench-kafkajs',
  brokers: args.brokers.split(','),
  logLevel: logLevel.WARN,
  logCreator: toStderr,
});
// Defaults apart from the group id (maxBytesPerPartition 1 MiB, maxBytes 10 MiB, autoCommit after
// each handled batch, partitionsConsumedConcurrently 1) and topic auto-creation, off so an unknown
// topic fails the run instead of quietly creating an empty one.
const consumer = kafka.consumer({ groupId: args.group, allowAutoTopicCreation: false, ...(tuned ? { maxBytes: 50 * 1024 * 1024 } : {}) });

let joined = false;
consumer.on(consumer.events.GROUP_JOIN, () => {
  // A later rejoin (e.g. a stalled handler outliving the session) is not a second READY.
  if (joined) return;
  joined = true;
  tally.ready();
});
consumer.on(consumer.events.CRASH, (event) => {
  // After RESULT the run is measured; a late crash must not turn it into a failure.
  if (!tally.done) fail(`consumer crashed: ${event.payload.error?.stack ?? event.payload.error}`);
});
// Once RESULT is out, stop fetching more so the process idles until SIGTERM.
tally.onDone = () => consumer.pause([{ topic: args.topic }]);

try {
  await consumer.connect();
  // fromBeginning = auto.offset.reset earliest for a group without commits.
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true });
  if (args.scenario === 'slow' || args.scenario === 'stalled') {
    // A per-record handler: eachMessage, which KafkaJS documents as the plain way to process records.
    await consumer.run({
      ...(tuned ? { autoCommit: false } : {}),
      eachMessage: async ({ message }) => {
        if (tally.touch(message.value)) return;
        await (args.scenario === 'slow' ? sleep(1) : never);
      },
    });
  } else {
    // drain/latency: eachBatch, the handler KafkaJS documents for working on whole batches
    // (what a user tuning for throughput picks: no per-message promise); with the default
    // eachBatchAutoResolve the batch's offsets are resolved when the handler returns.
    await consumer.run({
      ...(tuned ? { autoCommit: false } : {}),
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          if (tally.touch(message.value)) return;
        }
      },
    });
  }
} catch (error) {
  fail(`kafkajs: ${error?.stack ?? error}`);
}
