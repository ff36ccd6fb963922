/**
 * Scenarios of the standalone consumer, the producer's compressed batches and the admin client.
 */
import { eventually } from '../helpers/eventually.js';
import { Admin } from '../../src/admin/index.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { KafkaStageError } from '../../src/errors.js';
import { Producer } from '../../src/producer/producer.js';
import { type Scenario } from './environment.js';


/** The client scenarios. */
export const CLIENT_SCENARIOS: Scenario[] = [
  {
    name: 'a standalone consumer reads from the offsets it is given and commits to its group',
    async run(env) {
      const admin = new Admin({ brokers: env.brokers });
      const topic = env.unique('sc-standalone');
      const groupId = env.unique('sc-g');
      try {
        await admin.createTopics([{ topic, partitions: 2 }]);
        const producer = new Producer({ brokers: env.brokers, lingerMs: 5 });
        await Promise.all(Array.from({ length: 200 }, (_, i) => producer.send(topic, { partition: i % 2, value: `r${i}` })));
        await producer.close();
        const seen: { partition: number; offset: number }[] = [];
        const consumer = new StandaloneConsumer(
          { brokers: env.brokers, groupId, partitions: [{ topic, partition: 0, offset: 40 }, { topic, partition: 1, offset: 0 }] },
          async (stage) => {
            for await (const batch of stage.batches()) {
              for (const r of batch.records) seen.push({ partition: r.partition, offset: r.offset });
              await stage.ack(batch);
            }
          },
        );
        await consumer.start();
        await eventually(() => seen.length >= 160, { what: '160 records', timeoutMs: 60_000 });
        await consumer.stop();
        const p0 = seen.filter((s) => s.partition === 0).map((s) => s.offset);
        const p1 = seen.filter((s) => s.partition === 1).map((s) => s.offset);
        const committed = (await admin.fetchGroupOffsets(groupId, [topic])).sort((a, b) => a.partition - b.partition).map((c) => c.offset);
        await admin.deleteTopics([topic]);
        return { p0First: p0[0], p0Count: p0.length, p1First: p1[0], p1Count: p1.length, committed };
      } finally {
        await admin.close();
      }
    },
    expected: { p0First: 40, p0Count: 60, p1First: 0, p1Count: 100, committed: [100, 100] },
  },
  {
    name: 'gzip batches larger than a fetch are read whole, 2000 records in order',
    async run(env) {
      const admin = new Admin({ brokers: env.brokers });
      const topic = env.unique('sc-big');
      try {
        await admin.createTopics([{ topic, partitions: 1 }]);
        const producer = new Producer({ brokers: env.brokers, compression: 'gzip', lingerMs: 20, batchSize: 512 * 1024 });
        // Random-looking values barely compress, so each batch stays far above the fetch limit below.
        const value = (i: number): string => `${i}:` + Array.from({ length: 40 }, (_, j) => ((i * 7919 + j * 104729) % 1000003).toString(36)).join('');
        await Promise.all(Array.from({ length: 2000 }, (_, i) => producer.send(topic, { value: value(i) })));
        await producer.close();
        const offsets: number[] = [];
        let valuesMatch = true;
        const consumer = new StandaloneConsumer(
          { brokers: env.brokers, partitions: [{ topic, partition: 0, offset: 0 }], buffer: { maxBytesPerPartition: 16 * 1024 } },
          async (stage) => {
            for await (const batch of stage.batches()) {
              for (const r of batch.records) {
                offsets.push(r.offset);
                valuesMatch &&= r.value?.toString() === value(r.offset);
              }
              await stage.ack(batch);
            }
          },
        );
        await consumer.start();
        await eventually(() => offsets.length >= 2000, { what: '2000 records', timeoutMs: 60_000 });
        await consumer.stop();
        await admin.deleteTopics([topic]);
        return { count: offsets.length, inOrder: offsets.every((o, i) => o === i), valuesMatch };
      } finally {
        await admin.close();
      }
    },
    expected: { count: 2000, inOrder: true, valuesMatch: true },
  },
  {
    name: 'the admin creates, lists, grows, queries and deletes a topic, and refuses a second create',
    async run(env) {
      const admin = new Admin({ brokers: env.brokers });
      const topic = env.unique('sc-admin');
      try {
        const [created] = await admin.createTopics([{ topic, partitions: 3 }]);
        const listed = (await admin.listTopics()).find((t) => t.name === topic);
        let duplicate = '';
        try {
          await admin.createTopics([{ topic, partitions: 3 }]);
        } catch (error) {
          duplicate = error instanceof KafkaStageError ? error.code : String(error);
        }
        await admin.createPartitions([{ topic, count: 5 }]);
        const [described] = await admin.describeTopics([topic]);
        const producer = new Producer({ brokers: env.brokers });
        for (let i = 0; i < 10; i++) await producer.send(topic, { partition: 4, value: `v${i}`, timestamp: 1_000_000 + i * 1000 });
        await producer.close();
        const [earliest] = await admin.listOffsets([{ topic, partition: 4, spec: 'earliest' }]);
        const [latest] = await admin.listOffsets([{ topic, partition: 4, spec: 'latest' }]);
        const [at] = await admin.listOffsets([{ topic, partition: 4, spec: 1_005_000 }]);
        await admin.deleteTopics([topic]);
        const stillListed = (await admin.listTopics()).some((t) => t.name === topic);
        return {
          created: created?.partitions,
          listedPartitions: listed?.partitions,
          duplicate,
          grownTo: described?.partitions.length,
          offsets: [earliest?.offset, latest?.offset, at?.offset],
          stillListed,
        };
      } finally {
        await admin.close();
      }
    },
    expected: { created: 3, listedPartitions: 3, duplicate: 'ERR_ADMIN_OPERATION', grownTo: 5, offsets: [0, 10, 5], stillListed: false },
  },
];
