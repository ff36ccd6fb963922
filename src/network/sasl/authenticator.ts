/**
 * The resolved `sasl` option: runs a mechanism on each new connection and keeps the connection
 * authenticated. When the broker grants a session lifetime (KIP-368, SaslAuthenticate v1+), the
 * connection re-authenticates at a random point between 85 % and 95 % of it (jitter keeps a
 * client's many connections from re-authenticating at once), without dropping requests.
 */
import { channel } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import type { BrokerApiVersions } from '../../protocol/versions.js';
import type { Connection } from '../connection.js';
import { runSaslExchange, type SaslSession } from './exchange.js';
import type { SaslMechanism, SaslMechanismContext } from './mechanism.js';

/** Broker ranges by API key, as ApiVersions named them. */
export type SaslBrokerVersions = BrokerApiVersions;

/** Runs the SASL exchange on a freshly opened connection (after ApiVersions). */
export interface SaslAuthenticator {
  /** Mechanism name, for logs and errors. */
  readonly mechanism: string;
  /** User or principal, for logs and errors (never a secret). */
  readonly principal: string | undefined;
  /**
   * Authenticates `conn` and schedules its re-authentications. Rejects with a
   * `SaslAuthenticationError` (not retriable) when the broker or the mechanism refuses.
   *
   * @internal The connection calls it; a mechanism of your own implements {@link SaslMechanism}.
   */
  authenticate(conn: Connection, versions: SaslBrokerVersions): Promise<void>;
}

/** Name of the `node:diagnostics_channel` channel on which every SASL authentication is published. */
export const SASL_CHANNEL = 'kafka-stage:sasl';
const saslChannel = channel(SASL_CHANNEL);

/** Published on {@link SASL_CHANNEL} when an authentication or re-authentication of a connection ends. */
export interface SaslEvent {
  /** Broker address `host:port`. */
  broker: string;
  /** SASL mechanism. */
  mechanism: string;
  /** User or principal, when known (never a secret). */
  principal?: string;
  /** True for a re-authentication (KIP-368) of an open connection. */
  reauthentication: boolean;
  /** Session lifetime the broker granted, ms (0: none); absent on failure. */
  sessionLifetimeMs?: number;
  /** Time the exchange took, ms. */
  durationMs: number;
  /** Why it failed; absent on success. */
  error?: Error;
}

/** Re-authenticate between these fractions of the session lifetime. */
export const REAUTH_WINDOW: readonly [number, number] = [0.85, 0.95];
/** Largest delay `setTimeout` honours. */
const MAX_TIMER_MS = 0x7fffffff;

/** Called after each re-authentication of a connection, with its error when it failed (tests, logs). */
export type ReauthListener = (conn: Connection, error?: Error) => void;

/** A {@link SaslAuthenticator} over any {@link SaslMechanism}; the mechanism holds the secrets privately. */
export class MechanismAuthenticator implements SaslAuthenticator {
  readonly #mechanism: SaslMechanism;
  readonly #random: () => number;
  readonly #onReauth: ReauthListener | undefined;

  constructor(mechanism: SaslMechanism, options: { random?: () => number; onReauthenticate?: ReauthListener } = {}) {
    this.#mechanism = mechanism;
    this.#random = options.random ?? Math.random;
    this.#onReauth = options.onReauthenticate;
  }

  /** Mechanism name. */
  get mechanism(): string {
    return this.#mechanism.mechanism;
  }

  /** User or principal. */
  get principal(): string | undefined {
    return this.#mechanism.principal;
  }

  async authenticate(conn: Connection, versions: SaslBrokerVersions): Promise<void> {
    const started = performance.now();
    let session: SaslSession;
    try {
      session = await runSaslExchange((api, version, body) => conn.request(api, version, body), versions, this.#mechanism, contextOf(conn, false));
    } catch (err) {
      this.#publish(conn, false, started, undefined, err);
      throw err;
    }
    this.#publish(conn, false, started, session, undefined);
    this.#schedule(conn, versions, session);
  }

  /** What `util.inspect` and `JSON.stringify` show: the mechanism and principal, nothing secret. */
  toJSON(): { mechanism: string; principal?: string } {
    const principal = this.principal;
    return principal === undefined ? { mechanism: this.mechanism } : { mechanism: this.mechanism, principal };
  }

  [inspect.custom](): string {
    return `SaslAuthenticator ${inspect(this.toJSON())}`;
  }

  #schedule(conn: Connection, versions: SaslBrokerVersions, session: SaslSession): void {
    if (session.sessionLifetimeMs <= 0 || conn.closed) return;
    const [low, high] = REAUTH_WINDOW;
    const at = session.startedAt + session.sessionLifetimeMs * (low + this.#random() * (high - low));
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - performance.now()));
    const onClose = (): void => clearTimeout(timer);
    const timer = setTimeout(() => {
      conn.off('close', onClose);
      void this.#reauthenticate(conn, versions);
    }, delay);
    // A connection nobody uses any more must not keep the process alive for its re-authentication.
    timer.unref();
    conn.on('close', onClose);
  }

  async #reauthenticate(conn: Connection, versions: SaslBrokerVersions): Promise<void> {
    if (conn.closed) return;
    const started = performance.now();
    let session: SaslSession;
    try {
      session = await conn.reauthenticate((request) => runSaslExchange(request, versions, this.#mechanism, contextOf(conn, true)));
    } catch (err) {
      this.#publish(conn, true, started, undefined, err);
      // The connection closed with this error; its waiting requests were rejected (retriably) and the
      // next request reconnects, where a refused credential surfaces as a SaslAuthenticationError.
      this.#onReauth?.(conn, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.#publish(conn, true, started, session, undefined);
    this.#onReauth?.(conn);
    this.#schedule(conn, versions, session);
  }

  #publish(conn: Connection, reauthentication: boolean, started: number, session: SaslSession | undefined, error: unknown): void {
    if (!saslChannel.hasSubscribers) return;
    const event: SaslEvent = { broker: conn.address, mechanism: this.mechanism, reauthentication, durationMs: performance.now() - started };
    if (this.principal !== undefined) event.principal = this.principal;
    if (session) event.sessionLifetimeMs = session.sessionLifetimeMs;
    if (error !== undefined) event.error = error instanceof Error ? error : new Error(String(error));
    saslChannel.publish(event);
  }
}

function contextOf(conn: Connection, reauthentication: boolean): SaslMechanismContext {
  return { host: conn.host, port: conn.port, broker: conn.address, reauthentication };
}
