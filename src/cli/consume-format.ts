/**
 * How `kafka-stage consume` prints a record. `json`: one JSON object per line,
 * `{"topic","partition","offset","key","value","headers","timestamp"}` — key and value decoded as
 * UTF-8 (bytes that are not valid UTF-8 become U+FFFD), null when absent; headers as an array of
 * `{"key","value"}` in record order (an array, not an object, because Kafka allows a key to repeat
 * and the order can matter); offset and timestamp (ms since the epoch) as numbers. `value`: the
 * value alone as UTF-8, one per line (an absent value prints an empty line). `none`: nothing.
 */
import type { KafkaRecord } from '../protocol/records/types.js';

/** The output formats of `consume`. */
export type RecordFormat = 'json' | 'value' | 'none';

/** Every format, for the flag's choices. */
export const RECORD_FORMATS: readonly RecordFormat[] = ['json', 'value', 'none'];

/** One printed record in the `json` format. */
export interface JsonRecordLine {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
  timestamp: number;
}

const text = (bytes: Buffer | null): string | null => (bytes === null ? null : bytes.toString('utf8'));

/** The `json` line object of a record (without the newline). */
export function jsonRecord(topic: string, partition: number, record: KafkaRecord): JsonRecordLine {
  return {
    topic,
    partition,
    offset: record.offset,
    key: text(record.key),
    value: text(record.value),
    headers: record.headers.map((h) => ({ key: h.key, value: text(h.value) })),
    timestamp: record.timestamp,
  };
}

/** The text printed for a record in `format`, newline included (empty for `none`). */
export function formatRecord(format: RecordFormat, topic: string, partition: number, record: KafkaRecord): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(jsonRecord(topic, partition, record))}\n`;
    case 'value':
      return `${record.value === null ? '' : record.value.toString('utf8')}\n`;
    case 'none':
      return '';
  }
}
