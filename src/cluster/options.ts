/** Options of the cluster client (connections, metadata, retries), one frozen defaults object and one validate(). */
import { checkBrokers, checkInteger, checkOptionsObject, checkString } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import { CONNECTION_DEFAULTS, resolveConnectionLimits, type ConnectionLimits } from '../network/connection-options.js';
import { resolveSaslOptions, type SaslAuthenticator, type SaslOptions } from '../network/sasl/options.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { resolveTlsOptions, type ClusterTlsOptions, type TlsSettings } from './tls-options.js';
import { resolveLogger, type Logger, type LoggerOption } from '../logger.js';
import { METADATA_RECOVERY_KEYS, resolveMetadataRecovery, type MetadataRecoveryOptions, type ResolvedMetadataRecovery } from './rebootstrap.js';

/** Options shared by every client role (producer, consumer, admin). */
export interface ClusterOptions extends MetadataRecoveryOptions, ConnectionLimits {
  /** Bootstrap brokers, `host:port` (Java `bootstrap.servers`). Required. */
  brokers: string[] | string;
  /** Client id sent with every request (Java `client.id`). Default `kafka-stage`. */
  clientId?: string;
  /** Metadata is refreshed at least this often, ms (Java `metadata.max.age.ms`). Default 300_000. */
  metadataMaxAgeMs?: number;
  /** Retry policy of retriable errors (Java `retries`, `retry.backoff.ms`, `retry.backoff.max.ms`). */
  retry?: Partial<RetryOptions>;
  /**
   * TLS: `true` for Node's defaults (system CAs, certificate and host name verified), or Node TLS
   * options such as `ca`, `cert`, `key`, `passphrase`, `pfx` (Java `security.protocol=SSL`,
   * `ssl.truststore.*`, `ssl.keystore.*`). Each connection verifies the host it dials (the broker's
   * host from metadata); a `servername` is used for the bootstrap addresses only. `key`,
   * `passphrase` and `pfx` are loaded at once and never kept on an options object.
   * `rejectUnauthorized: false` turns verification off, with a `KAFKA_STAGE_TLS_INSECURE` warning.
   */
  tls?: boolean | ClusterTlsOptions;
  /** SASL authentication (Java `security.protocol=SASL_PLAINTEXT`, or `SASL_SSL` with `tls`). */
  sasl?: SaslOptions;
  /**
   * Where log lines go: any object with `debug`, `info`, `warn`, `error` (console, pino, …), or
   * `false` for none. Default: warnings and errors to stderr, debug too with `NODE_DEBUG=kafka-stage`.
   */
  logger?: LoggerOption;
}

/** Cluster options after defaults and validation. */
export interface ResolvedClusterOptions {
  brokers: { host: string; port: number }[];
  clientId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxResponseBytes: number;
  metadataMaxAgeMs: number;
  retry: RetryOptions;
  /** TLS of every connection (undefined: plain TCP); it holds the key material out of sight. */
  tls: TlsSettings | undefined;
  /** The SASL exchange to run on each connection; it holds the credentials out of sight. */
  sasl: SaslAuthenticator | undefined;
  /** Rebootstrap policy: when to go back to the bootstrap brokers (`metadataRecoveryStrategy`, `metadataRecoveryRebootstrapTriggerMs`). */
  metadataRecovery: ResolvedMetadataRecovery;
  /** Where log lines go (the default stderr logger when none was given). */
  logger: Logger;
}

/** Defaults of {@link ClusterOptions}. */
export const CLUSTER_DEFAULTS = Object.freeze({
  clientId: 'kafka-stage',
  ...CONNECTION_DEFAULTS,
  metadataMaxAgeMs: 300_000,
  tls: false as boolean | ClusterTlsOptions,
});

/** Names of the cluster options, for roles that check unknown keys. */
export const CLUSTER_OPTION_KEYS = [
  'brokers',
  'clientId',
  'connectTimeoutMs',
  'requestTimeoutMs',
  'maxResponseBytes',
  'metadataMaxAgeMs',
  'retry',
  'tls',
  'sasl',
  'logger',
  ...METADATA_RECOVERY_KEYS,
] as const;

const RETRY_KEYS = ['retries', 'initialBackoffMs', 'maxBackoffMs', 'deadlineMs'] as const;

/** Every object {@link resolveClusterOptions} made: resolving one again gives it back as it is. */
const resolvedObjects = new WeakSet<ResolvedClusterOptions>();

/**
 * The cluster options among a role's options (for the Cluster a role builds, or the clients a
 * consumer makes, such as its dead-letter producer): the role's own keys left out.
 */
export function clusterOptionsOf(options: ClusterOptions): ClusterOptions {
  const source = options as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of CLUSTER_OPTION_KEYS) if (source[key] !== undefined) out[key] = source[key];
  return out as unknown as ClusterOptions;
}

/**
 * Applies defaults and validates; throws InvalidOptionError naming the first bad option. Options
 * it resolved before come back as they are: a role resolves its cluster options once, when it is
 * constructed, and builds its `Cluster` from them (TLS keys are read and SASL credentials
 * wrapped once).
 */
export function resolveClusterOptions(options: ClusterOptions | ResolvedClusterOptions): ResolvedClusterOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object');
  if (resolvedObjects.has(options as ResolvedClusterOptions)) return options as ResolvedClusterOptions;
  return resolveRaw(options as ClusterOptions);
}

function resolveRaw(options: ClusterOptions): ResolvedClusterOptions {
  const retryIn = checkOptionsObject('retry', options.retry, RETRY_KEYS);
  const retry: RetryOptions = {
    retries: checkInteger('retry.retries', retryIn.retries ?? DEFAULT_RETRY.retries, 0, 1_000_000),
    initialBackoffMs: checkInteger('retry.initialBackoffMs', retryIn.initialBackoffMs ?? DEFAULT_RETRY.initialBackoffMs, 1, 3_600_000),
    maxBackoffMs: checkInteger('retry.maxBackoffMs', retryIn.maxBackoffMs ?? DEFAULT_RETRY.maxBackoffMs, 1, 3_600_000),
    deadlineMs: checkInteger('retry.deadlineMs', retryIn.deadlineMs ?? DEFAULT_RETRY.deadlineMs, 0, 86_400_000),
  };
  if (retry.maxBackoffMs < retry.initialBackoffMs) {
    throw new InvalidOptionError('retry.maxBackoffMs', 'must be ≥ retry.initialBackoffMs');
  }
  const resolved: ResolvedClusterOptions = {
    brokers: checkBrokers('brokers', options.brokers),
    clientId: checkString('clientId', options.clientId ?? CLUSTER_DEFAULTS.clientId),
    ...resolveConnectionLimits(options),
    metadataMaxAgeMs: checkInteger('metadataMaxAgeMs', options.metadataMaxAgeMs ?? CLUSTER_DEFAULTS.metadataMaxAgeMs, 0, 86_400_000),
    retry,
    tls: resolveTlsOptions(options.tls),
    sasl: resolveSaslOptions(options.sasl),
    metadataRecovery: resolveMetadataRecovery(options),
    logger: checkLogger(options.logger),
  };
  resolvedObjects.add(resolved);
  return resolved;
}

function checkLogger(option: unknown): Logger {
  if (option !== undefined && option !== false && (option === null || typeof option !== 'object')) {
    throw new InvalidOptionError('logger', 'expected an object with debug, info, warn and error methods, or false');
  }
  try {
    return resolveLogger(option as LoggerOption | undefined);
  } catch (err) {
    throw new InvalidOptionError('logger', err instanceof Error ? err.message : String(err));
  }
}
