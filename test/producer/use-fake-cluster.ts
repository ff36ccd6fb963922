/**
 * Test helper: each producer test's fake cluster (the shipped `FakeKafkaCluster`) and the producer
 * pointed at it, closed after the test (the producer first, then the cluster) whether the test
 * passed or not; and a partition's log read back as rows with the producer fields per record.
 */
import { afterEach } from 'node:test';
import { Producer, type ProducerOptions } from '../../src/producer/producer.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';

/** A record of a partition's log, with the producer stamp of its batch. */
export interface LoggedRecord {
  offset: number;
  key: string | null;
  value: string | null;
  producerId: bigint;
  producerEpoch: number;
  /** The record's sequence number: its batch's base sequence plus its place in the batch. */
  sequence: number;
}

/** What {@link useFakeCluster} hands a test file. */
export interface FakeClusterPerTest {
  /** Starts this test's one-broker fake cluster holding `topics` (name → partition count). */
  start(topics: Record<string, number>): Promise<FakeKafkaCluster>;
  /** This test's producer, bootstrapped from the cluster `start` gave. */
  producer(options?: Omit<ProducerOptions, 'brokers'>): Producer;
}

/** Registers an afterEach in the calling test file that closes what the returned functions opened. */
export function useFakeCluster(): FakeClusterPerTest {
  let cluster: FakeKafkaCluster | null = null;
  let producer: Producer | null = null;
  afterEach(async () => {
    // A test may have closed its producer already, or left it failed: neither fails the clean-up.
    await producer?.close().catch(() => undefined);
    await cluster?.stop();
    producer = null;
    cluster = null;
  });
  return {
    async start(topics) {
      cluster = await FakeKafkaCluster.start({ topics: Object.entries(topics).map(([topic, partitions]) => ({ topic, partitions })) });
      return cluster;
    },
    producer(options = {}) {
      if (cluster === null) throw new Error('useFakeCluster: start() the fake cluster before making its producer');
      producer = new Producer({ ...options, brokers: cluster.bootstrap });
      return producer;
    },
  };
}

/** The partition's log, one row per record, oldest first. */
export async function logOf(cluster: FakeKafkaCluster, topic: string, partition: number): Promise<LoggedRecord[]> {
  return (await cluster.batches(topic, partition)).flatMap((batch) =>
    batch.records.map((r, i) => ({
      offset: r.offset,
      key: r.key === null ? null : r.key.toString(),
      value: r.value === null ? null : r.value.toString(),
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      sequence: batch.baseSequence + i,
    })),
  );
}
