/**
 * Typed errors of kafka-stage. Every error has a stable string `code` that callers can switch on,
 * an optional `cause`, and the context needed to act on it (broker, topic, partition).
 */

/** Where an error happened, as far as it is known. */
export interface ErrorContext {
  /** Broker address `host:port` or node id the error relates to. */
  broker?: string | number;
  /** Topic name. */
  topic?: string;
  /** Partition index. */
  partition?: number;
  /** Kafka API name, e.g. `Fetch`. */
  api?: string;
  /** Any further detail useful in a log line. */
  [key: string]: unknown;
}

/** Stable error codes of errors raised by kafka-stage itself (not by the broker). */
export type KafkaStageErrorCode =
  | 'ERR_PROTOCOL'
  | 'ERR_NO_PROGRESS'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CONNECTION'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_REQUEST_TIMEOUT'
  | 'ERR_RESPONSE_TOO_LARGE'
  | 'ERR_UNSUPPORTED_VERSION'
  | 'ERR_CORRUPT_RECORD'
  | 'ERR_COMPRESSION'
  | 'ERR_CODEC_UNAVAILABLE'
  | 'ERR_KAFKA'
  | 'ERR_METADATA'
  | 'ERR_RETRIES_EXHAUSTED'
  | 'ERR_CLOSED'
  | 'ERR_ABORTED'
  | 'ERR_ADMIN_OPERATION'
  | 'ERR_RECORD_TOO_LARGE'
  | 'ERR_DELIVERY_TIMEOUT'
  | 'ERR_STAGE_BUSY'
  | 'ERR_NO_OFFSET'
  | 'ERR_PARTITION_NOT_OWNED'
  | 'ERR_COMMIT_LOST'
  | 'ERR_SUBSCRIBER'
  | 'ERR_SASL_AUTHENTICATION'
  | 'ERR_UNSUPPORTED_SASL_MECHANISM'
  | 'ERR_SUBSCRIBER_TIMEOUT'
  | 'ERR_PARTITION_STOPPED'
  | 'ERR_TOPIC_AUTHORIZATION'
  | 'ERR_GROUP_AUTHORIZATION'
  | 'ERR_CLUSTER_AUTHORIZATION'
  | 'ERR_TRANSACTIONAL_ID_AUTHORIZATION'
  | 'ERR_GROUP_NOT_EMPTY';

/** Base class of every error kafka-stage throws. */
export class KafkaStageError extends Error {
  /** Stable machine-readable code. */
  readonly code: KafkaStageErrorCode;
  /** Context of the failure (broker, topic, partition, api, ...). */
  readonly context: ErrorContext;
  /** True when repeating the operation may succeed. */
  readonly retriable: boolean;

  constructor(
    code: KafkaStageErrorCode,
    message: string,
    options: { cause?: unknown; context?: ErrorContext; retriable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
    this.retriable = options.retriable ?? false;
  }
}

/** Bytes from a broker (or a buffer) that do not follow the protocol: truncated, oversized, malformed. */
export class ProtocolError extends KafkaStageError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_PROTOCOL', message, { context, cause, retriable: true });
  }
}

/** A record batch whose CRC, lengths or counts do not hold. */
export class CorruptRecordError extends KafkaStageError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_CORRUPT_RECORD', message, { context, cause, retriable: false });
  }
}

/** Compression or decompression failed, or a decompressed size exceeded its bound. */
export class CompressionError extends KafkaStageError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_COMPRESSION', message, { context, cause, retriable: false });
  }
}

/** An option given by the user is invalid. `option` names it, as the user spelled it. */
export class InvalidOptionError extends KafkaStageError {
  /** Dotted path of the offending option, e.g. `producer.lingerMs`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('ERR_INVALID_OPTION', `invalid option ${option}: ${message}`, { context: { option } });
    this.option = option;
  }
}

/**
 * An argument given to a method is invalid (an option object's fields fail with
 * {@link InvalidOptionError} instead). `argument` names it as the method's documentation does;
 * nothing was done.
 */
export class InvalidArgumentError extends KafkaStageError {
  /** The offending argument, e.g. `n` of `ask(n)`. */
  readonly argument: string;

  constructor(argument: string, message: string, context: ErrorContext = {}) {
    super('ERR_INVALID_ARGUMENT', message, { context: { ...context, argument }, retriable: false });
    this.argument = argument;
  }
}

/** A compression codec whose npm package is not installed (or has no build for this platform). */
export class CodecUnavailableError extends KafkaStageError {
  /** The npm package that provides the codec. */
  readonly packageName: string;

