// @platformatic/kafka producer runner (PROTOCOL.md, "Producer scenarios"), 1.x pinned in bench/peers.
// Options: its defaults except acks: -1 (all); its default is 1 (the leader) when not idempotent,
// and idempotent is off by default (on, it forces one request in flight). No compression (default).
// It has no accumulator (no linger): each send() is one Produce request per broker, so `produce`
// hands it --group-records messages per send() (an array, as its README shows),
// `produce-latency` one message per send().
//   node bench/clients/platformatic-producer.mjs --topic T --scenario produce|produce-latency [--count N] [--rate R]
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { payload, producerArgs, runProducer } from './produce-kit.mjs';

const peers = createRequire(new URL('../peers/package.json', import.meta.url));
const { Producer, ProduceAcks } = await import(pathToFileURL(peers.resolve('@platformatic/kafka')).href);

const args = producerArgs();
const value = payload(args.valueSize);
const producer = new Producer({ clientId: 'bench-platformatic-producer', bootstrapBrokers: args.brokers.split(','), acks: ProduceAcks.ALL, autocreateTopics: false });
const messages = new Map();
const messagesOf = (n) => {
  if (!messages.has(n)) messages.set(n, Array.from({ length: n }, () => ({ topic: args.topic, value })));
  return messages.get(n);
};

await runProducer(args, {
  grouped: true,
  async connect() {
    // Loads the topic's metadata and opens the leaders' connections before the clock starts.
    await producer.metadata({ topics: [args.topic] });
  },
  send(n, done) {
    producer.send({ messages: messagesOf(n) }).then(() => done(null), done);
  },
});
