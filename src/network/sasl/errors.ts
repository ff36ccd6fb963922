/**
 * Typed errors of the SASL exchange. They name the mechanism, the user (or principal) and the
 * broker, and never a password, token or salted key: messages are built only from those names,
 * Kafka's error names and the broker's own error message.
 */
import { KafkaStageError, type ErrorContext, type KafkaStageErrorCode } from '../../errors.js';

/** Where a SASL failure happened: the mechanism, the user it authenticated as, the broker. */
export interface SaslErrorContext extends ErrorContext {
  /** SASL mechanism, e.g. `SCRAM-SHA-256`. */
  mechanism: string;
  /** User name or principal, when the mechanism has one (never the password). */
  user?: string;
  /** Broker address `host:port`. */
  broker?: string;
  /** Kafka error code the broker answered with, if any (58: SASL_AUTHENTICATION_FAILED). */
  errorCode?: number;
  /** The message the broker sent with its error code, if any. */
  brokerMessage?: string;
  /** True when the failure came while re-authenticating an open connection (KIP-368). */
  reauthentication?: boolean;
}

/**
 * SASL authentication failed: the broker refused the credentials (SASL_AUTHENTICATION_FAILED), the
 * server failed to prove itself (a SCRAM server signature that does not verify, a nonce that does
 * not extend ours, an absurd iteration count), or the mechanism could not run. Never retriable:
 * the same credentials fail the same way, so the cluster client gives up at once instead of
 * reconnecting in a loop.
 */
export class SaslAuthenticationError extends KafkaStageError {
  static override readonly brand: string = 'SaslAuthenticationError';
  /** SASL mechanism that failed. */
  readonly mechanism: string;
  /** User or principal it authenticated as, when known. */
  readonly user: string | undefined;
  /** Why, in a few words (no secrets). */
  readonly reason: string;

  constructor(reason: string, context: SaslErrorContext, cause?: unknown) {
    const who = context.user === undefined ? '' : ` of user '${context.user}'`;
    const where = context.broker === undefined ? '' : ` at broker ${context.broker}`;
    const again = context.reauthentication ? 're-authentication' : 'authentication';
    super('ERR_SASL_AUTHENTICATION', `SASL ${context.mechanism} ${again}${who} failed${where}: ${reason}`, {
      context,
      cause,
      retriable: false,
    });
    this.mechanism = context.mechanism;
    this.user = context.user;
    this.reason = reason;
  }
}

/**
 * The broker does not enable the requested mechanism (UNSUPPORTED_SASL_MECHANISM, 33).
 * `enabledMechanisms` lists the ones it does, as its SaslHandshake response named them.
 */
export class UnsupportedSaslMechanismError extends SaslAuthenticationError {
  static override readonly brand: string = 'UnsupportedSaslMechanismError';
  /** Mechanisms the broker has enabled on this listener. */
  readonly enabledMechanisms: readonly string[];

  constructor(context: SaslErrorContext, enabledMechanisms: readonly string[]) {
    const list = enabledMechanisms.length > 0 ? enabledMechanisms.join(', ') : 'none';
    super(`the broker does not enable ${context.mechanism} (it enables: ${list})`, { ...context, enabledMechanisms: [...enabledMechanisms] });
    // SaslAuthenticationError fixes its code; this subclass narrows it, keeping `instanceof`.
    (this as { code: KafkaStageErrorCode }).code = 'ERR_UNSUPPORTED_SASL_MECHANISM';
    this.enabledMechanisms = Object.freeze([...enabledMechanisms]);
  }
}
