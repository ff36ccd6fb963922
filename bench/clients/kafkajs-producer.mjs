// KafkaJS producer runner (PROTOCOL.md, "Producer scenarios"), the peer pinned in bench/peers.
// Options: KafkaJS's defaults, which already mean acks all (-1) and no compression; not idempotent
// (its default: its idempotent mode is documented as experimental and needs maxInFlightRequests 1).
// KafkaJS has no accumulator (no linger): each send() is one Produce request, so `produce` hands it
// --group-records messages per send() (an array of messages, as its docs show), `produce-latency`
// one message per send().
//   node bench/clients/kafkajs-producer.mjs --topic T --scenario produce|produce-latency [--count N] [--rate R]
import { createRequire } from 'node:module';
import { payload, producerArgs, runProducer } from './produce-kit.mjs';

const peers = createRequire(new URL('../peers/package.json', import.meta.url));
const { Kafka, logLevel } = peers('kafkajs');

const args = producerArgs();
const value = payload(args.valueSize);
// stdout belongs to the protocol: KafkaJS's log lines (e.g. its partitioner notice) go to stderr.
const toStderr = () => ({ namespace, label, log }) => {
  process.stderr.write(`kafkajs ${label} [${namespace}] ${log.message}\n`);
};
const kafka = new Kafka({ clientId: 'bench-kafkajs-producer', brokers: args.brokers.split(','), logLevel: logLevel.WARN, logCreator: toStderr });
// Topic auto-creation off so a missing topic fails the run instead of quietly creating one.
const producer = kafka.producer({ allowAutoTopicCreation: false });
const messages = new Map();
/** The same array for every send of n records (KafkaJS does not keep or change it). */
const messagesOf = (n) => {
  if (!messages.has(n)) messages.set(n, Array.from({ length: n }, () => ({ value })));
  return messages.get(n);
};

await runProducer(args, {
  grouped: true,
  async connect() {
    await producer.connect();
  },
  send(n, done) {
    producer.send({ topic: args.topic, messages: messagesOf(n) }).then(() => done(null), done);
  },
});
