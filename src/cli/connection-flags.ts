/**
 * The connection flags every connecting command shares — `--brokers`, `--config FILE`, `--sasl-*`,
 * `--tls-*` — and their resolution into the library's cluster options (`brokers`, `clientId`,
 * `tls`, `sasl`).
 *
 * Precedence, per setting: a flag, else the `--config` file, else the environment
 * (`KAFKA_BROKERS`, `KAFKA_SASL_PASSWORD`). A password is taken from `--sasl-password-file`,
 * `--sasl-password` (visible in `ps`: a warning says so), the file's `sasl.jaas.config`, or
 * `KAFKA_SASL_PASSWORD`; when `--sasl-username` names the user, the file's password (another
 * user's) is not used. Files named by flags are read here, once, before anything connects.
 * Messages name flags, keys and paths, never a secret.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { OAuthBearerToken } from '../network/sasl/oauthbearer.js';
import type { SaslOptions } from '../network/sasl/options.js';
import type { CommandIo } from './command.js';
import { booleanFlag, ConfigError, stringFlag, UsageError, type FlagSpec, type ParsedFlags } from './args.js';
import {
  CLI_SASL_MECHANISMS,
  connectionFromProperties,
  type CliSaslMechanism,
  type ConfigConnection,
  type PemSource,
  type UnsecuredTokenSettings,
} from './client-properties.js';
import { decodeLatin1, parseJavaProperties } from './java-properties.js';

/** The flags of every command that connects to a cluster. */
export const CONNECTION_FLAGS: readonly FlagSpec[] = [
  { name: 'brokers', short: 'b', type: 'string', valueName: 'HOST:PORT[,...]', description: 'bootstrap brokers (else bootstrap.servers of --config, else $KAFKA_BROKERS)' },
  { name: 'config', type: 'string', valueName: 'FILE', description: 'Java client properties: bootstrap.servers, security.protocol, sasl.*, ssl.* (flags win)' },
  { name: 'sasl-mechanism', type: 'string', choices: [...CLI_SASL_MECHANISMS], description: 'authenticate with SASL' },
  { name: 'sasl-username', type: 'string', valueName: 'USER', description: 'SASL user' },
  { name: 'sasl-password-file', type: 'string', valueName: 'FILE', description: 'SASL password: the file\'s content (else $KAFKA_SASL_PASSWORD)' },
  { name: 'sasl-password', type: 'string', valueName: 'PASSWORD', description: 'SASL password (others can see it in ps: prefer the file or env)' },
  { name: 'sasl-oauth-token-file', type: 'string', valueName: 'FILE', description: 'OAUTHBEARER token (a JWT), read again at each authentication' },
  { name: 'tls', type: 'boolean', description: 'connect with TLS (implied by the other --tls-* flags)' },
  { name: 'tls-ca', type: 'string', valueName: 'FILE', description: 'PEM CA certificates to trust (default: the system\'s)' },
  { name: 'tls-cert', type: 'string', valueName: 'FILE', description: 'PEM client certificate (chain) for mutual TLS, with --tls-key' },
  { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'PEM private key of --tls-cert' },
  { name: 'tls-key-passphrase-file', type: 'string', valueName: 'FILE', description: 'passphrase of an encrypted --tls-key' },
  { name: 'tls-insecure', type: 'boolean', description: 'do not verify the broker certificate (unsafe: a warning is printed)' },
];

/** The usage text of the connection flags, for a command's usage line. */
export const CONNECTION_USAGE = '[--brokers B | --config FILE] [--sasl-mechanism M --sasl-username U] [--tls [--tls-ca FILE] [--tls-cert FILE --tls-key FILE]]';

/** The cluster options the flags resolve to; spread into a Producer, Admin or consumer's options. */
export interface CliConnection {
  brokers: string;
  clientId?: string;
  tls?: true | TlsConnectionOptions;
  sasl?: SaslOptions;
}

