/**
 * The link to one broker: at most one live connection, its negotiated API versions, and reconnect
 * with backoff after failures (a broker that is down is not hammered; callers wait the backoff).
 */
import type { AnyApi } from '../protocol/schema.js';
import { Connection } from '../network/connection.js';
import { ConnectionClosedError, ConnectionError } from '../network/errors.js';
import { requestApiVersions } from './api-versions-handshake.js';
import { LinkLog } from './link-log.js';
import type { ResolvedClusterOptions } from './options.js';
import { backoffDelay } from './retry.js';
import { negotiateVersion, type BrokerApiVersions } from '../protocol/versions.js';

/** One broker endpoint. Bootstrap endpoints have negative ids until metadata names them. */
export class NodeLink {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  private connection: Connection | null = null;
  private connecting: Promise<Connection> | null = null;
  /** The connection open() is setting up: close() must close it too, or it outlives the link. */
  private opening: Connection | null = null;
  private versions: BrokerApiVersions | null = null;
  private failures = 0;
  private nextAttemptAt = 0;
  private closed = false;

  /**
   * @param log where outages and throttling are logged: the client's shared one, so that several
   *   links to one broker log its outage once (default: one of the link's own)
   */
  constructor(
    nodeId: number,
    host: string,
    port: number,
    private readonly options: ResolvedClusterOptions,
    private readonly log: LinkLog = new LinkLog(options.logger),
  ) {
    this.nodeId = nodeId;
    this.host = host;
    this.port = port;
  }

  /** `host:port`. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** When the link may next try to connect (0 when it is not backing off after a failure). */
  get readyAt(): number {
    return this.nextAttemptAt;
  }

  /**
   * True when the last attempt to connect failed and none succeeded since: the broker is
   * unreachable as far as this link knows (a link never tried, or whose connection merely closed,
   * is not failing).
   */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** True when a connection is open now. */
  get isConnected(): boolean {
    return this.connection !== null && !this.connection.closed;
  }

  /** The open connection, connecting first (after any backoff owed from earlier failures). */
  async get(): Promise<Connection> {
    if (this.connection && !this.connection.closed) return this.connection;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** The version of `api` to speak with this broker (connects to learn it if needed). */
  async versionFor(api: AnyApi): Promise<number> {
    if (!this.versions) await this.get();
    return negotiateVersion(api, this.versions as BrokerApiVersions, this.nodeId >= 0 ? this.nodeId : this.address);
  }

  private async open(): Promise<Connection> {
    if (this.closed) throw this.closedError();
    const wait = this.nextAttemptAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // The cluster options were resolved with the connection's own defaults and bounds: nothing
    // here needs checking again.
    const conn = new Connection({
      host: this.host,
      port: this.port,
      clientId: this.options.clientId,
      connectTimeoutMs: this.options.connectTimeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
      // Per broker: the host dialled is the name verified (a user servername only for bootstrap addresses).
      tls: this.options.tls?.connectOptions(this.host, this.nodeId < 0),
      nodeId: this.nodeId,
      onThrottle: (api, ms) => this.log.throttled(this.address, this.nodeId, api, ms),
      firstCorrelationId: 0,
    });
    this.opening = conn;
    // The whole setup is bounded by connectTimeoutMs (Java socket.connection.setup.timeout.ms), not
    // only the TCP connect: a restarting broker's port completes TCP connections (the kernel's
    // listen backlog) long before the broker reads them, and waiting requestTimeoutMs for its
    // ApiVersions answer held every request for that broker (chaos defect D3).
    let setupTimedOut = false;
    const setupTimer = setTimeout(() => {
      setupTimedOut = true;
      void conn.close();
    }, this.options.connectTimeoutMs);
    try {
      await conn.connect();
      const versions = await requestApiVersions(conn, this.address);
      // SASL comes after ApiVersions (KIP-511 clients learn the handshake versions first).
      if (this.options.sasl) await this.options.sasl.authenticate(conn, versions);
      if (this.closed) throw this.closedError();
      this.versions = versions;
    } catch (caught) {
      const err = setupTimedOut
        ? new ConnectionError(
            `connection to ${this.address} was not set up (connect, ApiVersions${this.options.sasl ? ', SASL' : ''}) within connectTimeoutMs (${this.options.connectTimeoutMs} ms)`,
            { broker: this.address, ...(this.nodeId >= 0 ? { nodeId: this.nodeId } : {}) },
            caught,
          )
        : caught;
      this.failures++;
      this.nextAttemptAt = Date.now() + backoffDelay(this.failures, this.options.retry);
      void conn.close();
      // A link closed meanwhile was given up by the client: its failure is no outage.
      if (!this.closed) this.log.connectFailed(this.address, this.nodeId, err instanceof Error ? err : new Error(String(err)));
      throw err;
    } finally {
      clearTimeout(setupTimer);
      this.opening = null;
    }
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.connection = conn;
    this.log.connected(this.address, this.nodeId);
    // The close listener hears an error only when the client did not close the connection itself.
    conn.on('close', (error) => {
      if (error && !this.closed && this.connection === conn) this.log.dropped(this.address, this.nodeId, error);
    });
    return conn;
  }

  /**
   * Why a closed link gives no connection. Retriable, as any lost connection: the cluster client
   * closes a broker's link when metadata stops listing it (a node down in a restart) or when it
   * rebootstraps, and what waited on it goes to the broker metadata names next. A plain Error here
   * was fatal to every policy (the idempotent producer failed the batch and bumped its epoch).
   */
  private closedError(): ConnectionClosedError {
    return new ConnectionClosedError(`the link to ${this.address} was closed`, { broker: this.address, ...(this.nodeId >= 0 ? { nodeId: this.nodeId } : {}) });
  }

  /** Closes the connection; the link can be used again (it reconnects) unless `final`. */
  async close(final = true): Promise<void> {
    this.closed = final;
    const conn = this.connection;
    this.connection = null;
    if (conn) await conn.close();
    // A connection still being set up (a close() racing a connect) is closed too.
    if (final && this.opening) await this.opening.close();
  }
}
