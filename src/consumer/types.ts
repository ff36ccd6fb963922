/**
 * Public shapes of the consumer: what subscribers receive, what they ack, what the group reports.
 */
import type { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { TopicPartition, TopicPartitionOffset } from '../protocol/topic-partition.js';
import type { ErrorHandler, RecordsHandler } from './delivery/manual.js';

export type { ErrorHandler, RecordsHandler };

/** Records of one partition handed out together. `records` are in offset order. */
export interface ConsumerBatch {
  topic: string;
  partition: number;
  records: KafkaRecord[];
  /** Offset of the first and last record of `records`. */
  firstOffset: number;
  lastOffset: number;
}

/** What `ack` accepts: a record, a batch, or an offset (of one record). */
export type Ackable = KafkaRecord | ConsumerBatch | number;

/** Live figures of one partition stage. Offsets are "next offset" positions. */
export interface PartitionStats {
  topic: string;
  partition: number;
  /** Next offset to fetch. */
  fetchedOffset: number;
  /** One past the last record delivered to the subscriber. */
  deliveredOffset: number;
  /** First offset not acked (the committable offset). */
  ackedOffset: number;
  /** Last offset committed successfully in this assignment, or null before the first commit. */
  committedOffset: number | null;
  bufferedRecords: number;
  bufferedBytes: number;
  /** Demand the subscriber asked for and has not been given yet. */
  outstandingDemand: number;
  /** Records delivered and not acked. */
  inFlight: number;
  /** High watermark minus the delivered offset, from the last Fetch response (null before one). */
  lag: number | null;
  highWatermark: number | null;
  /** Milliseconds the oldest unacked delivery has been held, 0 when none. */
  oldestInFlightMs: number;
  /** The subscriber failure the partition is handling (see the `onFailure` option), or null. */
  failure: PartitionFailureStats | null;
}

/** A partition's subscriber failure, as {@link PartitionStats} shows it. */
export interface PartitionFailureStats {
  /**
   * `retrying`: waiting out the backoff, or delivering again from `offset`; `deadLettering`:
   * producing the failed records to the dead-letter topic; `stopped`: retries are exhausted and the
   * policy says stop (the partition delivers nothing until `release()`).
   */
  state: 'retrying' | 'deadLettering' | 'stopped';
  /** Offset of the first failed record. */
  offset: number;
  /** Deliveries of that record so far. */
  attempts: number;
  /** The latest error the subscriber failed with. */
  error: Error;
}

/** How a subscriber takes records: GenStage-style demand. */
export interface DemandOptions {
  /** Most records asked for at once. Default 2000. */
  maxDemand?: number;
  /** Ask again when outstanding demand falls to this (GenStage `min_demand`). Default floor(maxDemand × 3 / 4), as GenStage. */
  minDemand?: number;
}

/** Events a consumer emits; also published on `node:diagnostics_channel` channels `kafka-stage:consumer:<event>`. */
export interface ConsumerEvents {
  /** Partitions assigned to this member (incremental under cooperative rebalancing). */
  assign: [{ partitions: TopicPartition[]; generationId: number }];
  /** Partitions revoked cleanly (drained and committed). */
  revoke: [{ partitions: TopicPartition[] }];
  /** Partitions lost without a commit (fenced, session expired). */
  lost: [{ partitions: TopicPartition[]; reason: string }];
  /** A commit completed or failed. */
  commit: [{ offsets: TopicPartitionOffset[]; error: Error | null }];
  /** A failure the consumer could not absorb (typed KafkaStageError). */
  error: [Error];
  /** A handler has held records longer than maxProcessingMs (heartbeats go on regardless). */
  stuck: [StuckReport];
}

/** What the `stuck` event reports: a partition whose handler holds records too long. */
export interface StuckReport extends TopicPartition {
  /** Milliseconds the oldest unacked delivery has been held. */
  heldMs: number;
  /** Records delivered and not acked. */
  inFlight: number;
}

/** Names of consumer events. */
export type ConsumerEventName = keyof ConsumerEvents;

/**
 * One assigned partition as its subscriber sees it: a bounded, demand-driven source of the
 * partition's records, and where they are acked. A consumer hands one to its subscriber factory
 * per assigned partition, and `consumer.stage(topic, partition)` returns the one of an owned
 * partition.
 *
 * Records are taken in exactly one way at a time: {@link records} (also `for await (… of stage)`),
 * {@link batches}, {@link ask} with {@link onRecords}, {@link readable} or {@link readableStream};
 * a second way throws StageBusyError (`ERR_STAGE_BUSY`). Only delivered records can be acked, and
 * only the contiguous acked prefix is ever committed.
 */
export interface PartitionStage extends AsyncIterable<KafkaRecord> {
  /** The partition's topic. */
  readonly topic: string;
  /** The partition's number. */
  readonly partition: number;
  /**
   * Aborted when the stage stops delivering: the partition was revoked, lost, released or the
   * consumer stopped. Its reason is an AbortedError (`ERR_ABORTED`) naming which.
   */
  readonly signal: AbortSignal;

  /**
   * The partition's records, one per `next()`. Asks for `maxDemand` records (default 2000) at the
   * first `next()` and asks again once outstanding demand falls to `minDemand`. Ends when the
   * stage stops; rejects with a fetch error the consumer could not get past.
   *
   * @throws StageBusyError when records are already taken another way.
   * @throws InvalidOptionError for bad demand options.
   */
  records(options?: DemandOptions): AsyncIterableIterator<KafkaRecord, undefined>;

  /** Same as {@link records} with default demand: `for await (const record of stage)`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<KafkaRecord, undefined>;

  /**
   * The partition's records in batches, as they are buffered (a batch never waits to fill).
   * Ack a whole batch with `ack(batch)`.
   *
   * @throws StageBusyError when records are already taken another way.
   * @throws InvalidOptionError for bad demand options.
   */
  batches(options?: DemandOptions): AsyncIterableIterator<ConsumerBatch, undefined>;

  /**
   * Manual demand: asks for `n` more records (asks add up). Records reach the handler set with
   * {@link onRecords} only against asks. Ignored once the stage has stopped.
   *
   * @throws InvalidArgumentError when `n` is not a non-negative safe integer.
   * @throws StageBusyError when records are already taken another way.
   */
  ask(n: number): void;

  /**
   * Manual demand: `handler` receives buffered records against outstanding demand, in offset
   * order, from a microtask. `onError` receives a fetch error the consumer could not get past or
   * an error the handler threw; without it, such an error becomes an uncaught exception.
   *
   * @throws StageBusyError when records are already taken another way.
   */
  onRecords(handler: RecordsHandler, onError?: ErrorHandler): void;

  /**
   * The records as a Node `Readable` in object mode, `highWaterMark` = `maxDemand` (default 2000).
   * Ends when the stage stops; a fetch error destroys it.
   *
   * @throws StageBusyError when records are already taken another way.
   */
  readable(options?: Pick<DemandOptions, 'maxDemand'>): Readable;

  /**
   * The records as a Web `ReadableStream` with a count queuing strategy of `maxDemand` (default
   * 2000). Closes when the stage stops; a fetch error errors it.
   *
   * @throws StageBusyError when records are already taken another way.
   */
  readableStream(options?: Pick<DemandOptions, 'maxDemand'>): ReadableStream<KafkaRecord>;

  /**
   * Acks a record, a batch (every delivered offset in it) or an offset, in any order. Under the
   * `sync` commit strategy the promise resolves once a durable commit covers the ack and rejects
   * with the commit's error, or with CommitLostError (`ERR_COMMIT_LOST`) when no commit ever will;
   * under `async` and `none` it resolves at once. Rejects with InvalidArgumentError
   * (`ERR_INVALID_ARGUMENT`), acking nothing, for a record or batch of another partition.
   */
  ack(item: Ackable): Promise<void>;

  /**
   * Reports that the subscriber failed on a record, a batch (its delivered, unacked records) or an
   * offset, with `error`; the consumer's `onFailure` policy takes over: delivery stops at once
   * (`signal` aborts), and after the policy's backoff the partition is delivered again from its
   * first unacked offset (each record carrying its `attempt`), until the record is dead-lettered or
   * the partition stops, as the policy says. Returns false, doing nothing, when none of the records
   * named is delivered and unacked, or the stage already stopped delivering.
   *
   * @throws InvalidArgumentError (`ERR_INVALID_ARGUMENT`) for something that is no record, batch
   *   or offset, and for a record or batch of another partition.
   */
  nack(item: Ackable, error?: unknown): boolean;

  /** Live figures of the partition: positions, buffer, demand, in-flight records, lag, and a failure if one stands. */
  stats(): PartitionStats;
}
