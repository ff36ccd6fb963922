/**
 * The simplest real fetch path: read one partition from its leader, record by record, in offset
 * order. No group, no commits, no demand; the demand-driven consumer builds on the same steps.
 *
 * Each Fetch goes to the partition's current leader at the version negotiated with it (v13+ names
 * the topic by id, taken from metadata). The reader
 * - continues from the last complete batch when the broker cuts the last one at the size limit;
 * - skips records below the offset asked for (a compressed batch may start before it, and a batch
 *   may carry offsets that go backwards or past its end) and control batches (transaction
 *   markers), and under read_committed the batches of aborted transactions;
 * - refreshes metadata and retries after NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH and other
 *   transient errors, with the cluster's backoff and deadline;
 * - throws {@link OffsetOutOfRangeError} when the offset is not in the log (never jumps by itself).
 */
import type { Cluster } from '../cluster/cluster.js';
import { Fetch, IsolationLevel } from '../protocol/apis/fetch.js';
import { KafkaError, kafkaError } from '../protocol/kafka-error.js';
import { AbortedError, KafkaStageError } from '../errors.js';
import { decodeRecordBatches } from '../protocol/records/decode-batches.js';
import type { KafkaRecord, RecordBatch } from '../protocol/records/types.js';
import type { AbortedTransaction } from './fetch-aborted.js';
import { OffsetOutOfRangeError } from './fetch-errors.js';
import { resolveReadPartitionOptions, type ReadPartitionOptions, type ResolvedReadPartitionOptions } from './fetch-options.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ResponseTooLargeError } from '../network/errors.js';
import { visibleRecords } from './visible-records.js';

export { OffsetOutOfRangeError } from './fetch-errors.js';
export { READ_PARTITION_DEFAULTS, type ReadPartitionOptions } from './fetch-options.js';

const EMPTY = Buffer.alloc(0);
/** Topic ids name topics in Fetch from this version on. */
const FIRST_TOPIC_ID_VERSION = 13;

/** The part of one partition's Fetch answer the reader uses. */
interface FetchedPartition {
  highWatermark: number;
  lastStableOffset: number;
  abortedTransactions: AbortedTransaction[] | null;
  records: Buffer;
}

/**
 * One fetched batch with the records of it the reader hands out: its records from the reader's
 * position on, up to `untilOffset` and `maxRecords` (a batch can start before the offset asked for,
 * and the last one may be cut by the limits). Which records those are is decided as for the
 * consumer (the same visible-records walk); the shape is the walk's own run, declared here so the
 * public type stands alone.
 */
export interface FetchedBatch {
  /** The batch as decoded (compression, size on the wire, producer id, …). */
  batch: RecordBatch;
  /** Its records handed out, in offset order. */
  records: KafkaRecord[];
}

/**
 * Reads records of one partition from `fromOffset`, as an async iterator. Options are validated
 * now (InvalidOptionError naming the option); nothing is sent until the first `next()`. Ends at
 * `untilOffset` or after `maxRecords`; otherwise tails the partition until `signal` aborts it or
 * the loop breaks.
 */
export function readPartition(cluster: Cluster, options: ReadPartitionOptions): AsyncGenerator<KafkaRecord, void, undefined> {
  return flatten(readPartitionBatches(cluster, options));
}

async function* flatten(batches: AsyncGenerator<FetchedBatch, void, undefined>): AsyncGenerator<KafkaRecord, void, undefined> {
  for await (const fetched of batches) yield* fetched.records;
}

/**
 * Like {@link readPartition}, a batch at a time: fewer awaits per record, and the batch's own
 * facts (compression, bytes on the wire). Control batches and aborted transactions are not handed out.
 */
export function readPartitionBatches(cluster: Cluster, options: ReadPartitionOptions): AsyncGenerator<FetchedBatch, void, undefined> {
  return readBatches(cluster, resolveReadPartitionOptions(options));
}

/**
 * Reads a partition into an array: from `fromOffset` up to `untilOffset` (default: the high
 * watermark when reading starts, so the call ends once it has what the log held).
 */
export async function readAll(cluster: Cluster, options: ReadPartitionOptions): Promise<KafkaRecord[]> {
  const out: KafkaRecord[] = [];
  for await (const fetched of readPartitionBatches(cluster, { untilOffset: 'high-watermark', ...options })) {
    for (const record of fetched.records) out.push(record);
  }
  return out;
}

