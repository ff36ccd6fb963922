/**
 * What a Java client properties file (`--config FILE`) says about connecting: the brokers, the
 * client id, TLS and SASL. The keys are the Java client's (`bootstrap.servers`, `security.protocol`,
 * `sasl.mechanism`, `sasl.jaas.config`, `ssl.truststore.*` and `ssl.keystore.*` of type PEM,
 * `ssl.key.password`, `ssl.endpoint.identification.algorithm`, `ssl.enabled.protocols`,
 * `client.id`) plus librdkafka's PEM file names (`ssl.ca.location`, `ssl.certificate.location`,
 * `ssl.key.location`, `enable.ssl.certificate.verification`), so one file serves the Kafka tools,
 * librdkafka clients and kafka-stage. The Java client only warns about librdkafka's names, so they
 * may sit in a file the Java tools also read.
 *
 * A key kafka-stage does not use is reported through `warn` and ignored, as the Java client does;
 * a `sasl.*`, `ssl.*` or `security.*` key it cannot honour is a {@link ConfigError}, because
 * ignoring it would connect with other security than the file asks for.
 */
import { ConfigError } from './args.js';
import { parseJaasConfig } from './jaas-config.js';
import type { JavaProperties } from './java-properties.js';

/** SASL mechanisms the CLI can configure. */
export const CLI_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
/** A SASL mechanism the CLI can configure. */
export type CliSaslMechanism = (typeof CLI_SASL_MECHANISMS)[number];

/** PEM material: a file to read, or the PEM text itself (the Java inline forms). */
export type PemSource = { readonly file: string } | { readonly pem: string };

/** Connection settings from one source (the file), before the flags are laid over them. */
export interface ConfigConnection {
  brokers?: string;
  clientId?: string;
  /** From security.protocol: whether TLS / SASL are on. Undefined when the file does not say (Java: PLAINTEXT). */
  tls?: boolean;
  sasl?: boolean;
  tlsCa?: PemSource;
  tlsCert?: PemSource;
  tlsKey?: PemSource;
  /** The private key's passphrase (a secret). */
  tlsKeyPassphrase?: string;
  /** Certificate verification off (librdkafka `enable.ssl.certificate.verification=false`). */
  tlsInsecure?: boolean;
  /** Host name verification off (`ssl.endpoint.identification.algorithm=` empty). */
  tlsNoHostnameCheck?: boolean;
  tlsMinVersion?: 'TLSv1.2' | 'TLSv1.3';
  tlsMaxVersion?: 'TLSv1.2' | 'TLSv1.3';
  saslMechanism?: CliSaslMechanism;
  /** Which login module sasl.jaas.config named: user/password (Plain, Scram) or OAUTHBEARER. */
  saslLoginModule?: 'password' | 'oauthbearer';
  saslUsername?: string;
  /** A secret. */
  saslPassword?: string;
  /** OAuthBearerLoginModule's unsecured (unsigned) test tokens, as the Java client makes them. */
  oauthUnsecured?: UnsecuredTokenSettings;
}

/** The `unsecuredLogin*` options of OAuthBearerLoginModule (Java's OAuthBearerUnsecuredLoginCallbackHandler). */
export interface UnsecuredTokenSettings {
  /** Claims of the token besides iat and exp: `unsecuredLoginStringClaim_<name>` and `unsecuredLoginNumberClaim_<name>`. */
  readonly claims: Readonly<Record<string, string | number>>;
  /** Name of the claim holding the principal (`unsecuredLoginPrincipalClaimName`, default `sub`). */
  readonly principalClaim: string;
  /** Token lifetime (`unsecuredLoginLifetimeSeconds`, default 3600). */
  readonly lifetimeSeconds: number;
  /** SASL extensions (`unsecuredLoginExtension_<name>`). */
  readonly extensions: Readonly<Record<string, string>>;
}

