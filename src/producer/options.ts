/** Options of the producer: one frozen defaults object and one resolve() that validates. */
import { CLUSTER_OPTION_KEYS, clusterOptionsOf, resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from '../cluster/options.js';
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import type { CompressionName } from '../protocol/records/types.js';
import type { PartitionerFunction } from './partitioner.js';

/** Acknowledgement level: `'all'`/`-1` every in-sync replica, `1` the leader only, `0` none (fire and forget). */
export type Acks = -1 | 0 | 1 | 'all';

/** Options of a {@link Producer}. Every field but `brokers` is optional. */
export interface ProducerOptions extends ClusterOptions {
  /**
   * Acknowledgements the leader waits for before answering (Java `acks`). Default `'all'`.
   * With `0` the broker sends no response: promises resolve once the request is written, with
   * offset -1.
   */
  acks?: Acks;
  /** Compression codec of record batches (Java `compression.type`). Default `'none'`. */
  compression?: CompressionName;
  /**
   * How long a batch that is not full waits for more records, in ms (Java `linger.ms`). Default 5,
   * the Java 4.x default: a little latency buys much larger batches.
   */
  lingerMs?: number;
  /**
   * Target size of one record batch in bytes (Java `batch.size`). Default 16_384. A batch is sent
   * when the next record would not fit; a record larger than this gets a batch of its own.
   * With compression it bounds the batch's expected compressed size, as in Java: the codec's ratio
   * is learnt per topic from the batches sent, so a batch of compressible records holds more of
   * them (never more than `maxRequestSize` uncompressed).
   * Keyless records stick to one partition until this many bytes went there.
   */
  batchSize?: number;
  /**
   * Produce requests in flight per broker (Java `max.in.flight.requests.per.connection`). Default 5.
   * With idempotence at most 5, which the broker needs to keep order across retries.
   */
  maxInFlight?: number;
  /**
   * Idempotent delivery: a producer id and per-partition sequence numbers let the broker drop
   * duplicates of retried batches and refuse gaps (Java `enable.idempotence`). Default `true`,
   * unless `acks` other than all or `maxInFlight` > 5 is given, which turn the default off as in
   * Java; `true` together with either of them is an error.
   */
  idempotent?: boolean;
  /**
   * Upper bound on the time from `send()` until its promise settles, including waiting for
   * metadata, lingering, retries and the broker's answer, in ms (Java `delivery.timeout.ms`).
   * Default 120_000. Must be ≥ `lingerMs` + `requestTimeoutMs`, as in Java.
   */
  deliveryTimeoutMs?: number;
  /**
   * Largest Produce request in bytes, and so the largest record (Java `max.request.size`).
   * Default 1_048_576. A record that can never fit is refused with a `RecordTooLargeError`.
   */
  maxRequestSize?: number;
  /**
   * Bytes of records held by the producer before `send()` waits for room (Java `buffer.memory`).
   * Default 33_554_432 (32 MiB). Sends wait in order; they never fail for lack of room.
   */
  bufferMemory?: number;
  /**
   * Custom partition choice (Java `partitioner.class`). Return a partition, or `undefined` for the
   * default: murmur2 of the key, sticky for keyless records. Default: the default.
   */
  partitioner?: PartitionerFunction;
}

/** Producer options after defaults and validation. */
export interface ResolvedProducerOptions {
  /** The cluster part, resolved once: the producer's Cluster is built from it. */
  cluster: ResolvedClusterOptions;
  /** -1 (all), 0 or 1, as the Produce request carries it. */
  acks: -1 | 0 | 1;
  compression: CompressionName;
  lingerMs: number;
  batchSize: number;
  maxInFlight: number;
  idempotent: boolean;
  deliveryTimeoutMs: number;
  maxRequestSize: number;
  bufferMemory: number;
  partitioner: PartitionerFunction | null;
}

/** Defaults of {@link ProducerOptions}. */
export const PRODUCER_DEFAULTS = Object.freeze({
  acks: 'all' as Acks,
  compression: 'none' as CompressionName,
  lingerMs: 5,
  batchSize: 16_384,
  maxInFlight: 5,
  idempotent: true,
  deliveryTimeoutMs: 120_000,
  maxRequestSize: 1_048_576,
  bufferMemory: 33_554_432,
});

/** The most requests per partition a broker tracks for idempotence; more in flight may reorder. */
export const MAX_IDEMPOTENT_IN_FLIGHT = 5;

/** Names of every producer option (cluster options included). */
export const PRODUCER_OPTION_KEYS = [
  ...CLUSTER_OPTION_KEYS,
  'acks',
  'compression',
  'lingerMs',
  'batchSize',
  'maxInFlight',
  'idempotent',
  'deliveryTimeoutMs',
  'maxRequestSize',
  'bufferMemory',
  'partitioner',
] as const;

const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Applies defaults and validates; throws {@link InvalidOptionError} naming the first bad option. */
export function resolveProducerOptions(options: ProducerOptions): ResolvedProducerOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object');
  checkKnownKeys('producer', options, PRODUCER_OPTION_KEYS);
  const cluster = resolveClusterOptions(clusterOptionsOf(options));
  const acks = resolveAcks(options.acks ?? PRODUCER_DEFAULTS.acks);
  const compression = checkOneOf('compression', options.compression ?? PRODUCER_DEFAULTS.compression, COMPRESSIONS);
  const lingerMs = checkInteger('lingerMs', options.lingerMs ?? PRODUCER_DEFAULTS.lingerMs, 0, 3_600_000);
  const maxRequestSize = checkInteger('maxRequestSize', options.maxRequestSize ?? PRODUCER_DEFAULTS.maxRequestSize, 1024, 2 ** 31 - 1);
  const batchSize = checkInteger('batchSize', options.batchSize ?? PRODUCER_DEFAULTS.batchSize, 1, 2 ** 31 - 1);
  const maxInFlight = checkInteger('maxInFlight', options.maxInFlight ?? PRODUCER_DEFAULTS.maxInFlight, 1, 1000);
  const bufferMemory = checkInteger('bufferMemory', options.bufferMemory ?? PRODUCER_DEFAULTS.bufferMemory, 1024, Number.MAX_SAFE_INTEGER);

  let idempotent: boolean;
  if (options.idempotent === undefined) {
    // As in Java: idempotence is on by default only while nothing given contradicts it.
    idempotent = acks === -1 && maxInFlight <= MAX_IDEMPOTENT_IN_FLIGHT;
  } else {
    idempotent = checkBoolean('idempotent', options.idempotent);
    if (idempotent && acks !== -1) throw new InvalidOptionError('acks', `idempotent producers need acks 'all', got ${String(options.acks)}`);
    if (idempotent && maxInFlight > MAX_IDEMPOTENT_IN_FLIGHT) {
      throw new InvalidOptionError('maxInFlight', `idempotent producers allow at most ${MAX_IDEMPOTENT_IN_FLIGHT} in flight, got ${maxInFlight}`);
    }
  }

  const deliveryTimeoutMs = checkInteger('deliveryTimeoutMs', options.deliveryTimeoutMs ?? PRODUCER_DEFAULTS.deliveryTimeoutMs, 1, 2 ** 31 - 1);
  if (deliveryTimeoutMs < lingerMs + cluster.requestTimeoutMs) {
    throw new InvalidOptionError(
      'deliveryTimeoutMs',
      `must be ≥ lingerMs + requestTimeoutMs (${lingerMs} + ${cluster.requestTimeoutMs}), got ${deliveryTimeoutMs}`,
    );
  }
  const partitioner = options.partitioner ?? null;
  if (partitioner !== null && typeof partitioner !== 'function') {
    throw new InvalidOptionError('partitioner', 'expected a function (input) => partition | undefined');
  }
  return {
    cluster,
    acks,
    compression,
    lingerMs,
    batchSize,
    maxInFlight,
    idempotent,
    deliveryTimeoutMs,
    maxRequestSize,
    bufferMemory,
    partitioner,
  };
}

function resolveAcks(value: unknown): -1 | 0 | 1 {
  if (value === 'all' || value === -1) return -1;
  if (value === 0 || value === 1) return value;
  throw new InvalidOptionError('acks', `expected 'all', -1, 0 or 1, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
}
