/**
 * OAUTHBEARER (RFC 7628, KIP-255): the client sends `n,,\x01auth=Bearer <token>\x01<k>=<v>\x01…\x01\x01`.
 * Tokens come from a user-supplied async provider; one token is shared by every connection and
 * re-authentication until 80 % of its lifetime has passed, then the next authentication fetches a
 * fresh one (concurrent connections share one provider call). A token the broker refuses is
 * dropped, so the next attempt asks the provider again.
 *
 * On failure the broker answers the first message with a JSON error (RFC 7628 §3.2.2); the client
 * must reply with a single \x01, after which the broker fails the exchange with
 * SASL_AUTHENTICATION_FAILED and its message.
 */
import type { SaslExchange, SaslMechanism, SaslMechanismContext } from './mechanism.js';

/** What an OAUTHBEARER token provider returns. */
export interface OAuthBearerToken {
  /** The bearer token (usually a JWT). */
  value: string;
  /** How long the token stays valid from now, ms. With neither this nor `expiresAt`, a JWT's `exp` claim is used, else the token is fetched anew for every authentication. */
  lifetimeMs?: number;
  /** When the token expires, ms since the epoch (an alternative to `lifetimeMs`). */
  expiresAt?: number;
  /** SASL extensions (KIP-342), e.g. `{ logicalCluster: 'lkc-123' }` for Confluent Cloud. */
  extensions?: Record<string, string>;
}

/** Returns a token; called when there is none or the cached one has used 80 % of its lifetime. */
export type OAuthBearerTokenProvider = () => OAuthBearerToken | Promise<OAuthBearerToken>;

/** Fraction of a token's lifetime after which the next authentication fetches a new one. */
export const TOKEN_REFRESH_FRACTION = 0.8;
const KEY = /^[A-Za-z]+$/;
/** RFC 7628 value: printable ASCII, space, tab, CR, LF. */
const VALUE = /^[\x21-\x7e \t\r\n]*$/;
/** RFC 6750 b64token. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

interface Cached {
  value: string;
  extensions: [string, string][];
  refreshAt: number;
}

/** OAUTHBEARER; the current token lives in a private field only. */
export class OAuthBearerMechanism implements SaslMechanism {
  /** Always `OAUTHBEARER`. */
  readonly mechanism = 'OAUTHBEARER';
  /** Principal named in errors, when the user gave one. */
  readonly principal: string | undefined;
  readonly #provider: OAuthBearerTokenProvider;
  readonly #now: () => number;
  #cached: Cached | undefined;
  #fetching: Promise<Cached> | undefined;

  /** `now` is for tests (token expiry without waiting). */
  constructor(provider: OAuthBearerTokenProvider, principal?: string, now: () => number = Date.now) {
    this.#provider = provider;
    this.principal = principal;
    this.#now = now;
  }

  /** The first message carries the token; an empty answer completes, a JSON error gets the \x01 reply. */
  start(_context: SaslMechanismContext): SaslExchange {
    let step = 0;
    let sentToken: Cached | undefined;
    return {
      respond: async (challenge) => {
        step++;
        if (step === 1) {
          sentToken = await this.#token();
          const extensions = sentToken.extensions.map(([k, v]) => `${k}=${v}\x01`).join('');
          return Buffer.from(`n,,\x01auth=Bearer ${sentToken.value}\x01${extensions}\x01`, 'utf8');
        }
        if (step === 2 && challenge !== null && challenge.length > 0) {
          // The broker refused the token: forget it, and finish the exchange as RFC 7628 asks;
          // the broker's SaslAuthenticate error then carries its reason.
          if (this.#cached === sentToken) this.#cached = undefined;
          return Buffer.from([0x01]);
        }
        return null;
      },
    };
  }

  /** The cached token, or a new one when there is none or it is due for refresh. */
  #token(): Promise<Cached> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAt) return Promise.resolve(cached);
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  async #fetch(): Promise<Cached> {
    const fetchedAt = this.#now();
    let token: unknown;
    try {
      token = await this.#provider();
    } catch (err) {
      throw new Error('the OAUTHBEARER token provider failed', { cause: err });
    }
    const cached = checkToken(token, fetchedAt);
    this.#cached = cached;
    return cached;
  }
}

/** Validates a provider's answer; messages name the fault, never the token. */
function checkToken(token: unknown, fetchedAt: number): Cached {
  if (token === null || typeof token !== 'object') throw new Error('the token provider did not return an object { value, lifetimeMs?, extensions? }');
  const t = token as Partial<Record<keyof OAuthBearerToken, unknown>>;
  if (typeof t.value !== 'string' || !TOKEN.test(t.value)) throw new Error('the token provider returned no token value, or one with characters a bearer token cannot have');
  const extensions: [string, string][] = [];
  if (t.extensions !== undefined) {
    if (t.extensions === null || typeof t.extensions !== 'object') throw new Error('the token extensions are not an object of strings');
    for (const [key, value] of Object.entries(t.extensions as Record<string, unknown>)) {
      if (!KEY.test(key) || key === 'auth') throw new Error(`the token extension name '${key.slice(0, 40)}' is not allowed (letters only, not 'auth')`);
      if (typeof value !== 'string' || !VALUE.test(value)) throw new Error(`the token extension '${key}' has a value that is not printable ASCII`);
      extensions.push([key, value]);
    }
  }
  let expiresAt: number | undefined;
  if (t.lifetimeMs !== undefined) {
    if (typeof t.lifetimeMs !== 'number' || !(t.lifetimeMs > 0)) throw new Error('the token lifetimeMs is not a positive number');
    expiresAt = fetchedAt + t.lifetimeMs;
  } else if (t.expiresAt !== undefined) {
    if (typeof t.expiresAt !== 'number' || !Number.isFinite(t.expiresAt)) throw new Error('the token expiresAt is not a number of ms since the epoch');
    expiresAt = t.expiresAt;
  } else {
    expiresAt = jwtExpiry(t.value);
  }
  // No known expiry: use the token for this authentication only.
  const refreshAt = expiresAt === undefined ? fetchedAt : fetchedAt + (expiresAt - fetchedAt) * TOKEN_REFRESH_FRACTION;
  return { value: t.value, extensions, refreshAt };
}

/** The `exp` claim of a JWT, in ms since the epoch, or undefined when the token is not a JWT with one. */
function jwtExpiry(value: string): number | undefined {
  const parts = value.split('.');
  if (parts.length !== 3 || parts[1] === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