/** What resolution needs from the process, replaceable in tests. */
export interface ConnectionContext {
  /** The environment (KAFKA_BROKERS, KAFKA_SASL_PASSWORD). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Receives each warning (one line, without a 'warning:' prefix or a newline). */
  readonly warn: (message: string) => void;
  /** Reads a file named by a flag or the config file (default: fs.readFileSync). */
  readonly readFile?: (path: string) => Buffer;
}

function reader(ctx: ConnectionContext, what: string): (path: string) => Buffer {
  const read = ctx.readFile ?? ((path: string) => readFileSync(path));
  return (path) => {
    try {
      return read(path);
    } catch (err) {
      // The error code (ENOENT, EACCES) and the path: both the user's own, neither secret.
      const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new ConfigError(`${what}: cannot read ${path} (${code})`);
    }
  };
}

/** A secret read from a file: its content without one trailing line end. */
function secretFromFile(read: (path: string) => Buffer, path: string, what: string): string {
  const text = read(path).toString('utf8').replace(/\r?\n$/, '');
  if (text.length === 0) throw new ConfigError(`${what}: ${path} is empty`);
  return text;
}

function readConfig(path: string, ctx: ConnectionContext): ConfigConnection {
  const bytes = reader(ctx, '--config')(path);
  if (bytes.some((b) => b >= 0x80)) {
    ctx.warn(`--config ${path}: non-ASCII bytes are read as ISO-8859-1, as the Java tools read them; write other characters as \\uXXXX`);
  }
  try {
    return connectionFromProperties(parseJavaProperties(decodeLatin1(bytes)), (message) => ctx.warn(`--config ${path}: ${message}`));
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`--config ${path}: ${err.message}`);
    throw err;
  }
}

function pem(source: PemSource, read: (path: string) => Buffer): Buffer | string {
  return 'file' in source ? read(source.file) : source.pem;
}

