/**
 * The `sasl` client option: which mechanism and credentials a client authenticates with.
 * Resolved once into a {@link SaslAuthenticator} that keeps the secrets off public objects.
 *
 * SKELETON (session 4): the mechanisms are being written; until then a `sasl` option is refused.
 */
import { InvalidOptionError } from '../../protocol/errors.js';
import type { Connection } from '../connection.js';

/** Broker ranges by API key, as ApiVersions named them (a structural copy of the cluster's type). */
export type SaslBrokerVersions = ReadonlyMap<number, { minVersion: number; maxVersion: number }>;

/** User/password mechanisms: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. */
export interface SaslPasswordOptions {
  /** The SASL mechanism (Java `sasl.mechanism`). */
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  /** User name. */
  username: string;
  /** Password; kept only inside the resolved authenticator, never on a public object. */
  password: string;
}

/** SASL options of a client (Java `security.protocol=SASL_*` with `sasl.mechanism`). */
export type SaslOptions = SaslPasswordOptions;

/** Runs the SASL exchange on a freshly opened connection (after ApiVersions). */
export interface SaslAuthenticator {
  /** Mechanism name, for logs and errors. */
  readonly mechanism: string;
  /** Authenticates `conn`; rejects with a typed error when the broker refuses. */
  authenticate(conn: Connection, versions: SaslBrokerVersions): Promise<void>;
}

/** Validates the `sasl` option; `undefined` when none is set. */
export function resolveSaslOptions(input: unknown): SaslAuthenticator | undefined {
  if (input === undefined) return undefined;
  throw new InvalidOptionError('sasl', 'SASL is not supported yet');
}