async function* readBatches(cluster: Cluster, o: ResolvedReadPartitionOptions): AsyncGenerator<FetchedBatch, void, undefined> {
  let offset = o.fromOffset;
  let until = typeof o.untilOffset === 'number' ? o.untilOffset : Infinity;
  let untilKnown = o.untilOffset !== 'high-watermark';
  let left = o.maxRecords;
  let fetchBytes = o.maxBytes;
  while (left > 0 && offset < until) {
    const fetched = await fetchOnce(cluster, o, offset, fetchBytes);
    if (!untilKnown) {
      until = o.readCommitted ? fetched.lastStableOffset : fetched.highWatermark;
      untilKnown = true;
      if (offset >= until) return;
    }
    const decoded = await decodeRecordBatches(fetched.records, {
      verifyCrc: o.verifyCrc,
      maxDecompressedBytes: o.maxDecompressedBytes,
      topic: o.topic,
      partition: o.partition,
    });
    if (decoded.batches.length === 0 && decoded.truncatedTail) {
      // Not even one whole batch fitted (brokers normally send the first batch whole): ask for more.
      fetchBytes = growFetchSize(cluster, o, fetchBytes, fetched.records.length);
      continue;
    }
    fetchBytes = o.maxBytes;
    // Under read_committed every marker is read, whether or not the answer listed aborts.
    const visible = visibleRecords(decoded.batches, offset, {
      abortedTransactions: o.readCommitted ? (fetched.abortedTransactions ?? []) : null,
      until,
      maxRecords: left,
    });
    for (const run of visible.runs) yield run;
    if (visible.unreadable !== null) throw visible.unreadable.cause;
    left -= visible.count;
    offset = visible.position;
    if (visible.reachedLimit) return;
  }
}

/** The next fetch size after a response that held no complete batch. */
function growFetchSize(cluster: Cluster, o: ResolvedReadPartitionOptions, current: number, received: number): number {
  const ceiling = cluster.options.maxResponseBytes;
  if (current >= ceiling) {
    throw new ResponseTooLargeError(
      `a record batch of ${o.topic}/${o.partition} does not fit in ${ceiling} bytes (maxResponseBytes)`,
      { topic: o.topic, partition: o.partition, api: 'Fetch', received, option: 'maxResponseBytes' },
      false,
    );
  }
  return Math.min(ceiling, current * 2);
}

function abortedError(o: ResolvedReadPartitionOptions): AbortedError {
  return new AbortedError(`reading ${o.topic}/${o.partition} was aborted`, { topic: o.topic, partition: o.partition, api: 'Fetch' }, o.signal?.reason);
}

/** One Fetch of one partition from its leader, retried on transient errors. */
async function fetchOnce(cluster: Cluster, o: ResolvedReadPartitionOptions, offset: number, bytes: number): Promise<FetchedPartition> {
  const where = { topic: o.topic, partition: o.partition, api: 'Fetch' };
  return cluster.withRetry(
    `Fetch ${o.topic}/${o.partition}`,
    async () => {
      if (o.signal?.aborted) throw abortedError(o);
      const info = await cluster.topic(o.topic);
      const meta = info.partitions[o.partition];
      if (!meta) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, where);
      const leader = await cluster.leaderFor(o.topic, o.partition);
      const { response, version } = await cluster.requestWithVersion(
        leader,
        Fetch,
        () => ({
          maxWaitMs: o.maxWaitMs,
          minBytes: 1,
          maxBytes: bytes,
          isolationLevel: o.readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED,
          // No fetch session: every request is a full fetch of this one partition.
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: o.topic,
              topicId: info.topicId,
              partitions: [
                {
                  partition: o.partition,
                  // Lets the broker tell us our leader is stale (FENCED_LEADER_EPOCH) instead of serving us.
                  currentLeaderEpoch: meta.leaderEpoch,
                  fetchOffset: BigInt(offset),
                  partitionMaxBytes: bytes,
                },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        }),
        { timeoutMs: cluster.options.requestTimeoutMs + o.maxWaitMs, signal: o.signal },
      );
      const topLevel = kafkaError(response.errorCode, { ...where, broker: leader });
      if (topLevel) throw topLevel;
      const topic = response.responses.find((t) => (version >= FIRST_TOPIC_ID_VERSION ? t.topicId === info.topicId : t.topic === o.topic));
      const data = topic?.partitions.find((p) => p.partitionIndex === o.partition);
      if (!data) {
        throw new KafkaStageError('ERR_PROTOCOL', `the Fetch response of broker ${leader} did not mention ${o.topic}/${o.partition}`, {
          context: { ...where, broker: leader },
          retriable: true,
        });
      }
      if (data.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
        throw new OffsetOutOfRangeError(o.topic, o.partition, offset, {
          logStartOffset: Number(data.logStartOffset),
          highWatermark: Number(data.highWatermark),
          broker: leader,
        });
      }
      const err = kafkaError(data.errorCode, { ...where, broker: leader });
      if (err) throw err;
      return {
        highWatermark: Number(data.highWatermark),
        lastStableOffset: Number(data.lastStableOffset),
        abortedTransactions: data.abortedTransactions,
        records: data.records ?? EMPTY,
      };
    },
    [o.topic],
    o.signal,
  );
}
