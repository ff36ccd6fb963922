/** Typed errors of the fetch path. */
import { KafkaError } from '../protocol/error-codes.js';

const OFFSET_OUT_OF_RANGE = 1;

/**
 * The offset asked for lies outside the partition's log: below its start (deleted by retention) or
 * past its end. A KafkaError with `errorCode` 1, plus the bounds the broker reported, so a caller
 * can decide where to resume (Java `OffsetOutOfRangeException`). Never retried: jumping elsewhere
 * is the caller's decision (`autoOffsetReset`), not the fetch path's.
 */
export class OffsetOutOfRangeError extends KafkaError {
  /** The offset that was asked for. */
  readonly offset: number;
  /** The log start offset the broker reported, -1 when it did not say. */
  readonly logStartOffset: number;
  /** The high watermark the broker reported, -1 when it did not say. */
  readonly highWatermark: number;

  constructor(topic: string, partition: number, offset: number, bounds: { logStartOffset: number; highWatermark: number; broker?: number }) {
    super(
      OFFSET_OUT_OF_RANGE,
      { topic, partition, api: 'Fetch', broker: bounds.broker, offset },
      { brokerMessage: `offset ${offset} is outside the log (start ${bounds.logStartOffset}, high watermark ${bounds.highWatermark})` },
    );
    this.offset = offset;
    this.logStartOffset = bounds.logStartOffset;
    this.highWatermark = bounds.highWatermark;
  }
}
