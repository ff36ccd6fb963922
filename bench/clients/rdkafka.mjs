// Bench runner (PROTOCOL.md) for Confluent's librdkafka binding, @confluentinc/kafka-javascript,
// through its Standard (node-rdkafka style) API, which its docs call the more performant one.
// Built from source by bench/peers-rdkafka/setup.sh; fails with a clear message if it is not built.
// Usage: node bench/clients/rdkafka.mjs --topic T --scenario drain|latency|slow|stalled [--count N] [--max-ms M]
//        [--consume flowing|batch]  (drain/latency: flowing mode (default) or consume(n) in a loop)
import { setTimeout as sleep } from 'node:timers/promises';
import { runnerArgs, Tally, fail } from './runner-kit.mjs';
import { loadRdkafka } from './rdkafka-peer.mjs';

const args = runnerArgs({ consume: { type: 'string', default: 'flowing' } });
const consumeMode = args.extra.consume;
if (consumeMode !== 'flowing' && consumeMode !== 'batch') fail(`unknown --consume ${consumeMode}`);

const Kafka = loadRdkafka();

const tally = new Tally(args);
const never = new Promise(() => {});
// consume(n)'s batch size in batch mode: one libuv work item per BATCH records.
const BATCH = 1000;

tally.start();
// librdkafka defaults apart from the group id and earliest reset (auto-commit every 5 s of the offsets
// handed to the application, pre-fetch queue bounded by queued.max.messages.kbytes = 64 MiB).
// rebalance_cb: true makes the binding assign what the group hands out and tell us via 'rebalance'.
const consumer = new Kafka.KafkaConsumer({
  'bootstrap.servers': args.brokers,
  'group.id': args.group,
  'client.id': 'bench-rdkafka',
  'auto.offset.reset': 'earliest',
  rebalance_cb: true,
});

let ready = false;
consumer.on('rebalance', (error) => {
  if (ready || error.code !== Kafka.CODES.ERRORS.ERR__ASSIGN_PARTITIONS) return;
  ready = true;
  // The binding's own listener assigns right after this event; READY once that is done.
  setImmediate(() => tally.ready());
});
consumer.on('event.error', (error) => process.stderr.write(`rdkafka: ${error.message}\n`));
consumer.on('warning', (warning) => fail(`consumer warning: ${warning.message}`));

function connect() {
  return new Promise((resolve, reject) => consumer.connect({}, (error) => (error ? reject(error) : resolve())));
}

function topicExists() {
  return new Promise((resolve, reject) =>
    consumer.getMetadata({ topic: args.topic, timeout: 10_000 }, (error, metadata) => {
      if (error) return reject(error);
      const topic = metadata.topics.find((t) => t.name === args.topic);
      resolve(topic !== undefined && topic.partitions.length > 0);
    }),
  );
}

function consumeSome(n) {
  return new Promise((resolve, reject) => consumer.consume(n, (error, messages) => (error ? reject(error) : resolve(messages))));
}

// Flowing mode (default for drain/latency): a native thread polls librdkafka as fast as it can and
// hands every message to 'data'. The docs call it the way to read "as quickly as possible"; here it
// drained 200k x 100 B faster than consume(1000) in a loop, and unlike consume(n), which waits for n
// records (or a 1 s gap), it delivers each record as it comes, which the latency scenario needs.
// Its hand-off queue from that thread to JavaScript is unbounded: nothing pushes back on fetching.
function flowing() {
  consumer.on('data', (message) => tally.touch(message.value));
  tally.onDone = () => consumer.unsubscribe();
  consumer.consume();
}

// consume(n) in a loop; with a per-record handler (slow/stalled) n = 1, so nothing is taken out of
// librdkafka's queue before the handler is ready for it.
async function pull(n, handler) {
  for (;;) {
    const messages = await consumeSome(n);
    for (const message of messages) {
      if (tally.touch(message.value)) return;
      if (handler) await handler();
    }
  }
}

try {
  await connect();
  if (!(await topicExists())) fail(`unknown topic ${args.topic}`);
  consumer.subscribe([args.topic]);
  if (args.scenario === 'slow') await pull(1, () => sleep(1));
  else if (args.scenario === 'stalled') await pull(1, () => never);
  else if (consumeMode === 'flowing') flowing();
  else await pull(BATCH);
} catch (error) {
  fail(`rdkafka: ${error?.stack ?? error}`);
}