  constructor(codec: string, packageName: string, cause?: unknown) {
    super('ERR_CODEC_UNAVAILABLE', `${codec} compression needs the npm package ${packageName}: npm install ${packageName}`, {
      context: { codec, package: packageName },
      cause,
      retriable: false,
    });
    this.packageName = packageName;
  }
}

/**
 * A socket to a broker failed or closed. `code` is `ERR_CONNECTION` for socket errors and failed
 * connects, `ERR_CONNECTION_CLOSED` when the connection was closed (by either side) with requests
 * still waiting. Always retriable: the request can be sent again on a new connection.
 */
export class ConnectionError extends KafkaStageError {
  constructor(
    message: string,
    context: ErrorContext = {},
    cause?: unknown,
    code: 'ERR_CONNECTION' | 'ERR_CONNECTION_CLOSED' = 'ERR_CONNECTION',
  ) {
    // A certificate the client refuses stays refused however often it is retried.
    super(code, message, { context, cause, retriable: !isCertificateFailure(cause) });
  }
}

/** Node's codes for a TLS certificate that failed verification, the broker's or (alerts) ours. */
const CERTIFICATE_FAILURE_CODES = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  // The broker refused our client certificate (mTLS): missing, unknown CA, or bad. Retrying sends
  // the same certificate again.
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  // Java brokers answer an untrusted client certificate with certificate_unknown (alert 46); a
  // refused handshake or access is as permanent (the Java client fails SSL handshakes at once too).
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);

function isCertificateFailure(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CERTIFICATE_FAILURE_CODES.has(code);
}

/** The connection was closed (by us or by the broker) while a request waited, or before it was sent. */
export class ConnectionClosedError extends ConnectionError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, context, cause, 'ERR_CONNECTION_CLOSED');
  }
}

/** A request got no response within its timeout (Java `request.timeout.ms`). Retriable. */
export class RequestTimeoutError extends KafkaStageError {
  constructor(message: string, context: ErrorContext = {}) {
    super('ERR_REQUEST_TIMEOUT', message, { context, retriable: true });
  }
}

/**
 * A broker announced a response frame larger than the configured maximum (`maxResponseBytes`).
 * A {@link ProtocolError} whose `code` is `ERR_RESPONSE_TOO_LARGE`, so a caller can tell "raise the
 * limit or ask for less" apart from other malformed input. Nothing was allocated for the frame.
 */
export class ResponseTooLargeError extends ProtocolError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    // ProtocolError fixes its code; this subclass narrows it, keeping `instanceof ProtocolError`.
    (this as { code: KafkaStageErrorCode }).code = 'ERR_RESPONSE_TOO_LARGE';
  }
}

/** An operation was cancelled through an `AbortSignal`; `cause` is the signal's reason. Not retriable. */
export class AbortedError extends KafkaStageError {
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_ABORTED', message, { context, cause, retriable: false });
  }
}

/** A record that can never be sent: larger than the producer's `maxRequestSize` (or `bufferMemory`). */
export class RecordTooLargeError extends KafkaStageError {
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
  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_DELIVERY_TIMEOUT', message, { context, cause, retriable: false });
  }
}

/**
 * A partition stage already has a subscriber: records go to exactly one way of taking them
 * (iterator, batches, manual `ask`, Readable or ReadableStream) at a time.
 */
export class StageBusyError extends KafkaStageError {
  constructor(message: string, context: ErrorContext = {}) {
    super('ERR_STAGE_BUSY', message, { context, retriable: false });
  }
}

/**
 * Partitions have no committed offset and the reset policy is `none` (Java
 * `NoOffsetForPartitionException`): the consumer will not guess where to start. `partitions` names
 * every such partition; `context` names the first.
 */
export class NoOffsetError extends KafkaStageError {
  /** The partitions without a committed offset. */
  readonly partitions: readonly { topic: string; partition: number }[];

  constructor(partitions: readonly { topic: string; partition: number }[]) {
    const first = partitions[0];
    const names = partitions.map((p) => `${p.topic}/${p.partition}`).join(', ');
    super('ERR_NO_OFFSET', `no committed offset for ${names} and autoOffsetReset is 'none'`, {
      context: first ? { topic: first.topic, partition: first.partition } : {},
      retriable: false,
    });
    this.partitions = partitions;
  }
}

/**
 * `stop()` gave up waiting for subscribers (handlers) that did not return by the drain deadline
 * (`drainTimeoutMs` after stop() began, or a short grace after the drain when that passed): their
 * signal was aborted and their stage closed, so whatever they ack later is ignored. `partitions`
 * names every such subscriber's partition; `context` the first. The consumer closed anyway; the
 * handlers' promises are left running, since JavaScript cannot cancel them.
 */
export class SubscriberTimeoutError extends KafkaStageError {
  /** The partitions whose subscriber had not returned. */
  readonly partitions: readonly { topic: string; partition: number }[];

  constructor(partitions: readonly { topic: string; partition: number }[], waitedMs: number) {
    const first = partitions[0];
    const names = partitions.map((p) => `${p.topic}/${p.partition}`).join(', ');
    super('ERR_SUBSCRIBER_TIMEOUT', `stop() gave up after ${waitedMs} ms on the subscriber(s) of ${names}: they ignored their signal and did not return`, {
      context: { ...(first ? { topic: first.topic, partition: first.partition } : {}), partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })), waitedMs },
      retriable: false,
    });
    this.partitions = partitions;
  }
}