/** Keys that are fine to ignore: they tune Java internals, or matter only to mechanisms refused anyway. */
const IGNORED_SECURITY_KEYS = new Set([
  'ssl.protocol',
  'ssl.keymanager.algorithm',
  'ssl.trustmanager.algorithm',
  'ssl.secure.random.implementation',
  'ssl.truststore.password',
  'ssl.keystore.password',
  'sasl.kerberos.service.name',
  'sasl.kerberos.kinit.cmd',
  'sasl.kerberos.min.time.before.relogin',
  'sasl.kerberos.ticket.renew.jitter',
  'sasl.kerberos.ticket.renew.window.factor',
  'sasl.login.refresh.window.factor',
  'sasl.login.refresh.window.jitter',
  'sasl.login.refresh.min.period.seconds',
  'sasl.login.refresh.buffer.seconds',
  'sasl.login.connect.timeout.ms',
  'sasl.login.read.timeout.ms',
  'sasl.login.retry.backoff.ms',
  'sasl.login.retry.backoff.max.ms',
]);

const PLAIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const OAUTHBEARER_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

/** The unsecured-token options of OAuthBearerLoginModule. */
function readUnsecuredLogin(options: ReadonlyMap<string, string>, warn: (message: string) => void): UnsecuredTokenSettings | undefined {
  const claims: Record<string, string | number> = {};
  const extensions: Record<string, string> = {};
  let principalClaim = 'sub';
  let lifetimeSeconds = 3600;
  let any = false;
  for (const [key, value] of options) {
    const [prefix, name] = [key.slice(0, key.indexOf('_') + 1), key.slice(key.indexOf('_') + 1)];
    if (prefix === 'unsecuredLoginStringClaim_' && name !== '') claims[name] = value;
    else if (prefix === 'unsecuredLoginNumberClaim_' && name !== '') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ConfigError(`sasl.jaas.config: ${key} is not a number`);
      claims[name] = n;
    } else if (prefix === 'unsecuredLoginExtension_' && name !== '') extensions[name] = value;
    else if (key === 'unsecuredLoginPrincipalClaimName') principalClaim = value;
    else if (key === 'unsecuredLoginLifetimeSeconds') {
      lifetimeSeconds = Number(value);
      if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0) throw new ConfigError('sasl.jaas.config: unsecuredLoginLifetimeSeconds is not a positive integer');
    } else {
      warn(`sasl.jaas.config option '${key}' is not used by kafka-stage (ignored)`);
      continue;
    }
    any = true;
  }
  if (!any) return undefined;
  if (typeof claims[principalClaim] !== 'string') {
    throw new ConfigError(`sasl.jaas.config: the unsecured token has no principal: set unsecuredLoginStringClaim_${principalClaim}`);
  }
  for (const reserved of ['iat', 'exp']) {
    if (reserved in claims) throw new ConfigError(`sasl.jaas.config: the unsecured token's ${reserved} claim is set from unsecuredLoginLifetimeSeconds`);
  }
  return { claims, principalClaim, lifetimeSeconds, extensions };
}

/** Reads the username and password (or the unsecured OAUTHBEARER token settings) out of `sasl.jaas.config`. */
function readJaas(value: string, out: ConfigConnection, warn: (message: string) => void): void {
  const entry = parseJaasConfig(value);
  if (entry.loginModule === OAUTHBEARER_MODULE) {
    out.saslLoginModule = 'oauthbearer';
    const unsecured = readUnsecuredLogin(entry.options, warn);
    if (unsecured !== undefined) out.oauthUnsecured = unsecured;
    return;
  }
  if (entry.loginModule !== PLAIN_MODULE && entry.loginModule !== SCRAM_MODULE) {
    throw new ConfigError(
      `sasl.jaas.config: login module ${entry.loginModule} is not supported (kafka-stage reads ${PLAIN_MODULE}, ${SCRAM_MODULE} and ${OAUTHBEARER_MODULE})`,
    );
  }
  out.saslLoginModule = 'password';
  for (const key of entry.options.keys()) {
    if (key === 'username' || key === 'password') continue;
    // tokenauth=true makes SCRAM authenticate with a delegation token: a different exchange.
    if (key === 'tokenauth' && entry.options.get(key)?.toLowerCase() === 'true') {
      throw new ConfigError('sasl.jaas.config: tokenauth=true (delegation tokens) is not supported');
    }
    warn(`sasl.jaas.config option '${key}' is not used by kafka-stage (ignored)`);
  }
  const username = entry.options.get('username');
  const password = entry.options.get('password');
  if (username !== undefined) out.saslUsername = username;
  if (password !== undefined) out.saslPassword = password;
}

