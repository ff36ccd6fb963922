/**
 * The pluggable mechanism interface: what a SASL mechanism implements so the client can run it on
 * each connection. PLAIN, SCRAM and OAUTHBEARER are built on it; a user package adds AWS MSK IAM,
 * GSSAPI or anything else by passing an object of this shape as the `sasl` option.
 */

/** What a mechanism knows about the connection it authenticates. */
export interface SaslMechanismContext {
  /** Broker host as the client dialled it (GSSAPI builds its service principal from it). */
  readonly host: string;
  /** Broker port. */
  readonly port: number;
  /** Broker address `host:port` (`[v6]:port` for IPv6), for messages. */
  readonly broker: string;
  /** True when re-authenticating a connection that is already open (KIP-368). */
  readonly reauthentication: boolean;
}

/**
 * One run of a mechanism on one connection. The client calls `respond(null)` for the first
 * message, sends it in a SaslAuthenticate request, and calls `respond` again with the bytes of each
 * answer until it returns `null` (the exchange is complete and the server's last bytes are
 * verified). Throwing ends the exchange: the client reports a `SaslAuthenticationError` whose
 * reason is the thrown error's message, so that message must not hold a secret.
 */
export interface SaslExchange {
  /** The next client message given the server's last bytes (`null` before the first message), or `null` when done. */
  respond(challenge: Buffer | null): Buffer | null | Promise<Buffer | null>;
}

/**
 * A SASL mechanism. Pass one as the `sasl` option to authenticate with a mechanism kafka-stage does
 * not build in:
 *
 * ```ts
 * const producer = new Producer({
 *   brokers: ['b-1.example:9098'],
 *   tls: true,
 *   sasl: { mechanism: 'AWS_MSK_IAM', principal: 'role/app', start: (ctx) => mskIamExchange(ctx) },
 * });
 * ```
 */
export interface SaslMechanism {
  /** Mechanism name sent in SaslHandshake, e.g. `AWS_MSK_IAM` (Java `sasl.mechanism`). */
  readonly mechanism: string;
  /** The user or principal, named in error messages; never a secret. */
  // `| undefined` so a class holding an optional principal implements this under exactOptionalPropertyTypes.
  readonly principal?: string | undefined;
  /** Starts an exchange on one connection (called again for each connection and re-authentication). */
  start(context: SaslMechanismContext): SaslExchange | Promise<SaslExchange>;
}
