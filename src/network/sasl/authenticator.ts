/**
 * The resolved `sasl` option: runs a mechanism on each new connection and keeps the connection
 * authenticated. When the broker grants a session lifetime (KIP-368, SaslAuthenticate v1+), the
 * connection re-authenticates at a random point between 85 % and 95 % of it (jitter keeps a
 * client's many connections from re-authenticating at once), without dropping requests.
 */
import { inspect } from 'node:util';
import type { BrokerApiVersions } from '../../cluster/versions.js';
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
   */
  authenticate(conn: Connection, versions: SaslBrokerVersions): Promise<void>;
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
    const session = await runSaslExchange((api, version, body) => conn.request(api, version, body), versions, this.#mechanism, contextOf(conn, false));
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
    let session: SaslSession;
    try {
      session = await conn.reauthenticate((request) => runSaslExchange(request, versions, this.#mechanism, contextOf(conn, true)));
    } catch (err) {
      // The connection closed with this error; its waiting requests were rejected (retriably) and the
      // next request reconnects, where a refused credential surfaces as a SaslAuthenticationError.
      this.#onReauth?.(conn, err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.#onReauth?.(conn);
    this.#schedule(conn, versions, session);
  }
}

function contextOf(conn: Connection, reauthentication: boolean): SaslMechanismContext {
  return { host: conn.host, port: conn.port, broker: conn.address, reauthentication };
}