/** Refuses a key or trust store that is not PEM; without a type the Java client assumes JKS. */
function pemType(props: ReadonlyMap<string, string>, key: string): void {
  const type = props.get(key)?.trim() ?? 'JKS';
  if (type.toUpperCase() !== 'PEM') {
    throw new ConfigError(`${key}=${type}${props.has(key) ? '' : ' (the Java default)'} is not supported: kafka-stage reads PEM only (set ${key}=PEM, or use ssl.ca.location / ssl.certificate.location / ssl.key.location)`);
  }
}

/** The TLS protocol range of `ssl.enabled.protocols`. */
function tlsRange(value: string, out: ConfigConnection): void {
  const listed = value.split(',').map((v) => v.trim()).filter((v) => v.length > 0);
  const unknown = listed.filter((v) => !(TLS_VERSIONS as readonly string[]).includes(v));
  if (listed.length === 0 || unknown.length > 0) {
    throw new ConfigError(`ssl.enabled.protocols: kafka-stage supports ${TLS_VERSIONS.join(', ')} (got ${listed.join(', ') || 'nothing'})`);
  }
  const versions = TLS_VERSIONS.filter((v) => listed.includes(v));
  out.tlsMinVersion = versions[0] as 'TLSv1.2' | 'TLSv1.3';
  out.tlsMaxVersion = versions[versions.length - 1] as 'TLSv1.2' | 'TLSv1.3';
}

