/**
 * Options of one broker connection: the defaults and bounds of its timeouts and response size,
 * defined here once (the cluster client's options take theirs from here), and the one function that
 * applies them. A `Connection` is handed options already resolved.
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { checkInteger, checkString } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import type { AnyApi, RequestIn, ResponseOut } from '../protocol/schema.js';

/** What `authenticate` may use of the connection it sets up (a `Connection` is one). */
export interface ConnectionInSetup {
  /** Sends a request on the connection being set up and resolves with its decoded response. */
  request<A extends AnyApi>(api: A, version: number, body: RequestIn<A>): Promise<ResponseOut<A>>;
}

/** Published on the request channel and passed to `onRequest` when a request settles. */
export interface RequestEvent {
  /** API name, e.g. `Fetch`. */
  api: string;
  /** API key. */
  apiKey: number;
  /** Version spoken. */
  version: number;
  /** Broker address `host:port`. */
  broker: string;
  /** Broker node id, when known. */
  nodeId?: number;
  /** Correlation id of the request. */
  correlationId: number;
  /** Time from sending to settling (for `send`: to the bytes reaching the kernel), in ms. */
  durationMs: number;
  /** Why the request failed; absent on success. */
  error?: Error;
}

/** The timeouts and response size bound every connection has (the cluster options carry them too). */
export interface ConnectionLimits {
  /** Time allowed for TCP connect, TLS handshake and `authenticate`, in ms. Default 10 000 (Java `socket.connection.setup.timeout.ms`). */
  connectTimeoutMs?: number;
  /** Time a request may wait for its response, in ms. Default 30 000 (Java `request.timeout.ms`). */
  requestTimeoutMs?: number;
  /** Largest response frame accepted, in bytes; a larger declared size is a protocol error. Default 128 MiB. */
  maxResponseBytes?: number;
}

/** Options of a `Connection`, before defaults and validation. */
export interface ConnectionOptions extends ConnectionLimits {
  /** Broker host name or IP address. */
  host: string;
  /** Broker port. */
  port: number;
  /** Client id sent in every request header (Java `client.id`). */
  clientId: string;
  /**
   * TLS: `true` for defaults, or Node TLS options. Certificates and the host name are verified by
   * default (`servername` = `host` unless `host` is an IP address, whose certificate must list it).
   * `false` or absent: plain TCP.
   */
  tls?: TlsConnectionOptions | boolean;
  /** Runs after the socket opens and before `connect()` resolves, e.g. a SASL exchange through `request`. */
  authenticate?: (conn: ConnectionInSetup) => Promise<void>;
  /** Broker node id, for error context and events. */
  nodeId?: number;
  /** Called synchronously with every settled request (cheap counters; must not throw). */
  onRequest?: (event: RequestEvent) => void;
  /** Called when a response carries a throttle time above 0 (a quota hit; must not throw). */
  onThrottle?: (api: string, throttleTimeMs: number) => void;
  /** First correlation id used. Default 0. Tests start near 2^31-1 to exercise wrapping. */
  firstCorrelationId?: number;
}

/** Options of a `Connection` after defaults and validation: what its constructor takes. */
export interface ResolvedConnectionOptions extends Required<ConnectionLimits> {
  host: string;
  port: number;
  clientId: string;
  /** Node TLS options; `undefined`: plain TCP. */
  tls: TlsConnectionOptions | undefined;
  authenticate?: (conn: ConnectionInSetup) => Promise<void>;
  nodeId?: number;
  onRequest?: (event: RequestEvent) => void;
  onThrottle?: (api: string, throttleTimeMs: number) => void;
  firstCorrelationId: number;
}

/** Defaults of {@link ConnectionLimits}. */
export const CONNECTION_DEFAULTS = Object.freeze({
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxResponseBytes: 128 * 1024 * 1024,
});

/**
 * Bounds of {@link ConnectionLimits}. Timeouts stop at an hour: requests add to `requestTimeoutMs`
 * (a Fetch its `maxWaitMs`, a Produce a grace period), and the sum must stay a delay a timer can
 * wait. No response frame smaller than 1 KiB is allowed: a broker's ApiVersions answer alone is
 * hundreds of bytes, so a smaller bound only makes a client that cannot connect.
 */
export const CONNECTION_BOUNDS = Object.freeze({
  connectTimeoutMs: Object.freeze({ min: 1, max: 3_600_000 }),
  requestTimeoutMs: Object.freeze({ min: 1, max: 3_600_000 }),
  maxResponseBytes: Object.freeze({ min: 1024, max: 0x7fffffff }),
});

/** Applies the defaults and bounds of {@link ConnectionLimits}; throws InvalidOptionError naming a bad one. */
export function resolveConnectionLimits(options: ConnectionLimits): Required<ConnectionLimits> {
  const limit = (name: keyof ConnectionLimits): number => {
    const { min, max } = CONNECTION_BOUNDS[name];
    return checkInteger(name, options[name] ?? CONNECTION_DEFAULTS[name], min, max);
  };
  return { connectTimeoutMs: limit('connectTimeoutMs'), requestTimeoutMs: limit('requestTimeoutMs'), maxResponseBytes: limit('maxResponseBytes') };
}

/** Applies defaults and validates; throws InvalidOptionError naming the first bad option. */
export function resolveConnectionOptions(options: ConnectionOptions): ResolvedConnectionOptions {
  const host = checkString('host', options.host);
  const port = checkInteger('port', options.port, 1, 65535);
  if (typeof options.clientId !== 'string') throw new InvalidOptionError('clientId', 'expected a string');
  const limits = resolveConnectionLimits(options);
  const tls = options.tls ?? false;
  if (typeof tls !== 'boolean' && (typeof tls !== 'object' || tls === null)) {
    throw new InvalidOptionError('tls', 'expected a boolean or TLS options');
  }
  const resolved: ResolvedConnectionOptions = {
    host,
    port,
    clientId: options.clientId,
    ...limits,
    tls: tls === true ? {} : tls === false ? undefined : tls,
    firstCorrelationId: checkInteger('firstCorrelationId', options.firstCorrelationId ?? 0, 0, 0x7fffffff),
  };
  if (options.authenticate !== undefined) resolved.authenticate = options.authenticate;
  if (options.nodeId !== undefined) resolved.nodeId = options.nodeId;
  if (options.onRequest !== undefined) resolved.onRequest = options.onRequest;
  if (options.onThrottle !== undefined) resolved.onThrottle = options.onThrottle;
  return resolved;
}
