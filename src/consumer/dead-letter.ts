/**
 * Dead-lettering: the records a subscriber kept failing on, produced to a dead-letter topic with
 * their key, value and headers, plus headers saying where they came from and why they failed. The
 * records are read back from the log by offset (the stage keeps no delivered record, so the
 * delivery path stays as lean as it is), then produced through one idempotent `acks: all` producer
 * per consumer. Only once the broker acknowledged them does the consumer ack them.
 */
import type { Cluster } from '../cluster/cluster.js';
import type { ClusterOptions } from '../cluster/options.js';
import { Producer, type ProducerRecord, type RecordMetadata } from '../producer/producer.js';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { TopicPartition } from './contracts.js';
import type { DeadLetterOptions } from './failure-policy.js';
import { readAll } from './partition-reader.js';

/** Headers a dead-lettered record carries besides its own. Values are UTF-8 strings (numbers in decimal). */
export const DEAD_LETTER_HEADERS = Object.freeze({
  /** Topic the record was consumed from. */
  topic: 'kafka-stage.dlt.topic',
  /** Its partition. */
  partition: 'kafka-stage.dlt.partition',
  /** Its offset. */
  offset: 'kafka-stage.dlt.offset',
  /** Its timestamp, ms since the epoch. */
  timestamp: 'kafka-stage.dlt.timestamp',
  /** How many times it was delivered. */
  attempts: 'kafka-stage.dlt.attempts',
  /** The message of the last error the subscriber failed with, cut to {@link DEAD_LETTER_ERROR_MAX_CHARS}. */
  error: 'kafka-stage.dlt.error',
});

/** Longest error message a dead-letter header carries, in characters (a stack-sized message would bloat every record). */
export const DEAD_LETTER_ERROR_MAX_CHARS = 1000;

/** What dead-lettering needs of a producer (the real one, or a test's). */
export interface DeadLetterProducer {
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata>;
  close(): Promise<void>;
}

/**
 * The dead-letter producer of a consumer: its cluster options (brokers, TLS, SASL, logger),
 * idempotent with `acks: 'all'`, so a record is dead-lettered once per send and durably.
 */
export function createDeadLetterProducer(cluster: ClusterOptions): DeadLetterProducer {
  return new Producer({ ...cluster, idempotent: true, acks: 'all' });
}

/** The records of `tp` at `offsets` (ascending), read back from the log. Offsets no longer in it are left out. */
export async function readFailedRecords(
  cluster: Cluster,
  tp: TopicPartition,
  offsets: readonly number[],
  options: { isolationLevel: 'read_uncommitted' | 'read_committed'; signal: AbortSignal },
): Promise<KafkaRecord[]> {
  const first = offsets[0];
  const last = offsets[offsets.length - 1];
  if (first === undefined || last === undefined) return [];
  const wanted = new Set(offsets);
  const records = await readAll(cluster, { topic: tp.topic, partition: tp.partition, fromOffset: first, untilOffset: last + 1, ...options });
  return records.filter((r) => wanted.has(r.offset));
}

/** The dead-letter topic of `record` under `options`. Throws when a topic function throws or answers no topic name. */
export function deadLetterTopic(options: DeadLetterOptions, record: KafkaRecord, tp: TopicPartition): string {
  const topic = typeof options.topic === 'string' ? options.topic : options.topic(record, { topic: tp.topic, partition: tp.partition });
  if (typeof topic !== 'string' || topic.length === 0) throw new TypeError(`the deadLetter.topic function answered ${String(topic)} for ${tp.topic}/${tp.partition}@${record.offset}, not a topic name`);
  return topic;
}

/** The record to produce for `record`: its key, value and headers, then the dead-letter headers. */
export function deadLetterRecord(record: KafkaRecord, attempts: number, error: Error): ProducerRecord {
  const h = DEAD_LETTER_HEADERS;
  const message = error.message.length > DEAD_LETTER_ERROR_MAX_CHARS ? `${error.message.slice(0, DEAD_LETTER_ERROR_MAX_CHARS - 1)}…` : error.message;
  return {
    key: record.key,
    value: record.value,
    headers: [
      ...record.headers.map((header) => ({ key: header.key, value: header.value })),
      { key: h.topic, value: record.topic },
      { key: h.partition, value: String(record.partition) },
      { key: h.offset, value: String(record.offset) },
      { key: h.timestamp, value: String(record.timestamp) },
      { key: h.attempts, value: String(attempts) },
      { key: h.error, value: message },
    ],
  };
}
