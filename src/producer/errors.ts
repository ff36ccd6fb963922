/** The producer's errors: a record that can never be sent, a record not acknowledged in time. */
import { KafkaStageError, type ErrorContext } from '../errors.js';

/** A record that can never be sent: larger than the producer's `maxRequestSize` (or `bufferMemory`). */
export class RecordTooLargeError extends KafkaStageError {
  static override readonly brand: string = 'RecordTooLargeError';
  /** Estimated size of the record in a batch, bytes. */
  readonly sizeBytes: number;
  /** The limit it exceeds, bytes. */
  readonly limitBytes: number;

  constructor(sizeBytes: number, limitBytes: number, option: string, context: ErrorContext = {}) {
    super('ERR_RECORD_TOO_LARGE', `record of ${sizeBytes} bytes exceeds ${option} (${limitBytes} bytes)`, {
      context: { ...context, option },
      retriable: false,
    });
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * A produced record was not acknowledged within the producer's `deliveryTimeoutMs` (Java
 * `delivery.timeout.ms`); `cause` is the last error seen, if any. The record may or may not have
 * been written.
 */
export class DeliveryTimeoutError extends KafkaStageError {
  static override readonly brand: string = 'DeliveryTimeoutError';

  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_DELIVERY_TIMEOUT', message, { context, cause, retriable: false });
  }
}
