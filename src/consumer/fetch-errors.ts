/** Typed errors of the fetch path. */
import { KafkaError } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';


/**
 * The offset asked for lies outside the partition's log: below its start (deleted by retention) or
 * past its end. A KafkaError with `errorCode` 1, plus the bounds the broker reported, so a caller
 * can decide where to resume (Java `OffsetOutOfRangeException`). Never retried: jumping elsewhere
 * is the caller's decision (`autoOffsetReset`), not the fetch path's.
 */
export class OffsetOutOfRangeError extends KafkaError {
  static override readonly brand: string = 'OffsetOutOfRangeError';
  /** The offset that was asked for. */
  readonly offset: number;
  /** The log start offset the broker reported, -1 when it did not say. */
  readonly logStartOffset: number;
  /** The high watermark the broker reported, -1 when it did not say. */
  readonly highWatermark: number;

  constructor(topic: string, partition: number, offset: number, bounds: { logStartOffset: number; highWatermark: number; broker?: number }) {
    super(
      ErrorCode.OFFSET_OUT_OF_RANGE,
      { topic, partition, api: 'Fetch', broker: bounds.broker, offset },
      { brokerMessage: `offset ${offset} is outside the log (start ${bounds.logStartOffset}, high watermark ${bounds.highWatermark})` },
    );
    this.offset = offset;
    this.logStartOffset = bounds.logStartOffset;
    this.highWatermark = bounds.highWatermark;
  }
}

/** Where and why a partition's fetching stopped making progress. */
export interface NoProgressContext {
  topic: string;
  partition: number;
  /** The fetch offset every round asked for. */
  offset: number;
  /** Node id of the broker that answered. */
  broker: number;
  /** Consecutive rounds without progress. */
  rounds: number;
  /** What the last answer was, in words (e.g. "every batch below the fetch offset"). */
  reason: string;
}

/**
 * Fetching a partition made no progress for a bounded number of consecutive rounds (Java: "failed
 * to make progress"): the broker kept answering without moving the position (batches all below the
 * fetch offset, a first batch always cut, OFFSET_OUT_OF_RANGE naming the offset asked as the log
 * start). Code `ERR_NO_PROGRESS`; the partition is parked at `offset` until its stage seeks.
 */
export class NoProgressError extends KafkaStageError {
  static override readonly brand: string = 'NoProgressError';
  /** The fetch offset that made no progress. */
  readonly offset: number;

  constructor(where: NoProgressContext) {
    super(
      'ERR_NO_PROGRESS',
      `fetching ${where.topic}/${where.partition} from broker ${where.broker} made no progress at offset ${where.offset} in ${where.rounds} rounds: ${where.reason}`,
      { context: { ...where, api: 'Fetch' }, retriable: false },
    );
    this.offset = where.offset;
  }
}
