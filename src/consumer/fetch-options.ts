/** Options of the low-level partition reader, with one frozen defaults object and one validate. */
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf, checkTopicName } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';

/** What to read from one partition. */
export interface ReadPartitionOptions {
  topic: string;
  partition: number;
  /** First offset to return. Records below it are skipped, even when their batch starts earlier. */
  fromOffset: number;
  /**
   * Stop before this offset (exclusive). `'high-watermark'`: the high watermark (under read_committed,
   * the last stable offset) of the first Fetch response, i.e. what was in the log when reading began.
   * Default: never stop (tail the partition).
   */
  untilOffset?: number | 'high-watermark';
  /** Stop after this many records. Default: no limit. */
  maxRecords?: number;
  /** How long the broker may hold a Fetch waiting for data, ms. Default 500 (Java `fetch.max.wait.ms`). */
  maxWaitMs?: number;
  /** Bytes one Fetch may return for the partition. Default 1 MiB (Java `max.partition.fetch.bytes`). */
  maxBytes?: number;
  /** `read_committed` hides aborted transactions and stops at the last stable offset. Default `read_uncommitted` (Java `isolation.level`). */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Verify record batch CRCs. Default true (Java `check.crcs`). */
  verifyCrc?: boolean;
  /** The most bytes decompression of one Fetch response may produce. Default 64 MiB. */
  maxDecompressedBytes?: number;
  /** Stops the reader: the pending request is abandoned and the iterator throws AbortedError. */
  signal?: AbortSignal;
}

/** Reader options after defaults and validation. */
export interface ResolvedReadPartitionOptions {
  topic: string;
  partition: number;
  fromOffset: number;
  untilOffset: number | 'high-watermark' | null;
  maxRecords: number;
  maxWaitMs: number;
  maxBytes: number;
  readCommitted: boolean;
  verifyCrc: boolean;
  maxDecompressedBytes: number;
  signal: AbortSignal | undefined;
}

/** Defaults of {@link ReadPartitionOptions}. */
export const READ_PARTITION_DEFAULTS = Object.freeze({
  maxWaitMs: 500,
  maxBytes: 1024 * 1024,
  isolationLevel: 'read_uncommitted' as const,
  verifyCrc: true,
  maxDecompressedBytes: 64 * 1024 * 1024,
});

const KEYS = [
  'topic',
  'partition',
  'fromOffset',
  'untilOffset',
  'maxRecords',
  'maxWaitMs',
  'maxBytes',
  'isolationLevel',
  'verifyCrc',
  'maxDecompressedBytes',
  'signal',
] as const;

const INT32_MAX = 2 ** 31 - 1;

/** Applies defaults and validates; throws InvalidOptionError naming the first bad option. */
export function resolveReadPartitionOptions(options: ReadPartitionOptions): ResolvedReadPartitionOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object');
  checkKnownKeys('readPartition', options, KEYS);
  const until = options.untilOffset;
  if (until !== undefined && until !== 'high-watermark') checkInteger('untilOffset', until, 0);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidOptionError('signal', 'expected an AbortSignal');
  const level = checkOneOf('isolationLevel', options.isolationLevel ?? READ_PARTITION_DEFAULTS.isolationLevel, ['read_uncommitted', 'read_committed'] as const);
  return {
    topic: checkTopicName('topic', options.topic),
    partition: checkInteger('partition', options.partition, 0, INT32_MAX),
    fromOffset: checkInteger('fromOffset', options.fromOffset, 0),
    untilOffset: until ?? null,
    maxRecords: options.maxRecords === undefined ? Infinity : checkInteger('maxRecords', options.maxRecords, 1),
    maxWaitMs: checkInteger('maxWaitMs', options.maxWaitMs ?? READ_PARTITION_DEFAULTS.maxWaitMs, 0, INT32_MAX),
    maxBytes: checkInteger('maxBytes', options.maxBytes ?? READ_PARTITION_DEFAULTS.maxBytes, 1, INT32_MAX),
    readCommitted: level === 'read_committed',
    verifyCrc: checkBoolean('verifyCrc', options.verifyCrc ?? READ_PARTITION_DEFAULTS.verifyCrc),
    maxDecompressedBytes: checkInteger('maxDecompressedBytes', options.maxDecompressedBytes ?? READ_PARTITION_DEFAULTS.maxDecompressedBytes, 0),
    signal,
  };
}
