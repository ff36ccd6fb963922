/**
 * How `kafka-stage consume` prints a record. `json`: one JSON object per line,
 * `{"topic","partition","offset","key","value","headers","timestamp"}` — key and value decoded as
 * UTF-8 (bytes that are not valid UTF-8 become U+FFFD), null when absent; headers as an array of
 * `{"key","value"}` in record order (an array, not an object, because Kafka allows a key to repeat
 * and the order can matter); offset and timestamp (ms since the epoch) as numbers. `value`: the
 * value alone as UTF-8, one per line (an absent value prints an empty line). `base64`: the value
 * base64-encoded, one per line (binary-safe). `none`: nothing. Anything else given to `--format`
 * is a kcat format string (format-string.ts).
 */
import type { KafkaRecord } from '../protocol/records/types.js';
import { UsageError } from './args.js';
import { jsonBatchPrinter, joinRecords, valueBatchPrinter, type BatchPrinter } from './batch-printer.js';
import { compileFormatString, isFormatString, type RecordPrinter } from './format-string.js';

/** The named output formats of `consume`. */
export type RecordFormat = 'json' | 'value' | 'base64' | 'none';

/** Every named format. */
export const RECORD_FORMATS: readonly RecordFormat[] = ['json', 'value', 'base64', 'none'];

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

/** The text printed for a record in `format`, `delimiter` (default a newline) included; empty for `none`. */
export function formatRecord(format: RecordFormat, topic: string, partition: number, record: KafkaRecord, delimiter = '\n'): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(jsonRecord(topic, partition, record))}${delimiter}`;
    case 'value':
      return `${record.value === null ? '' : record.value.toString('utf8')}${delimiter}`;
    case 'base64':
      return `${record.value === null ? '' : record.value.toString('base64')}${delimiter}`;
    case 'none':
      return '';
  }
}

/**
 * The printer of `--format` (`-f`): a named format, or a kcat format string (one with `%` tokens or
 * backslash escapes). Each record ends with `delimiter` (`-D`, default a newline). Throws
 * UsageError for anything else, naming the formats.
 */
export function recordPrinter(format: string, delimiter = '\n'): RecordPrinter {
  if ((RECORD_FORMATS as readonly string[]).includes(format)) {
    const named = format as RecordFormat;
    return (topic, partition, record) => formatRecord(named, topic, partition, record, delimiter);
  }
  if (isFormatString(format)) return compileFormatString(format, delimiter);
  throw new UsageError(`--format must be one of ${RECORD_FORMATS.join('|')} or a format string such as '%t %p %o %k %v', got '${format}'`);
}

/**
 * The batch printer of `--format` (`-f`): what {@link recordPrinter} prints for each record of a
 * batch, joined, with the `value` and `json` formats on their batch paths (batch-printer.ts). Throws
 * UsageError as {@link recordPrinter} does.
 */
export function batchPrinter(format: string, delimiter = '\n'): BatchPrinter {
  const print = recordPrinter(format, delimiter);
  if (format === 'value') return valueBatchPrinter(delimiter, print);
  if (format === 'json') return jsonBatchPrinter(delimiter);
  if (format === 'none') return () => [''];
  return joinRecords(print);
}
