/**
 * Test helper: each test's fake Kafka and the producer pointed at it, closed after the test (the
 * producer first, then the broker) whether the test passed or not.
 */
import { afterEach } from 'node:test';
import { Producer, type ProducerOptions } from '../../src/producer/producer.js';
import { FakeKafka } from './fake-kafka.js';

/** What {@link useFakeKafka} hands a test file. */
export interface FakeKafkaPerTest {
  /** Starts this test's fake Kafka holding `topics` (name → partition count). */
  start(topics: Record<string, number>): Promise<FakeKafka>;
  /** This test's producer, bootstrapped from the fake Kafka `start` gave. */
  producer(options?: Omit<ProducerOptions, 'brokers'>): Producer;
}

/** Registers an afterEach in the calling test file that closes what the returned functions opened. */
export function useFakeKafka(): FakeKafkaPerTest {
  let kafka: FakeKafka | null = null;
  let producer: Producer | null = null;
  afterEach(async () => {
    // A test may have closed its producer already, or left it failed: neither fails the clean-up.
    await producer?.close().catch(() => undefined);
    await kafka?.stop();
    producer = null;
    kafka = null;
  });
  return {
    async start(topics) {
      kafka = await FakeKafka.start(topics);
      return kafka;
    },
    producer(options = {}) {
      if (kafka === null) throw new Error('useFakeKafka: start() the fake Kafka before making its producer');
      producer = new Producer({ ...options, brokers: kafka.address });
      return producer;
    },
  };
}
