/**
 * The `tls` client option, resolved once into {@link TlsSettings}: the object every connection
 * asks for its `tls.connect` options.
 *
 * Why a class and not the options object itself:
 * - Secrets stay out of sight. The private key, its passphrase and a PFX bundle are loaded into a
 *   Node `SecureContext` at resolve time and the context is kept in a private (#) field; the
 *   options handed to each connection carry that opaque context, never the key material. So
 *   `cluster.options`, `util.inspect` (any depth), `JSON.stringify`, error messages and the
 *   diagnostics events never show them. Loading them early also means a wrong passphrase or a
 *   malformed key fails the constructor with an {@link InvalidOptionError}, not the first connect.
 * - The server name is per broker. Each connection verifies the certificate against (and sends as
 *   SNI) the host it dials: the host from the metadata for brokers the cluster advertises, the
 *   host the user wrote for bootstrap addresses. A `servername` option, if given, is used only for
 *   the bootstrap addresses (the ones the user typed, e.g. an IP or a load balancer in front of
 *   the cluster); applying it to every broker would check every broker's certificate against one
 *   name, which either fails or hides a broker presenting someone else's certificate.
 * - Verification off (`rejectUnauthorized: false`) is allowed but said out loud: one
 *   process warning (code {@link TLS_INSECURE_WARNING}) per client, at its first connection.
 */
import { createSecureContext, type ConnectionOptions as TlsConnectionOptions, type SecureContext } from 'node:tls';
import { inspect } from 'node:util';
import { nearestKey } from '../options/suggest.js';
import { InvalidOptionError } from '../errors.js';

/** Node TLS options accepted by the `tls` client option (Java `security.protocol=SSL`, `ssl.*`). */
export type ClusterTlsOptions = Omit<TlsConnectionOptions, 'host' | 'port' | 'path' | 'socket'>;

/** Code of the warning emitted when certificate verification is turned off. */
export const TLS_INSECURE_WARNING = 'KAFKA_STAGE_TLS_INSECURE';

/** Options whose values are secret: loaded into the SecureContext, never kept in the clear. */
const SECRET_KEYS = ['key', 'passphrase', 'pfx'] as const;
/** Options that would send every connection to one address: the addresses come from `brokers` and metadata. */
const ROUTING_KEYS = ['host', 'port', 'path', 'socket'] as const;

/**
 * The options of {@link ClusterTlsOptions} in @types/node 20 (Node's `tls.connect` options without
 * the routing ones). Other keys pass through to Node (a newer Node may know them), unless they are
 * a near miss of one of these: Node would silently ignore `rejectUnauthorised: false` or `servrename`.
 */
const TLS_KEYS = [
  // tls.SecureContextOptions
  'ALPNCallback', 'allowPartialTrustChain', 'ca', 'cert', 'sigalgs', 'ciphers', 'clientCertEngine', 'crl', 'dhparam', 'ecdhCurve',
  'honorCipherOrder', 'key', 'privateKeyEngine', 'privateKeyIdentifier', 'maxVersion', 'minVersion', 'passphrase', 'pfx',
  'secureOptions', 'secureProtocol', 'sessionIdContext', 'ticketKeys', 'sessionTimeout',
  // tls.CommonConnectionOptions
  'secureContext', 'enableTrace', 'requestCert', 'ALPNProtocols', 'SNICallback', 'rejectUnauthorized',
  // tls.ConnectionOptions
  'checkServerIdentity', 'servername', 'session', 'minDHSize', 'lookup', 'timeout', 'pskCallback',
] as const;

/** What a value of each checked option must be, and the test. */
type Check = [expected: string, test: (value: unknown) => boolean];

const isString = (v: unknown): boolean => typeof v === 'string';
const isBinary = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v) || v instanceof Uint8Array;
const isBinaryList = (v: unknown): boolean => isBinary(v) || (Array.isArray(v) && v.every(isBinary));
/** `key` and `pfx` also take `{ pem | buf, passphrase }` entries (Node's per-key passphrases). */
const isKeyEntry = (v: unknown): boolean => isBinary(v) || (typeof v === 'object' && v !== null && !Array.isArray(v) && ('pem' in v || 'buf' in v));
const isKeyList = (v: unknown): boolean => isKeyEntry(v) || (Array.isArray(v) && v.every(isKeyEntry));

/** Type checks of the options we rely on; other Node TLS options pass through to Node unchecked. */
const CHECKS: Record<string, Check> = {
  ca: ['a string, Buffer or array of them', isBinaryList],
  cert: ['a string, Buffer or array of them', isBinaryList],
  key: ['a string, Buffer, { pem, passphrase } or array of them', isKeyList],
  pfx: ['a string, Buffer, { buf, passphrase } or array of them', isKeyList],
  passphrase: ['a string', isString],
  crl: ['a string, Buffer or array of them', isBinaryList],
  servername: ['a non-empty string', (v) => typeof v === 'string' && v.length > 0],
  rejectUnauthorized: ['a boolean', (v) => typeof v === 'boolean'],
  checkServerIdentity: ['a function', (v) => typeof v === 'function'],
  minVersion: ['a string such as TLSv1.2', isString],
  maxVersion: ['a string such as TLSv1.3', isString],
  ciphers: ['a string', isString],
  ecdhCurve: ['a string', isString],
  sigalgs: ['a string', isString],
};

