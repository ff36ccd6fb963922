/**
 * Runs one SASL exchange over Kafka requests: SaslHandshake v1 names the mechanism, then
 * SaslAuthenticate carries the mechanism's messages until it is complete. Used for the first
 * authentication of a connection and for each re-authentication (KIP-368) alike.
 */
import { negotiateVersion, type BrokerApiVersions } from '../../protocol/versions.js';
import { SaslAuthenticate } from '../../protocol/apis/sasl-authenticate.js';
import { SaslHandshake } from '../../protocol/apis/sasl-handshake.js';
import { ErrorCode, errorNameOf } from '../../protocol/error-codes.js';
import { KafkaStageError } from '../../errors.js';
import type { AnyApi, RequestIn, ResponseOut } from '../../protocol/schema.js';
import { SaslAuthenticationError, UnsupportedSaslMechanismError, type SaslErrorContext } from './errors.js';
import type { SaslMechanism, SaslMechanismContext } from './mechanism.js';

/** Sends one request on the connection being authenticated and resolves with its response. */
export type SaslRequester = <A extends AnyApi>(api: A, version: number, body: RequestIn<A>) => Promise<ResponseOut<A>>;

/** The outcome of a successful exchange. */
export interface SaslSession {
  /** Session lifetime the broker granted (SaslAuthenticate v1+), ms; 0: no limit, no re-authentication needed. */
  sessionLifetimeMs: number;
  /** `performance.now()` when the last SaslAuthenticate was sent: the lifetime counts from about then. */
  startedAt: number;
}

/** Most SaslAuthenticate round trips of one exchange; SCRAM needs 2, a server wanting more is looping. */
const MAX_ROUNDS = 16;

/**
 * Authenticates with `mechanism` through `request`. Rejects with a {@link SaslAuthenticationError}
 * (never retriable) when the broker or the mechanism refuses, with an
 * {@link UnsupportedSaslMechanismError} when the broker does not enable the mechanism, and with the
 * connection's own errors (retriable) when the connection fails meanwhile.
 */
export async function runSaslExchange(
  request: SaslRequester,
  versions: BrokerApiVersions,
  mechanism: SaslMechanism,
  context: SaslMechanismContext,
): Promise<SaslSession> {
  const where: SaslErrorContext = { mechanism: mechanism.mechanism, broker: context.broker };
  if (mechanism.principal !== undefined) where.user = mechanism.principal;
  if (context.reauthentication) where.reauthentication = true;

  const handshakeVersion = negotiateVersion(SaslHandshake, versions, context.broker);
  const handshake = await request(SaslHandshake, handshakeVersion, { mechanism: mechanism.mechanism });
  if (handshake.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM) throw new UnsupportedSaslMechanismError(where, handshake.mechanisms);
  if (handshake.errorCode !== ErrorCode.NONE) {
    // A PLAINTEXT or SSL listener has authenticated the connection already and answers ILLEGAL_SASL_STATE.
    const hint = handshake.errorCode === ErrorCode.ILLEGAL_SASL_STATE ? ': the listener does not take SASL (a PLAINTEXT or SSL port?)' : '';
    throw new SaslAuthenticationError(`SaslHandshake answered ${errorNameOf(handshake.errorCode)} (${handshake.errorCode})${hint}`, {
      ...where,
      errorCode: handshake.errorCode,
    });
  }

  const authenticateVersion = negotiateVersion(SaslAuthenticate, versions, context.broker);
  const exchange = await step(where, () => mechanism.start(context));
  const first = await step(where, () => exchange.respond(null));
  if (first === null) throw new SaslAuthenticationError('the mechanism produced no first message', where);
  let message: Buffer = first;
  let startedAt = performance.now();
  let lifetime = 0n;
  for (let round = 1; ; round++) {
    if (round > MAX_ROUNDS) throw new SaslAuthenticationError(`the exchange did not complete in ${MAX_ROUNDS} rounds`, where);
    startedAt = performance.now();
    const response = await request(SaslAuthenticate, authenticateVersion, { authBytes: message });
    if (response.errorCode !== ErrorCode.NONE) {
      const brokerMessage = response.errorMessage ?? undefined;
      const detail = brokerMessage ? `: ${brokerMessage}` : '';
      const context: SaslErrorContext = { ...where, errorCode: response.errorCode };
      if (brokerMessage !== undefined) context.brokerMessage = brokerMessage;
      throw new SaslAuthenticationError(`the broker answered ${errorNameOf(response.errorCode)} (${response.errorCode})${detail}`, context);
    }
    lifetime = response.sessionLifetimeMs;
    const challenge: Buffer = response.authBytes;
    const next: Buffer | null = await step(where, () => exchange.respond(challenge));
    if (next === null) break;
    message = next;
  }
  const sessionLifetimeMs = lifetime > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Math.max(0, Number(lifetime));
  return { sessionLifetimeMs, startedAt };
}

/** Runs a mechanism step; what it throws becomes a SaslAuthenticationError with the context added. */
async function step<T>(where: SaslErrorContext, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SaslAuthenticationError) throw err;
    if (err instanceof KafkaStageError && err.retriable) throw err;
    const reason = err instanceof Error ? err.message : 'the mechanism failed';
    throw new SaslAuthenticationError(reason, where, err);
  }
}
