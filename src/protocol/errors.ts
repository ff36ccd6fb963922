/**
 * The protocol layer's errors: bytes that break the wire format or the record-batch format, and
 * codecs that cannot run. The base class and the errors every layer may throw are in `../errors.ts`;
 * the broker's error codes are in `error-codes.ts` and `kafka-error.ts`.
 */
import { KafkaStageError, type ErrorContext } from '../errors.js';

/** Bytes from a broker (or a buffer) that do not follow the protocol: truncated, oversized, malformed. */
export class ProtocolError extends KafkaStageError {
  static override readonly brand: string = 'ProtocolError';

  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_PROTOCOL', message, { context, cause, retriable: true });
  }
}

/** A record batch whose CRC, lengths or counts do not hold. */
export class CorruptRecordError extends KafkaStageError {
  static override readonly brand: string = 'CorruptRecordError';

  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_CORRUPT_RECORD', message, { context, cause, retriable: false });
  }
}

/** Compression or decompression failed, or a decompressed size exceeded its bound. */
export class CompressionError extends KafkaStageError {
  static override readonly brand: string = 'CompressionError';

  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super('ERR_COMPRESSION', message, { context, cause, retriable: false });
  }
}

/** A compression codec whose npm package is not installed (or has no build for this platform). */
export class CodecUnavailableError extends KafkaStageError {
  static override readonly brand: string = 'CodecUnavailableError';
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