/** The resolved `tls` option of a client: hands each connection its `tls.connect` options. */
export class TlsSettings {
  /** True unless `rejectUnauthorized: false` turned certificate verification off. */
  readonly verify: boolean;
  /** The server name used for bootstrap addresses only, if the user gave one (not secret). */
  readonly bootstrapServername: string | undefined;
  /** Whether a client certificate is presented (mTLS); the key itself is not reachable. */
  readonly clientCertificate: boolean;
  /** Options without secrets, routing or servername, passed to every connection. */
  readonly #base: Readonly<TlsConnectionOptions>;
  /** Holds the CA, certificate and key; opaque to inspect and JSON. */
  readonly #context: SecureContext;
  #warned = false;

  /** Validates and loads `options` (already checked to be an object). */
  constructor(options: ClusterTlsOptions) {
    checkTypes(options);
    const base: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(options)) {
      if ((SECRET_KEYS as readonly string[]).includes(name) || name === 'servername') continue;
      base[name] = value;
    }
    this.#context = loadContext(options);
    this.#base = Object.freeze(base);
    this.verify = options.rejectUnauthorized !== false;
    this.bootstrapServername = options.servername;
    this.clientCertificate = options.cert !== undefined || options.pfx !== undefined;
  }

  /**
   * The `tls.connect` options for a connection to `host`: the shared SecureContext, the user's
   * non-secret options and, for a bootstrap address, the user's `servername`. Without a
   * `servername` key the connection verifies (and sends as SNI) `host` itself. The first call
   * warns when verification is off.
   */
  connectOptions(host: string, bootstrap: boolean): TlsConnectionOptions {
    if (!this.verify && !this.#warned) {
      this.#warned = true;
      process.emitWarning(
        `TLS certificate verification is off (tls.rejectUnauthorized: false): the client cannot tell brokers from impostors, first connection to ${host}`,
        { type: 'SecurityWarning', code: TLS_INSECURE_WARNING },
      );
    }
    const options: TlsConnectionOptions = { ...this.#base, secureContext: this.#context };
    if (bootstrap && this.bootstrapServername !== undefined) options.servername = this.bootstrapServername;
    return options;
  }

  /** What `util.inspect` shows: whether TLS verifies and what is configured, never a secret. */
  [inspect.custom](): string {
    return `TlsSettings ${inspect(this.toJSON())}`;
  }

  /** A summary without secrets (what JSON.stringify of the resolved options shows). */
  toJSON(): Record<string, unknown> {
    const summary: Record<string, unknown> = { verify: this.verify, clientCertificate: this.clientCertificate };
    if (this.bootstrapServername !== undefined) summary.bootstrapServername = this.bootstrapServername;
    summary.options = Object.keys(this.#base).sort();
    return summary;
  }
}

/**
 * Resolves the `tls` option: undefined for plain TCP (`false` or absent), {@link TlsSettings} for
 * `true` (Node's defaults: the system CAs, verification on) or an options object.
 *
 * @throws InvalidOptionError naming `tls` or `tls.<key>` (never printing the value) for a wrong
 *   type, an address option, or a key/certificate/passphrase Node cannot load
 */
export function resolveTlsOptions(input: unknown): TlsSettings | undefined {
  if (input === undefined || input === false) return undefined;
  if (input === true) return new TlsSettings({});
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidOptionError('tls', `expected a boolean or Node TLS options, got ${kindOf(input)}`);
  }
  return new TlsSettings(input as ClusterTlsOptions);
}

function checkTypes(options: ClusterTlsOptions): void {
  for (const name of ROUTING_KEYS) {
    if (name in options) throw new InvalidOptionError(`tls.${name}`, 'not allowed: each connection goes to its broker\'s own address (from brokers and metadata)');
  }
  for (const name of Object.keys(options)) {
    if ((TLS_KEYS as readonly string[]).includes(name)) continue;
    const meant = nearestKey(name, TLS_KEYS);
    if (meant !== undefined) throw new InvalidOptionError(`tls.${name}`, `unknown TLS option; did you mean '${meant}'?`);
  }
  for (const [name, [expected, test]] of Object.entries(CHECKS)) {
    const value = (options as Record<string, unknown>)[name];
    // Only the kind is printed: the value may be a key or a passphrase.
    if (value !== undefined && !test(value)) throw new InvalidOptionError(`tls.${name}`, `expected ${expected}, got ${kindOf(value)}`);
  }
}

/** The SecureContext of the options; Node's failure is reported by its code only (its text may quote input). */
function loadContext(options: ClusterTlsOptions): SecureContext {
  try {
    return createSecureContext(options);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown error';
    const names = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'crl'].filter((k) => (options as Record<string, unknown>)[k] !== undefined);
    throw new InvalidOptionError('tls', `Node could not load the TLS ${names.length > 0 ? names.join('/') : 'options'} (${reason}): check the PEM/PFX contents and the passphrase`);
  }
}

/** The kind of a value, for messages that must not print the value itself. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