/** `bootstrap.servers` as the Java client takes it: blanks around entries, an optional `PROTOCOL://` prefix. */
function brokerList(value: string): string {
  const entries = value
    .split(',')
    .map((e) => e.trim().replace(/^[A-Za-z_]+:\/\//, ''))
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new ConfigError('bootstrap.servers is empty');
  return entries.join(',');
}

/**
 * Interprets the properties of a client config file. Unused keys go to `warn` (by name, never
 * value); security keys it cannot honour throw ConfigError.
 */
export function connectionFromProperties(properties: JavaProperties, warn: (message: string) => void): ConfigConnection {
  const props = properties.values;
  const out: ConfigConnection = {};
  const protocol = props.get('security.protocol')?.trim().toUpperCase();
  if (protocol !== undefined) {
    if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) {
      throw new ConfigError(`security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '${protocol}'`);
    }
    out.tls = protocol === 'SSL' || protocol === 'SASL_SSL';
    out.sasl = protocol.startsWith('SASL_');
  }
  const tlsOn = out.tls === true;
  const saslOn = out.sasl === true;
  const usedTls: string[] = [];
  const usedSasl: string[] = [];

  for (const [key, rawValue] of props) {
    const value = rawValue.trim();
    switch (key) {
      case 'security.protocol':
        break;
      case 'bootstrap.servers':
        out.brokers = brokerList(value);
        break;
      case 'client.id':
        if (value.length > 0) out.clientId = value;
        break;
      case 'sasl.mechanism': {
        usedSasl.push(key);
        const mechanism = CLI_SASL_MECHANISMS.find((m) => m === value.toUpperCase());
        if (mechanism !== undefined) out.saslMechanism = mechanism;
        // Only refused when SASL is on: without it the Java client ignores the mechanism too.
        else if (saslOn) throw new ConfigError(`sasl.mechanism=${value} is not supported (kafka-stage supports ${CLI_SASL_MECHANISMS.join(', ')})`);
        break;
      }
      case 'sasl.jaas.config':
        usedSasl.push(key);
        readJaas(rawValue, out, warn);
        break;
      case 'ssl.ca.location':
      case 'ssl.truststore.location':
        usedTls.push(key);
        if (key === 'ssl.truststore.location') pemType(props, 'ssl.truststore.type');
        out.tlsCa = { file: value };
        break;
      case 'ssl.truststore.certificates':
        usedTls.push(key);
        pemType(props, 'ssl.truststore.type');
        out.tlsCa = { pem: rawValue };
        break;
      case 'ssl.certificate.location':
        usedTls.push(key);
        out.tlsCert = { file: value };
        break;
      case 'ssl.key.location':
        usedTls.push(key);
        out.tlsKey = { file: value };
        break;
      case 'ssl.keystore.location':
        // A PEM key store holds the private key and the certificate chain in one file.
        usedTls.push(key);
        pemType(props, 'ssl.keystore.type');
        out.tlsCert = { file: value };
        out.tlsKey = { file: value };
        break;
      case 'ssl.keystore.certificate.chain':
        usedTls.push(key);
        pemType(props, 'ssl.keystore.type');
        out.tlsCert = { pem: rawValue };
        break;
      case 'ssl.keystore.key':
        usedTls.push(key);
        pemType(props, 'ssl.keystore.type');
        out.tlsKey = { pem: rawValue };
        break;
      case 'ssl.key.password':
        usedTls.push(key);
        out.tlsKeyPassphrase = rawValue;
        break;
      case 'ssl.truststore.type':
      case 'ssl.keystore.type':
        // Checked with the location they qualify; a type alone changes nothing.
        break;
      case 'ssl.endpoint.identification.algorithm':
        usedTls.push(key);
        if (value === '') out.tlsNoHostnameCheck = true;
        else if (value.toLowerCase() !== 'https') throw new ConfigError(`ssl.endpoint.identification.algorithm must be https or empty, got '${value}'`);
        break;
      case 'enable.ssl.certificate.verification':
        usedTls.push(key);
        if (value.toLowerCase() === 'false') out.tlsInsecure = true;
        else if (value.toLowerCase() !== 'true') throw new ConfigError(`enable.ssl.certificate.verification must be true or false, got '${value}'`);
        break;
      case 'ssl.enabled.protocols':
        usedTls.push(key);
        tlsRange(value, out);
        break;
      default:
        if (IGNORED_SECURITY_KEYS.has(key)) {
          warn(`'${key}' is not used by kafka-stage (ignored)`);
        } else if (/^(ssl|sasl|security)\./.test(key)) {
          throw new ConfigError(`'${key}' is not supported by kafka-stage, and ignoring it would change how the connection is secured`);
        } else {
          warn(`'${key}' is not used by kafka-stage (ignored)`);
        }
    }
  }
  // As the Java client: TLS and SASL settings mean nothing unless security.protocol turns them on.
  // Dropped, not kept for flags to pick up: what the warning says is what happens.
  if (!tlsOn && usedTls.length > 0) {
    warn(`${usedTls.join(', ')} ignored: security.protocol is not SSL or SASL_SSL`);
    for (const k of ['tlsCa', 'tlsCert', 'tlsKey', 'tlsKeyPassphrase', 'tlsInsecure', 'tlsNoHostnameCheck', 'tlsMinVersion', 'tlsMaxVersion'] as const) delete out[k];
  }
  if (!saslOn && usedSasl.length > 0) {
    warn(`${usedSasl.join(', ')} ignored: security.protocol is not SASL_PLAINTEXT or SASL_SSL`);
    for (const k of ['saslMechanism', 'saslLoginModule', 'saslUsername', 'saslPassword', 'oauthUnsecured'] as const) delete out[k];
  }
  if (saslOn && out.saslMechanism === undefined) {
    throw new ConfigError(`security.protocol=${protocol as string} needs sasl.mechanism (${CLI_SASL_MECHANISMS.join(', ')}); the Java default, GSSAPI, is not supported`);
  }
  // The Java client fails on a login module that cannot serve the mechanism; so does kafka-stage.
  if (saslOn && out.saslLoginModule !== undefined && (out.saslMechanism === 'OAUTHBEARER') !== (out.saslLoginModule === 'oauthbearer')) {
    throw new ConfigError(`sasl.mechanism=${out.saslMechanism as string} does not go with the login module of sasl.jaas.config`);
  }
  return out;
}
