/**
 * One TCP (or TLS) connection to one broker: framing, pipelined requests, a maximum response size,
 * clean close. Which requests wait for an answer, their correlation ids and deadlines are kept by
 * its {@link InFlightTable}; its options come resolved (`connection-options.ts`).
 *
 * Failure rules, all giving typed errors and none leaving a caller hanging:
 * - a socket error, or the broker closing, rejects every waiting request with a retriable
 *   {@link ConnectionError} (`ERR_CONNECTION`, or `ERR_CONNECTION_CLOSED` when the peer closed);
 * - a bad frame size or a response whose correlation id matches no request is a
 *   {@link ProtocolError}: the stream can no longer be trusted, so the connection closes and every
 *   waiting request rejects with that error;
 * - a response body that fails to decode rejects its request with a {@link ProtocolError} and closes
 *   the connection; a request that times out rejects with a {@link RequestTimeoutError} and closes the
 *   connection; in both cases the other waiting requests reject with a {@link ConnectionError} whose
 *   `cause` is the original error;
 * - {@link Connection.close} rejects waiting requests with a {@link ConnectionClosedError}.
 */
import { connect as netConnect, isIP, isIPv6, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { checkInteger } from '../options/validate.js';
import { AbortedError, KafkaStageError, type ErrorContext } from '../errors.js';
import { ProtocolError } from '../protocol/errors.js';
import { ConnectionClosedError, ConnectionError, RequestTimeoutError } from './errors.js';
import { decodeResponse, encodeRequest } from '../protocol/frame.js';
import type { AnyApi, ApiDefinition, RequestIn, ResponseOut } from '../protocol/schema.js';
import { MAX_TIMER_DELAY_MS } from '../util/deadline-timer.js';
import type { ConnectionInSetup, ResolvedConnectionOptions } from './connection-options.js';
import { FrameDecoder } from './frame-decoder.js';
import { FrameReader } from './frame-reader.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { InFlightTable } from './in-flight.js';
import { RequestReporter } from './request-report.js';

/** Longest a clean close waits for queued bytes to reach the kernel before dropping the socket. */
const CLOSE_GRACE_MS = 1_000;
const API_VERSIONS_KEY = 18;

/** Per-request options of {@link Connection.request}. */
export interface RequestOptions {
  /** Overrides the connection's `requestTimeoutMs` for this request, in ms (e.g. a long-polling Fetch). */
  timeoutMs?: number;
  /** Aborting rejects the request with an `ERR_ABORTED` error; its response, when it comes, is dropped. */
  signal?: AbortSignal;
}

/** One request waiting for its response. */
interface Pending {
  readonly api: AnyApi;
  readonly version: number;
  readonly correlationId: number;
  readonly startedAt: number;
  readonly deadline: number;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** Settled already (aborted); the entry stays only to recognise and drop the late response. */
  abandoned: boolean;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type CloseListener = (error?: Error) => void;
type State = 'new' | 'connecting' | 'open' | 'closed';

function noop(): void {}

/** A connection to one broker. Create, `connect()`, then `request()` as many times as needed, pipelined. */
export class Connection {
  /** Broker address `host:port` (`[v6]:port` for IPv6). */
  readonly address: string;
  /** Broker host as dialled. */
  readonly host: string;
  /** Broker port. */
  readonly port: number;
  private readonly clientId: string;
  private readonly connectTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly tls: TlsConnectionOptions | undefined;
  private readonly authenticate: ((conn: ConnectionInSetup) => Promise<void>) | undefined;
  private readonly nodeId: number | undefined;
  private readonly requests: RequestReporter;
  private readonly onThrottle: ((api: string, throttleTimeMs: number) => void) | undefined;
  private readonly context: ErrorContext;
  /**
   * Plain TCP reads into buffers we supply (FrameReader: a large response lands in its own buffer
   * with no extra copy); TLS sockets emit 'data' chunks (FrameDecoder).
   */
  private readonly decoder: FrameDecoder | FrameReader;
  private readonly pending: InFlightTable<Pending>;
  private readonly closeListeners: CloseListener[] = [];
  private state: State = 'new';
  private socket: Socket | null = null;
  private socketGone: Promise<void> = Promise.resolve();
  private connectPromise: Promise<void> | null = null;
  private rejectConnect: ((error: Error) => void) | null = null;
  /**
   * Set while {@link Connection.reauthenticate} runs: frames of new requests wait here, in order,
   * and go out when it ends (`written` settles a `send()` whose frame waited).
   */
  private held: { frame: Buffer; written?: (err?: Error | null) => void }[] | null = null;

  /** Takes options resolved by `resolveConnectionOptions` (defaults applied, bounds checked). */
  constructor(options: ResolvedConnectionOptions) {
    this.host = options.host;
    this.port = options.port;
    this.clientId = options.clientId;
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.tls = options.tls;
    this.authenticate = options.authenticate;
    this.nodeId = options.nodeId;
    this.onThrottle = options.onThrottle;
    this.pending = new InFlightTable<Pending>({ onExpired: (entry) => this.timeout(entry), firstCorrelationId: options.firstCorrelationId });
    this.address = isIPv6(this.host) ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
    this.context = this.nodeId === undefined ? { broker: this.address } : { broker: this.address, nodeId: this.nodeId };
    this.requests = new RequestReporter(this.address, this.nodeId, options.onRequest);
    const framing = { maxFrameBytes: options.maxResponseBytes, context: this.context };
    this.decoder = this.tls ? new FrameDecoder(framing) : new FrameReader(framing);
  }

  /** True once the connection is closed, by either side; it is never reopened (make a new one). */
  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Requests sent and not yet answered (aborted ones included until their response arrives). */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Opens the socket (and TLS), runs `authenticate`, and resolves when requests can be sent.
   * Rejects with a {@link ConnectionError} when the broker cannot be reached in `connectTimeoutMs`.
   * Calling it again returns the same promise.
   */
  connect(): Promise<void> {
    if (this.state === 'closed') return Promise.reject(this.closedError('connect'));
    this.connectPromise ??= this.open();
    return this.connectPromise;
  }

  /**
   * Sends a request and resolves with its decoded response. Requests are pipelined: many may be in
   * flight, and the broker answers them in order. Rejects with a typed error, never hangs past the
   * timeout.
   */
  request<A extends AnyApi>(api: A, version: number, body: RequestIn<A>, options?: RequestOptions): Promise<ResponseOut<A>> {
    return this.enqueue(api, version, body, options, false);
  }

  /**
   * Re-authenticates this open connection (KIP-368): runs `exchange`, whose `request` goes straight
   * to the broker, while requests made meanwhile wait in the connection and are sent, in order, when
   * it ends. Requests already in flight complete normally (the broker answers them first). When the
   * exchange fails the returned promise rejects with its error and the connection closes: waiting
   * requests reject with a retriable {@link ConnectionError} whose `cause` is that error.
   */
  async reauthenticate<T>(exchange: (request: <A extends AnyApi>(api: A, version: number, body: RequestIn<A>) => Promise<ResponseOut<A>>) => Promise<T>): Promise<T> {
    if (this.state !== 'open') throw this.state === 'closed' ? this.closedError('re-authentication') : new ConnectionError(`re-authentication of a connection to ${this.address} that is not open`, this.context);
    if (this.held !== null) throw new ConnectionError(`re-authentication of ${this.address} is already running`, this.context);
    this.held = [];
    try {
      return await exchange((api, version, body) => this.enqueue(api, version, body, undefined, true));
    } catch (err) {
      const error = err instanceof Error ? err : new ConnectionError(String(err), this.context);
      // The requests waiting on this connection did nothing wrong: they get a retriable
      // ConnectionError (caused by the failure) and are sent again on a new connection, whose
      // first authentication reports a refused credential to their callers.
      const reason = new ConnectionError(`connection to ${this.address} closed: re-authentication failed: ${error.message}`, this.context, error);
      this.shutdown(reason, undefined, false);
      throw error;
    } finally {
      this.releaseHeld();
    }
  }

  /** Sends what waited during a re-authentication (after a failure, shutdown has already settled it). */
  private releaseHeld(): void {
    const held = this.held;
    this.held = null;
    if (held === null || this.state === 'closed' || this.socket === null) return;
    for (const { frame, written } of held) this.socket.write(frame, written);
  }

  private enqueue<A extends AnyApi>(api: A, version: number, body: RequestIn<A>, options: RequestOptions | undefined, bypassHold: boolean): Promise<ResponseOut<A>> {
    const socket = this.writableSocket(api);
    if (socket instanceof Error) return Promise.reject(socket);
    const signal = options?.signal;
    if (signal?.aborted) {
      return Promise.reject(new AbortedError(`${api.name} request aborted before it was sent`, { ...this.context, api: api.name }, signal.reason));
    }
    let timeoutMs = this.requestTimeoutMs;
    let frame: Buffer;
    const correlationId = this.pending.nextId();
    try {
      if (options?.timeoutMs !== undefined) timeoutMs = checkInteger('timeoutMs', options.timeoutMs, 1, MAX_TIMER_DELAY_MS);
      frame = encode(api, version, correlationId, this.clientId, body);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new ProtocolError(String(err), { api: api.name }));
    }
    const startedAt = performance.now();
    const entry: Pending = {
      api,
      version,
      correlationId,
      startedAt,
      deadline: startedAt + timeoutMs,
      resolve: noop,
      reject: noop,
      abandoned: false,
      signal,
      onAbort: undefined,
    };
    const promise = new Promise<ResponseOut<A>>((resolve, reject) => {
      entry.resolve = resolve as (value: unknown) => void;
      entry.reject = reject;
    });
    this.pending.add(entry);
    if (signal) {
      entry.onAbort = () => this.abort(entry);
      signal.addEventListener('abort', entry.onAbort, { once: true });
    }
    if (this.held !== null && !bypassHold) this.held.push({ frame });
    else socket.write(frame);
    return promise;
  }

  /**
   * Sends a request that gets no response (Produce with acks=0). Resolves once the bytes are
   * handed to the kernel, not when the broker has them.
   */
  send<A extends AnyApi>(api: A, version: number, body: RequestIn<A>): Promise<void> {
    const socket = this.writableSocket(api);
    if (socket instanceof Error) return Promise.reject(socket);
    let frame: Buffer;
    const correlationId = this.pending.nextId();
    try {
      frame = encode(api, version, correlationId, this.clientId, body);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new ProtocolError(String(err), { api: api.name }));
    }
    this.pending.useId(correlationId);
    const startedAt = performance.now();
    return new Promise<void>((resolve, reject) => {
      const written = (err?: Error | null): void => {
        const error = err ? new ConnectionClosedError(`${api.name} request not sent: ${err.message}`, { ...this.context, api: api.name }, err) : undefined;
        this.requests.report(api, version, correlationId, startedAt, error);
        if (error) reject(error);
        else resolve();
      };
      // During a re-authentication the frame waits its turn, as request() frames do.
      if (this.held !== null) this.held.push({ frame, written });
      else socket.write(frame, written);
    });
  }

  /**
   * Closes the connection. Waiting requests reject with a {@link ConnectionClosedError}; bytes
   * already queued are flushed first (for at most a second). Resolves when the socket is released.
   */
  close(): Promise<void> {
    if (this.state !== 'closed') {
      const socket = this.socket;
      const wasOpen = this.state === 'open';
      this.shutdown(new ConnectionClosedError(`connection to ${this.address} closed by the client`, this.context), undefined, true);
      if (socket && !wasOpen) socket.destroy();
      else if (socket) {
        // end() flushes what is queued and sends FIN; we do not wait for the broker's FIN.
        const guard = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
        guard.unref();
        socket.end(() => socket.destroy());
        socket.once('close', () => clearTimeout(guard));
      }
    }
    return this.socketGone;
  }

  /** Listens for the connection closing: `error` is absent after {@link Connection.close}, set otherwise. */
  on(event: 'close', listener: CloseListener): this {
    if (event === 'close') this.closeListeners.push(listener);
    return this;
  }

  /** Removes a listener added with {@link Connection.on}. */
  off(event: 'close', listener: CloseListener): this {
    const i = event === 'close' ? this.closeListeners.indexOf(listener) : -1;
    if (i >= 0) this.closeListeners.splice(i, 1);
    return this;
  }

  private open(): Promise<void> {
    this.state = 'connecting';
    return new Promise<void>((resolve, reject) => {
      // Stays set until the connection is usable, so a socket error, the connect timeout or a
      // close() during the TLS handshake or `authenticate` rejects connect() at once.
      const timer = setTimeout(() => {
        this.shutdown(new ConnectionError(`connecting to ${this.address} timed out after ${this.connectTimeoutMs} ms`, this.context), undefined, false);
      }, this.connectTimeoutMs);
      timer.unref();
      // A close() while connecting ends the connect timer too: nothing of a closed connection runs on.
      this.rejectConnect = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      this.openSocket()
        .then(() => (this.authenticate ? this.authenticate(this) : undefined))
        .then(
          () => {
            clearTimeout(timer);
            if (this.state === 'closed') return; // connect() was already rejected by shutdown
            this.state = 'open';
            this.rejectConnect = null;
            resolve();
          },
          (err: unknown) => {
            clearTimeout(timer);
            // A failed authenticate leaves a socket we cannot use; its error is the one to report.
            const error = err instanceof Error ? err : new ConnectionError(String(err), this.context);
            this.shutdown(error, undefined, false);
            reject(error);
          },
        );
    });
  }

  /** Resolves when the socket (and TLS) is up; failures reach connect() through shutdown(). */
  private openSocket(): Promise<void> {
    return new Promise<void>((resolve) => {
      const socket = this.tls
        ? tlsConnect({ host: this.host, port: this.port, servername: isIP(this.host) !== 0 ? undefined : this.host, ...this.tls })
        : netConnect({ host: this.host, port: this.port, onread: { buffer: this.readBuffer, callback: this.onRead } });
      this.socket = socket;
      this.socketGone = new Promise<void>((done) => socket.once('close', () => done()));
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      if (this.tls) socket.on('data', this.onData);
      socket.on('error', this.onSocketError);
      socket.on('close', this.onSocketClose);
      socket.once(this.tls ? 'secureConnect' : 'connect', () => resolve());
    });
  }

  private writableSocket(api: AnyApi): Socket | Error {
    if (this.state === 'closed') return this.closedError(api.name);
    if (this.socket === null || this.state === 'new') {
      return new ConnectionError(`${api.name} request on a connection to ${this.address} that is not connected: call connect() first`, { ...this.context, api: api.name });
    }
    return this.socket;
  }

  private closedError(what: string): ConnectionClosedError {
    return new ConnectionClosedError(`${what} on a closed connection to ${this.address}`, { ...this.context, api: what });
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state === 'closed') return;
    try {
      (this.decoder as FrameDecoder).push(chunk);
    } catch (err) {
      this.shutdown(err as ProtocolError, undefined, false);
      return;
    }
    this.handleFrames();
  };

  /** Where the socket reads next (plain TCP): the frame being assembled, or the reader's scratch. */
  private readonly readBuffer = (): Buffer => (this.decoder as FrameReader).readBuffer();

  /** Bytes landed where {@link readBuffer} said. Returns true: keep reading (false would pause). */
  private readonly onRead = (bytes: number): boolean => {
    if (this.state === 'closed') return true;
    try {
      (this.decoder as FrameReader).wrote(bytes);
    } catch (err) {
      this.shutdown(err as ProtocolError, undefined, false);
      return true;
    }
    this.handleFrames();
    return true;
  };

  /** Hands every complete frame to its request; a framing error shuts the connection down. */
  private handleFrames(): void {
    const decoder = this.decoder;
    for (;;) {
      let frame: Buffer | undefined;
      try {
        frame = decoder.next();
      } catch (err) {
        this.shutdown(err as ProtocolError, undefined, false);
        return;
      }
      if (frame === undefined) return;
      this.onFrame(frame);
      if (this.closed) return;
    }
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const entry = this.pending.take(correlationId);
    if (entry === undefined) {
      const error = new ProtocolError(
        `response correlation id ${correlationId} matches no request in flight to ${this.address} (${this.pending.size} waiting)`,
        { ...this.context, correlationId },
      );
      this.shutdown(error, undefined, false);
      return;
    }
    if (entry.abandoned) return;
    let body: unknown;
    try {
      body = decodeFrame(entry.api, entry.version, frame);
    } catch (err) {
      const error = asProtocolError(err, { ...this.context, api: entry.api.name, correlationId });
      this.settle(entry, error, undefined);
      // The bytes of this response were not what we expected, so neither may the next ones be.
      this.shutdown(error, entry, false);
      return;
    }
    const throttleTimeMs = (body as { throttleTimeMs?: unknown }).throttleTimeMs;
    if (this.onThrottle && typeof throttleTimeMs === 'number' && throttleTimeMs > 0) this.onThrottle(entry.api.name, throttleTimeMs);
    this.settle(entry, undefined, body);
  }

  private readonly onSocketError = (err: Error): void => {
    if (this.state === 'closed') return;
    const verb = this.state === 'open' ? 'connection to' : 'connecting to';
    this.shutdown(new ConnectionError(`${verb} ${this.address} failed: ${err.message}`, this.context, err), undefined, false);
  };

  private readonly onSocketClose = (): void => {
    if (this.state === 'closed') return;
    const midFrame = this.decoder.idle ? '' : ' in the middle of a response';
    this.shutdown(new ConnectionClosedError(`broker ${this.address} closed the connection${midFrame}`, this.context), undefined, false);
  };

  /**
   * A request outlived its timeout. Its late response would not desync the stream (it would be
   * matched by correlation id and dropped), but a broker that sits on one request is stuck or the
   * path to it is dead, and every later request on this connection queues behind it (Kafka answers
   * in order). Closing lets the caller reconnect instead of waiting out each timeout in turn.
   */
  private timeout(entry: Pending): void {
    const waitedMs = Math.round(performance.now() - entry.startedAt);
    const error = new RequestTimeoutError(
      `${entry.api.name} v${entry.version} request to ${this.address} got no response in ${waitedMs} ms`,
      { ...this.context, api: entry.api.name, correlationId: entry.correlationId, timeoutMs: Math.round(entry.deadline - entry.startedAt) },
    );
    if (!entry.abandoned) this.settle(entry, error, undefined);
    this.shutdown(error, entry, false);
  }

  private abort(entry: Pending): void {
    if (entry.abandoned || this.pending.get(entry.correlationId) !== entry) return;
    entry.abandoned = true;
    const reason: unknown = entry.signal?.reason;
    this.settle(entry, new AbortedError(`${entry.api.name} request to ${this.address} aborted`, { ...this.context, api: entry.api.name }, reason), undefined);
  }

  /**
   * Marks the connection closed, rejects everything waiting and tells listeners. `culprit` is a
   * request already rejected with `error` (a timeout or an undecodable body): the others did
   * nothing wrong and get a {@link ConnectionError} caused by it. `byClient` is true for close():
   * the caller ends the socket gracefully and listeners hear no error; otherwise the socket is
   * dropped at once.
   */
  private shutdown(error: Error, culprit: Pending | undefined, byClient: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.decoder.reset();
    if (!byClient) this.socket?.destroy();
    const othersError =
      culprit === undefined
        ? error
        : new ConnectionError(`connection to ${this.address} closed: ${error.message}`, this.context, error);
    const waiting = this.pending.drain();
    // Frames held back by a re-authentication are never sent: their send() calls fail too.
    const held = this.held ?? [];
    this.held = null;
    for (const { written } of held) written?.(othersError);
    for (const entry of waiting) if (entry !== culprit && !entry.abandoned) this.settle(entry, othersError, undefined);
    this.rejectConnect?.(error);
    this.rejectConnect = null;
    const listenerError = byClient ? undefined : error;
    for (const listener of this.closeListeners.splice(0)) listener(listenerError);
  }

  private settle(entry: Pending, error: Error | undefined, value: unknown): void {
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    if (error) entry.reject(error);
    else entry.resolve(value);
    this.requests.report(entry.api, entry.version, entry.correlationId, entry.startedAt, error);
  }
}

function encode<A extends AnyApi>(api: A, version: number, correlationId: number, clientId: string, body: RequestIn<A>): Buffer {
  return encodeRequest(api as unknown as ApiDefinition<unknown, RequestIn<A>, unknown, never>, version, correlationId, clientId, body);
}

/**
 * A broker asked for an ApiVersions version it does not speak answers in version 0 with
 * UNSUPPORTED_VERSION (so any client can read it and retry lower); decode that answer as v0.
 */
function decodeFrame<A extends AnyApi>(api: A, version: number, frame: Buffer): ResponseOut<A> {
  if (api.apiKey === API_VERSIONS_KEY && version > 0 && frame.length >= 6 && frame.readInt16BE(4) === ErrorCode.UNSUPPORTED_VERSION) {
    return decodeResponse(api, 0, frame);
  }
  return decodeResponse(api, version, frame);
}

/** The decoder's error with the connection's context added (it knows the bytes, not the broker). */
function asProtocolError(err: unknown, context: ErrorContext): KafkaStageError {
  if (err instanceof KafkaStageError) {
    for (const [key, value] of Object.entries(context)) if (err.context[key] === undefined) err.context[key] = value;
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ProtocolError(`response could not be decoded: ${message}`, context, err);
}
