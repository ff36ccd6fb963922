// kafka-stage producer runner (PROTOCOL.md, "Producer scenarios"): the library's Producer from the
// built package (dist/), as an application would use it. Options: its defaults (acks all,
// idempotent, linger 5 ms, batch 16 KiB, 5 in flight); one send() per record, whose promise
// resolves on the acknowledgement.
//   node bench/clients/kafka-stage-producer.mjs --topic T --scenario produce|produce-latency [--count N] [--rate R]
import { Producer } from '../../dist/index.js';
import { payload, producerArgs, runProducer } from './produce-kit.mjs';

const args = producerArgs();
const value = payload(args.valueSize);
const producer = new Producer({ brokers: args.brokers.split(','), clientId: 'bench-kafka-stage-producer' });
const record = { value };

await runProducer(args, {
  grouped: false,
  async connect() {
    await producer.connect();
  },
  send(_n, done) {
    producer.send(args.topic, record).then(() => done(null), done);
  },
});
