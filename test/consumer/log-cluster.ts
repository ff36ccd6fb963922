/**
 * The consumer tests' fake Kafka: a {@link FakeKafkaCluster} with one topic whose partitions each
 * hold `records` records in batches of `batchSize`, values `p<partition>-<offset>`, and client
 * options with fast retries. What a test needs beyond the log it asks the cluster for (its fault
 * hooks, `requests`, `hold`, `committed`).
 */
import { FakeKafkaCluster } from '../../src/testing/index.js';

export const LOG_TOPIC = 'lifecycle';

/** Starts a cluster whose topic {@link LOG_TOPIC} has `partitions` partitions of `records` records each. */
export async function logCluster(options: { partitions: number; records: number; batchSize?: number }): Promise<FakeKafkaCluster> {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: LOG_TOPIC, partitions: options.partitions }] });
  const batchSize = options.batchSize ?? 50;
  for (let p = 0; p < options.partitions; p++) {
    for (let base = 0; base < options.records; base += batchSize) {
      const count = Math.min(batchSize, options.records - base);
      await cluster.append(LOG_TOPIC, p, Array.from({ length: count }, (_, i) => ({ value: `p${p}-${base + i}`, timestamp: 1_700_000_000_000 + base + i })));
    }
  }
  return cluster;
}

/** Client options pointing at `cluster`, with fast retries. */
export function clientOptions(cluster: FakeKafkaCluster): { brokers: string[]; retry: { initialBackoffMs: number; maxBackoffMs: number }; requestTimeoutMs: number } {
  return { brokers: cluster.bootstrap, retry: { initialBackoffMs: 5, maxBackoffMs: 20 }, requestTimeoutMs: 5_000 };
}
