// librdkafka producer runner (PROTOCOL.md, "Producer scenarios"): @confluentinc/kafka-javascript's
// Standard (node-rdkafka style) Producer, built by bench/peers-rdkafka/setup.sh.
// Options: librdkafka's defaults (acks all, linger.ms 5, batch.size 1 MB, 100 000 messages queued
// at most, sticky partitions for keyless records) plus enable.idempotence=true, which Java and
// kafka-stage have by default (librdkafka's default is false; with it, at most 5 requests in flight),
// and dr_cb for a delivery report per record. Delivery reports are polled on librdkafka's
// background thread (setPollInBackground, which the binding documents as the efficient way for high
// throughput) rather than on an interval of the event loop. One produce() per record; a QUEUE_FULL
// refusal never happens here (the window, 5 000 records by default, is far below the queue's size).
//   node bench/clients/rdkafka-producer.mjs --topic T --scenario produce|produce-latency [--count N] [--rate R]
import { loadRdkafka } from './rdkafka-peer.mjs';
import { payload, producerArgs, runProducer } from './produce-kit.mjs';

const Kafka = loadRdkafka();

const args = producerArgs();
const value = payload(args.valueSize);
const producer = new Kafka.Producer({
  'bootstrap.servers': args.brokers,
  'client.id': 'bench-rdkafka-producer',
  'enable.idempotence': true,
  dr_cb: true,
});
// The opaque of every message is its done callback.
producer.on('delivery-report', (error, report) => report.opaque(error ?? null));
producer.on('event.error', (error) => process.stderr.write(`rdkafka: ${error.message}\n`));

function connect() {
  return new Promise((resolve, reject) => producer.connect({ topic: args.topic, timeout: 10_000 }, (error) => (error ? reject(error) : resolve())));
}

await runProducer(args, {
  grouped: false,
  async connect() {
    await connect();
    producer.setPollInBackground(true);
  },
  send(_n, done) {
    try {
      producer.produce(args.topic, null, value, null, null, done);
    } catch (error) {
      done(error);
    }
  },
});
