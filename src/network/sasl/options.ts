/**
 * The `sasl` client option: which mechanism and credentials a client authenticates with (Java
 * `security.protocol=SASL_PLAINTEXT`, or `SASL_SSL` together with `tls`, and `sasl.mechanism`).
 * Resolved once into a {@link SaslAuthenticator} whose mechanism keeps the password or token in
 * private fields: neither `util.inspect` nor `JSON.stringify` of the resolved options shows them,
 * and no error message contains them.
 *
 * ```ts
 * { mechanism: 'SCRAM-SHA-512', username: 'alice', password: process.env.KAFKA_PASSWORD }
 * { mechanism: 'PLAIN', username: 'alice', password: () => readFile('/run/secrets/kafka', 'utf8') }
 * { mechanism: 'OAUTHBEARER', token: async () => ({ value: await fetchJwt(), lifetimeMs: 3_600_000 }) }
 * { mechanism: 'AWS_MSK_IAM', start: (ctx) => myExchange(ctx) }   // any SaslMechanism
 * ```
 */
import { checkBoolean, checkKnownKeys, checkOneOf, checkString } from '../../options/validate.js';
import { InvalidOptionError } from '../../errors.js';
import { MechanismAuthenticator, type SaslAuthenticator, type SaslBrokerVersions } from './authenticator.js';
import type { SaslMechanism } from './mechanism.js';
import { OAuthBearerMechanism, type OAuthBearerTokenProvider } from './oauthbearer.js';
import { PlainMechanism } from './plain.js';
import { saslPrep, SaslPrepError } from './saslprep.js';
import { ScramMechanism } from './scram.js';
import type { SecretSource } from './secret.js';

export type { SaslAuthenticator, SaslBrokerVersions };

/** User/password mechanisms: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. */
export interface SaslPasswordOptions {
  /** The SASL mechanism (Java `sasl.mechanism`). */
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  /** User name (Java `sasl.jaas.config` `username`). */
  username: string;
  /**
   * Password, or a function returning it (called at each authentication, so a rotated password is
   * picked up). Kept only inside the resolved authenticator, never on a public object.
   */
  password: SecretSource;
  /**
   * SCRAM only: apply SASLprep (RFC 4013) to the user name and password before hashing, as RFC 5802
   * asks. Default `false`, as Kafka and its Java client do: Kafka stores and checks credentials
   * without SASLprep, so a password SASLprep would change (a no-break space, a soft hyphen, a
   * compatibility character) only matches a Kafka broker when sent as is. Set it for a server that
   * prepares credentials itself. With it, a name or password SASLprep refuses is an
   * {@link InvalidOptionError}.
   */
  saslprep?: boolean;
}

/** OAUTHBEARER (KIP-255) with a token provider (Java `sasl.login.callback.handler.class`). */
export interface SaslOAuthBearerOptions {
  /** `OAUTHBEARER`. */
  mechanism: 'OAUTHBEARER';
  /**
   * Returns a token `{ value, lifetimeMs? | expiresAt?, extensions? }`. Called for the first
   * connection, then again once 80 % of the token's lifetime has passed (at the next connection or
   * re-authentication), and after the broker refuses a token.
   */
  token: OAuthBearerTokenProvider;
  /** Principal named in error messages (e.g. the client id of the OAuth app). Optional. */
  principal?: string;
}

/** SASL options of a client: a built-in mechanism, or any {@link SaslMechanism} object. */
export type SaslOptions = SaslPasswordOptions | SaslOAuthBearerOptions | SaslMechanism;

const BUILT_IN = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;

/** Validates the `sasl` option; `undefined` when none is set. Throws {@link InvalidOptionError}, never quoting a secret. */
export function resolveSaslOptions(input: unknown): SaslAuthenticator | undefined {
  if (input === undefined) return undefined;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidOptionError('sasl', 'expected an object { mechanism, … }');
  }
  const options = input as Record<string, unknown>;
  if (typeof options.start === 'function') return new MechanismAuthenticator(customMechanism(options));
  const mechanism = checkOneOf('sasl.mechanism', options.mechanism, BUILT_IN);
  if (mechanism === 'OAUTHBEARER') {
    checkKnownKeys('sasl (OAUTHBEARER)', options, ['mechanism', 'token', 'principal'], 'sasl');
    if (typeof options.token !== 'function') throw new InvalidOptionError('sasl.token', 'expected a function returning { value, lifetimeMs?, extensions? }');
    const principal = options.principal === undefined ? undefined : checkString('sasl.principal', options.principal);
    return new MechanismAuthenticator(new OAuthBearerMechanism(options.token as OAuthBearerTokenProvider, principal));
  }
  checkKnownKeys(`sasl (${mechanism})`, options, mechanism === 'PLAIN' ? ['mechanism', 'username', 'password'] : ['mechanism', 'username', 'password', 'saslprep'], 'sasl');
  const username = checkString('sasl.username', options.username);
  const password = checkPassword(options.password);
  if (mechanism === 'PLAIN') {
    if (username.includes('\0')) throw new InvalidOptionError('sasl.username', 'must not contain U+0000');
    return new MechanismAuthenticator(new PlainMechanism(username, password));
  }
  const prep = options.saslprep === undefined ? false : checkBoolean('sasl.saslprep', options.saslprep);
  if (prep) {
    try {
      saslPrep(username, 'user name');
      if (typeof password === 'string') saslPrep(password, 'password');
    } catch (err) {
      if (err instanceof SaslPrepError) throw new InvalidOptionError(err.message.startsWith('password') ? 'sasl.password' : 'sasl.username', err.message);
      throw err;
    }
  }
  return new MechanismAuthenticator(new ScramMechanism(mechanism, username, password, { prep }));
}

/** A password string or function; the message never repeats the value. */
function checkPassword(value: unknown): SecretSource {
  if (typeof value === 'function') return value as () => string | Promise<string>;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError('sasl.password', `expected a non-empty string or a function returning one, got ${value === '' ? 'an empty string' : typeof value}`);
  }
  if (value.includes('\0')) throw new InvalidOptionError('sasl.password', 'must not contain U+0000');
  return value;
}

/** A user's {@link SaslMechanism}: a name, an optional principal and `start`. */
function customMechanism(options: Record<string, unknown>): SaslMechanism {
  const name = checkString('sasl.mechanism', options.mechanism);
  // Kafka mechanism names (RFC 4422): upper-case letters, digits, '-' and '_', at most 20 characters.
  if (!/^[A-Z0-9_-]{1,20}$/.test(name)) throw new InvalidOptionError('sasl.mechanism', `'${name.slice(0, 40)}' is not a SASL mechanism name (A-Z, 0-9, '-', '_', up to 20)`);
  if (options.principal !== undefined) checkString('sasl.principal', options.principal);
  return options as unknown as SaslMechanism;
}