/** The `tls` option: from the TLS flags laid over the file's TLS settings. */
function resolveTls(flags: ParsedFlags, file: ConfigConnection, ctx: ConnectionContext): true | TlsConnectionOptions | undefined {
  const tlsFlags = ['tls-ca', 'tls-cert', 'tls-key', 'tls-key-passphrase-file', 'tls-insecure'].filter((f) => f in flags);
  if (flags.tls === false && tlsFlags.length > 0) throw new UsageError(`--tls=false contradicts --${tlsFlags[0] as string}`);
  const on = 'tls' in flags ? flags.tls === true : tlsFlags.length > 0 || file.tls === true;
  if (!on) return undefined;

  const read = reader(ctx, '--config TLS file');
  const options: TlsConnectionOptions = {};
  const caFile = stringFlag(flags, 'tls-ca');
  const ca = caFile !== undefined ? { file: caFile } : file.tlsCa;
  if (ca) options.ca = pem(ca, reader(ctx, caFile !== undefined ? '--tls-ca' : '--config CA file'));

  // A certificate and its key come together from one source: the flags, or else the file.
  const certFile = stringFlag(flags, 'tls-cert');
  const keyFile = stringFlag(flags, 'tls-key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  const passphraseFile = stringFlag(flags, 'tls-key-passphrase-file');
  if (passphraseFile !== undefined && keyFile === undefined && file.tlsKey === undefined) {
    throw new UsageError('--tls-key-passphrase-file needs a key (--tls-key, or ssl.key.location in --config)');
  }
  if (certFile !== undefined && keyFile !== undefined) {
    options.cert = reader(ctx, '--tls-cert')(certFile);
    options.key = reader(ctx, '--tls-key')(keyFile);
  } else if (file.tlsCert !== undefined || file.tlsKey !== undefined) {
    if (file.tlsCert === undefined || file.tlsKey === undefined) {
      throw new ConfigError('--config: a client certificate needs both the certificate and its key (ssl.certificate.location with ssl.key.location, or ssl.keystore.certificate.chain with ssl.keystore.key)');
    }
    options.cert = pem(file.tlsCert, read);
    options.key = pem(file.tlsKey, read);
  }
  const passphrase =
    passphraseFile !== undefined ? secretFromFile(reader(ctx, '--tls-key-passphrase-file'), passphraseFile, '--tls-key-passphrase-file') : keyFile === undefined ? file.tlsKeyPassphrase : undefined;
  if (passphrase !== undefined && options.key !== undefined) options.passphrase = passphrase;

  if ('tls-insecure' in flags ? booleanFlag(flags, 'tls-insecure') : file.tlsInsecure === true) {
    options.rejectUnauthorized = false;
    ctx.warn('TLS certificate verification is off (--tls-insecure): anyone on the network path can pose as the broker and read the traffic, SASL passwords included');
  } else if (file.tlsNoHostnameCheck === true) {
    // The certificate chain is still verified; only its name is not matched to the broker's host.
    options.checkServerIdentity = () => undefined;
    ctx.warn('TLS host name verification is off (ssl.endpoint.identification.algorithm is empty): any certificate from the trusted CA is accepted for any broker');
  }
  if (file.tlsMinVersion !== undefined) options.minVersion = file.tlsMinVersion;
  if (file.tlsMaxVersion !== undefined) options.maxVersion = file.tlsMaxVersion;
  return Object.keys(options).length === 0 ? true : options;
}

/** An unsigned JWS (`alg: none`) as Java's unsecured login callback handler makes it. */
function unsecuredToken(settings: UnsecuredTokenSettings, nowMs: number): OAuthBearerToken {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = nowMs / 1000;
  const payload = { ...settings.claims, iat, exp: iat + settings.lifetimeSeconds };
  const token: OAuthBearerToken = { value: `${part({ alg: 'none' })}.${part(payload)}.`, lifetimeMs: settings.lifetimeSeconds * 1000 };
  if (Object.keys(settings.extensions).length > 0) token.extensions = { ...settings.extensions };
  return token;
}

/** The OAUTHBEARER `sasl` option: a token file (flag), else the file's unsecured login options. */
function resolveOAuthBearer(flags: ParsedFlags, file: ConfigConnection, ctx: ConnectionContext): SaslOptions {
  const given = ['sasl-username', 'sasl-password', 'sasl-password-file'].find((f) => f in flags);
  if (given !== undefined) throw new UsageError(`--${given} does not apply to OAUTHBEARER (it authenticates with a token: --sasl-oauth-token-file)`);
  const tokenFile = stringFlag(flags, 'sasl-oauth-token-file');
  if (tokenFile !== undefined) {
    const read = reader(ctx, '--sasl-oauth-token-file');
    // Read now so a missing file fails before anything connects; again at each token request so
    // a token refreshed in place (by a sidecar, a cron job) is picked up. Its lifetime is the JWT's exp.
    secretFromFile(read, tokenFile, '--sasl-oauth-token-file');
    return { mechanism: 'OAUTHBEARER', token: () => ({ value: secretFromFile(read, tokenFile, '--sasl-oauth-token-file').trim() }) };
  }
  const unsecured = file.oauthUnsecured;
  if (unsecured === undefined) {
    throw new UsageError('OAUTHBEARER needs a token: --sasl-oauth-token-file FILE (or unsecuredLoginStringClaim_sub in the OAuthBearerLoginModule entry of sasl.jaas.config, for test brokers)');
  }
  ctx.warn('the OAUTHBEARER tokens of sasl.jaas.config (unsecuredLogin*) are unsigned: only a broker that accepts unsecured tokens, a test broker, takes them');
  return { mechanism: 'OAUTHBEARER', token: () => unsecuredToken(unsecured, Date.now()), principal: String(unsecured.claims[unsecured.principalClaim]) };
}

/** The `sasl` option: from the SASL flags laid over the file's, the password from its sources. */
function resolveSasl(flags: ParsedFlags, file: ConfigConnection, ctx: ConnectionContext): SaslOptions | undefined {
  const mechanism = (stringFlag(flags, 'sasl-mechanism') as CliSaslMechanism | undefined) ?? file.saslMechanism;
  const flagUser = stringFlag(flags, 'sasl-username');
  const flagPassword = stringFlag(flags, 'sasl-password');
  const passwordFile = stringFlag(flags, 'sasl-password-file');
  if (mechanism === undefined) {
    const given = ['sasl-username', 'sasl-password', 'sasl-password-file', 'sasl-oauth-token-file'].find((f) => f in flags);
    if (given !== undefined) throw new UsageError(`--${given} needs --sasl-mechanism (or security.protocol=SASL_* with sasl.mechanism in --config)`);
    return undefined;
  }
  if (mechanism === 'OAUTHBEARER') return resolveOAuthBearer(flags, file, ctx);
  if ('sasl-oauth-token-file' in flags) throw new UsageError(`--sasl-oauth-token-file applies to OAUTHBEARER, not ${mechanism}`);
  if (flagPassword !== undefined && passwordFile !== undefined) throw new UsageError('give the password once: --sasl-password or --sasl-password-file');
  if (flagPassword !== undefined) {
    ctx.warn('--sasl-password shows the password to every user of this machine (ps, /proc) and keeps it in shell history; prefer --sasl-password-file FILE or KAFKA_SASL_PASSWORD');
  }
  const username = flagUser ?? file.saslUsername;
  if (username === undefined) throw new UsageError(`--sasl-mechanism ${mechanism} needs --sasl-username (or username in sasl.jaas.config of --config)`);
  const envPassword = ctx.env.KAFKA_SASL_PASSWORD;
  const password =
    flagPassword ??
    (passwordFile !== undefined ? secretFromFile(reader(ctx, '--sasl-password-file'), passwordFile, '--sasl-password-file') : undefined) ??
    // The file's password belongs to the file's user: not used for a user named by the flag.
    (flagUser === undefined ? file.saslPassword : undefined) ??
    (envPassword !== undefined && envPassword.length > 0 ? envPassword : undefined);
  if (password === undefined) {
    throw new UsageError(`no password for SASL user ${username}: give --sasl-password-file FILE or set KAFKA_SASL_PASSWORD${flagUser === undefined ? ' (or password in sasl.jaas.config)' : ''}`);
  }
  return { mechanism, username, password };
}

/**
 * Resolves the connection flags (and the `--config` file they name) into cluster options.
 * Throws UsageError (missing or contradicting flags) or ConfigError (a file unreadable or refused).
 */
export function resolveConnection(flags: ParsedFlags, ctx: ConnectionContext): CliConnection {
  const configPath = stringFlag(flags, 'config');
  const file = configPath !== undefined ? readConfig(configPath, ctx) : {};
  const envBrokers = ctx.env.KAFKA_BROKERS?.trim();
  const brokers = stringFlag(flags, 'brokers') ?? file.brokers ?? (envBrokers ? envBrokers : undefined);
  if (brokers === undefined) throw new UsageError('--brokers is required (or bootstrap.servers in --config FILE, or the KAFKA_BROKERS environment variable)');
  const connection: CliConnection = { brokers };
  if (file.clientId !== undefined) connection.clientId = file.clientId;
  const tls = resolveTls(flags, file, ctx);
  if (tls !== undefined) connection.tls = tls;
  const sasl = resolveSasl(flags, file, ctx);
  if (sasl !== undefined) connection.sasl = sasl;
  return connection;
}

/** {@link resolveConnection} for a command run: the command's environment (default process.env), warnings on its stderr. */
export function connectionFromFlags(flags: ParsedFlags, command: string, io: CommandIo): CliConnection {
  return resolveConnection(flags, { env: io.env ?? process.env, warn: (message) => io.stderr.write(`kafka-stage ${command}: warning: ${message}\n`) });
}
