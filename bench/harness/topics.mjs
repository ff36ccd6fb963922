// The bench topics: created with 6 partitions and filled once by the Java producer
// (ProducerPerformance), so every client reads the same bytes. A topic already holding the wanted
// number of records is reused, so repeated runs on one broker skip the fill.
import { execFileSync } from 'node:child_process';
import { Admin } from '../../dist/index.js';

const root = new URL('../..', import.meta.url).pathname;

/** Total records in `topic` (sum of end offsets), or -1 when it does not exist. */
export async function recordCount(admin, topic, partitions) {
  try {
    const ends = await admin.listOffsets(
      Array.from({ length: partitions }, (_, partition) => ({ topic, partition, spec: 'latest' })),
    );
    return ends.reduce((sum, p) => sum + Number(p.offset), 0);
  } catch {
    return -1;
  }
}

/**
 * Makes sure `topic` exists with `partitions` partitions and exactly `records` values of
 * `valueSize` bytes; recreates it otherwise. Logs what it does through `say`.
 */
export async function prepareDrainTopic({ brokers, topic, partitions, records, valueSize, say }) {
  const admin = new Admin({ brokers: brokers.split(','), clientId: 'bench-prepare' });
  try {
    const have = await recordCount(admin, topic, partitions);
    if (have === records) {
      say(`${topic}: reusing ${records} records of ${valueSize} B`);
      return;
    }
    if (have >= 0) {
      say(`${topic}: holds ${have} records, not ${records}: recreating`);
      await admin.deleteTopics([topic]);
      await waitGone(admin, topic, partitions);
    }
    await admin.createTopics([{ topic, partitions, replicationFactor: 1 }]);
    say(`${topic}: writing ${records} records of ${valueSize} B with the Java producer`);
    const started = Date.now();
    execFileSync(
      'bash',
      [
        `${root}/scripts/kafka/java-tool.sh`,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic', topic,
        '--num-records', String(records),
        '--record-size', String(valueSize),
        '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${brokers}`, 'acks=1', 'linger.ms=5', 'batch.size=131072', 'compression.type=none',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, KAFKA_TOOL_JVM_OPTS: '-Xmx1g' } },
    );
    const now = await recordCount(admin, topic, partitions);
    if (now !== records) throw new Error(`${topic}: expected ${records} records after the fill, found ${now}`);
    say(`${topic}: filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await admin.close();
  }
}

/** Creates a fresh empty topic (latency runs use one each, so no client sees another's backlog). */
export async function createEmptyTopic({ brokers, topic, partitions }) {
  const admin = new Admin({ brokers: brokers.split(','), clientId: 'bench-prepare' });
  try {
    await admin.createTopics([{ topic, partitions, replicationFactor: 1 }], { ignoreExisting: true });
  } finally {
    await admin.close();
  }
}

/** Deletes topics, ignoring ones already gone. */
export async function deleteTopics({ brokers, topics }) {
  if (topics.length === 0) return;
  const admin = new Admin({ brokers: brokers.split(','), clientId: 'bench-prepare' });
  try {
    await admin.deleteTopics(topics).catch(() => {});
  } finally {
    await admin.close();
  }
}

async function waitGone(admin, topic, partitions) {
  for (let i = 0; i < 100; i++) {
    if ((await recordCount(admin, topic, partitions)) < 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${topic}: still present after delete`);
}
