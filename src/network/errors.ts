/** The network layer's errors: a connection that failed, closed or timed out, or a frame too large to accept. */
import { KafkaStageError, type ErrorContext, type KafkaStageErrorCode } from '../errors.js';
import { ProtocolError } from '../protocol/errors.js';

/**
 * A socket to a broker failed or closed. `code` is `ERR_CONNECTION` for socket errors and failed
 * connects, `ERR_CONNECTION_CLOSED` when the connection was closed (by either side) with requests
 * still waiting. Always retriable: the request can be sent again on a new connection.
 */
export class ConnectionError extends KafkaStageError {
  static override readonly brand: string = 'ConnectionError';

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
  static override readonly brand: string = 'ConnectionClosedError';

  constructor(message: string, context: ErrorContext = {}, cause?: unknown) {
    super(message, context, cause, 'ERR_CONNECTION_CLOSED');
  }
}

/** A request got no response within its timeout (Java `request.timeout.ms`). Retriable. */
export class RequestTimeoutError extends KafkaStageError {
  static override readonly brand: string = 'RequestTimeoutError';

  constructor(message: string, context: ErrorContext = {}) {
    super('ERR_REQUEST_TIMEOUT', message, { context, retriable: true });
  }
}

/**
 * A response does not fit in the configured maximum (`maxResponseBytes`): a broker announced a
 * larger frame (nothing was allocated for it), or a partition's record batch is larger than any
 * response may be. A {@link ProtocolError} whose `code` is `ERR_RESPONSE_TOO_LARGE`, so a caller can
 * tell "raise the limit or ask for less" apart from other malformed input. `retriable` is false for
 * a batch that can never fit: asking again brings the same batch.
 */
export class ResponseTooLargeError extends ProtocolError {
  static override readonly brand: string = 'ResponseTooLargeError';

  constructor(message: string, context: ErrorContext = {}, retriable = true) {
    super(message, context);
    // ProtocolError fixes its code; this subclass narrows it, keeping `instanceof ProtocolError`.
    (this as { code: KafkaStageErrorCode }).code = 'ERR_RESPONSE_TOO_LARGE';
    (this as { retriable: boolean }).retriable = retriable;
  }
}
