/**
 * A scriptable fake Kafka broker for tests: a real TCP (or TLS) server on 127.0.0.1 that reads
 * request frames, decodes their headers, and answers as a test script says, including with
 * bytes no real broker would send.
 *
 * ```ts
 * const broker = await FakeBroker.start();
 * broker.handle(Metadata, (req) => ({ body: { brokers: [...], topics: [...] } }));
 * broker.handle(Fetch, (req) => (req.seq === 0 ? { raw: responseFrame(req.correlationId, garbage) } : 'stall'));
 * // ... point a Connection or a cluster client at broker.address ...
 * await broker.stop();
 * ```
 *
 * Behaviour:
 * - ApiVersions is answered by default from `options.apiVersions`, or else from ApiVersions 0-4
 *   plus the version range of every API given to {@link FakeBroker.handle}. A version above 4 is
 *   answered as a real broker does: version 0 with UNSUPPORTED_VERSION (35). `handle(ApiVersions, …)`
 *   replaces the default.
 * - Each connection answers its requests one at a time, in arrival order, as Kafka does; a delayed
 *   reply delays the ones behind it.
 * - A request for an API with no handler closes the connection (a real broker does the same for an
 *   API it does not know), and is listed in {@link FakeBroker.requests} like any other.
 * - A handler that throws closes the connection; the error is kept in {@link FakeBroker.handlerErrors}.
 *
 * The request header is decoded with `decodeRequestHeader`; to find where the body starts, the
 * broker must know the API's first flexible version: APIs given to `handle()` or `options.apis`
 * are known, others are read as non-flexible.
 */
import { once } from 'node:events';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { FrameDecoder } from '../../src/network/frame-decoder.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { decodeRequestHeader, encodeResponse, isFlexible, type RequestHeader } from '../../src/protocol/frame.js';
import type { Reader } from '../../src/protocol/reader.js';
import type { AnyApi, ApiDefinition, RequestOut, ResponseIn } from '../../src/protocol/schema.js';

const UNSUPPORTED_VERSION = 35;
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

/** One API key's advertised version range. */
export interface ApiRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

/** Options of {@link FakeBroker.start}. */
export interface FakeBrokerOptions {
  /** Port to listen on; default 0 (any free port). Pass an old broker's port to "restart" it. */
  port?: number;
  /** Versions advertised in ApiVersions responses; default: ApiVersions 0-4 plus every handled API. */
  apiVersions?: ApiRange[];
  /** Serve TLS with these options (at least `key` and `cert`) instead of plain TCP. */
  tls?: TlsOptions;
  /** API definitions whose request headers must be parsed without a handler being registered. */
  apis?: AnyApi[];
}

/** A request as a handler sees it. */
export interface FakeRequest<A extends AnyApi = AnyApi> {
  /** The decoded request header. */
  header: RequestHeader;
  /** Shorthand for `header.apiVersion`. */
  version: number;
  /** Shorthand for `header.correlationId`: use it when crafting raw responses. */
  correlationId: number;
  /** The request frame without its size prefix. */
  frame: Buffer;
  /** A reader positioned at the start of the request body. */
  body: Reader;
  /** Which accepted connection this came on (0 for the first, counting since start). */
  connection: number;
  /** How many earlier requests of this API key the broker has seen (all connections). */
  seq: number;
  /** Decodes the body with the API's schema. */
  decode(): RequestOut<A>;
}

/**
 * What to do with a request:
 * - `{ body }`: a response encoded with `encodeResponse` at the request's version (or `version`);
 * - `{ raw }`: bytes written as they are (an array: written one piece at a time), size prefix
 *   included, so anything can be sent (see {@link responseFrame} and {@link sizePrefixed});
 * - `close: true` on either: close the connection after writing;
 * - `{ delayMs, then }`: wait, then do `then`;
 * - `'close'`: close the connection without answering;
 * - `'ignore'`: never answer this request, but go on answering later ones;
 * - `'stall'`: never answer this request nor any later one on this connection (a stuck broker
 *   that keeps the socket open).
 */
export type FakeReply<A extends AnyApi = AnyApi> =
  | { body: ResponseIn<A>; version?: number; close?: boolean }
  | { raw: Uint8Array | readonly Uint8Array[]; close?: boolean }
  | { delayMs: number; then: FakeReply<A> }
  | 'close'
  | 'ignore'
  | 'stall';

/** A handler for one API key; may be async. */
export type FakeHandler<A extends AnyApi = AnyApi> = (request: FakeRequest<A>) => FakeReply<A> | Promise<FakeReply<A>>;

/** An entry of {@link FakeBroker.requests}. */
export interface FakeRequestRecord extends RequestHeader {
  /** Which accepted connection it came on. */
  connection: number;
}

interface Registration {
  api: AnyApi;
  handler: FakeHandler;
}

/** A fake broker; see the module documentation. */
export class FakeBroker {
  /** Host the broker listens on. */
  readonly host = '127.0.0.1';
  /** Every request received, in order, on all connections. */
  readonly requests: FakeRequestRecord[] = [];
  /** Errors thrown by handlers (each closed its connection). */
  readonly handlerErrors: unknown[] = [];
  private readonly server: Server;
  private readonly options: FakeBrokerOptions;
  private readonly handlers = new Map<number, Registration>();
  private readonly knownApis = new Map<number, AnyApi>();
  private readonly sockets = new Set<Socket>();
  private readonly seqByKey = new Map<number, number>();
  private accepted = 0;
  private readonly waiters: { count: number; apiKey: number | undefined; resolve: () => void }[] = [];

  private constructor(options: FakeBrokerOptions) {
    this.options = options;
    this.knownApis.set(ApiVersions.apiKey, ApiVersions as unknown as AnyApi);
    for (const api of options.apis ?? []) this.knownApis.set(api.apiKey, api);
    this.server = options.tls
      ? createTlsServer(options.tls, (socket) => this.accept(socket))
      : createTcpServer((socket) => this.accept(socket));
  }

  /** Starts a broker listening on 127.0.0.1. */
  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const broker = new FakeBroker(options);
    broker.server.listen(options.port ?? 0, broker.host);
    await once(broker.server, 'listening');
    return broker;
  }

  /** Port the broker listens on. */
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `host:port`, as brokers are written in bootstrap lists. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Connections accepted since start. */
  get connectionCount(): number {
    return this.accepted;
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Sets (or replaces) the handler of `api`; it also makes the API advertised and its headers parsable. */
  handle<A extends AnyApi>(api: A, handler: FakeHandler<A>): this {
    this.knownApis.set(api.apiKey, api);
    this.handlers.set(api.apiKey, { api, handler: handler as unknown as FakeHandler });
    return this;
  }

  /** Requests received for one API key. */
  requestsFor(api: { apiKey: number }): FakeRequestRecord[] {
    return this.requests.filter((r) => r.apiKey === api.apiKey);
  }

  /**
   * Resolves once `count` requests (of `api` only, when given) have been received, whether or not
   * they were answered: lets a test know that pipelined requests all reached the broker.
   */
  waitForRequests(count: number, api?: { apiKey: number }): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, apiKey: api?.apiKey, resolve });
      this.wakeWaiters();
    });
  }

  private wakeWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i] as (typeof this.waiters)[number];
      const seen = waiter.apiKey === undefined ? this.requests.length : this.seqByKey.get(waiter.apiKey) ?? 0;
      if (seen >= waiter.count) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Drops every client connection now (the server keeps listening). */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Drops every connection and stops listening. */
  async stop(): Promise<void> {
    this.dropConnections();
    if (!this.server.listening) return;
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }

  private accept(socket: Socket): void {
    const connection = this.accepted++;
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // clients vanish mid-test; that is not our failure
    const decoder = new FrameDecoder({ maxFrameBytes: MAX_REQUEST_BYTES });
    let queue: Promise<void> = Promise.resolve();
    let stalled = false;
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
        for (let frame = decoder.next(); frame; frame = decoder.next()) {
          const request = this.parse(frame, connection);
          queue = queue.then(async () => {
            if (stalled || socket.destroyed) return;
            const reply = await this.reply(request);
            if (reply === 'stall') stalled = true;
            else await this.perform(socket, request, reply);
          });
        }
      } catch (err) {
        this.handlerErrors.push(err);
        socket.destroy();
      }
    });
  }

  private parse(frame: Buffer, connection: number): FakeRequest {
    const { header, body } = decodeRequestHeader(frame, (key) => this.knownApis.get(key)?.flexibleFrom ?? Infinity);
    this.requests.push({ ...header, connection });
    const seq = this.seqByKey.get(header.apiKey) ?? 0;
    this.seqByKey.set(header.apiKey, seq + 1);
    this.wakeWaiters();
    const api = this.knownApis.get(header.apiKey);
    return {
      header,
      version: header.apiVersion,
      correlationId: header.correlationId,
      frame,
      body,
      connection,
      seq,
      decode: () => {
        if (!api) throw new Error(`fake broker: no definition of API key ${header.apiKey}`);
        return api.request.read(body, header.apiVersion, isFlexible(api, header.apiVersion));
      },
    };
  }

  private async reply(request: FakeRequest): Promise<FakeReply> {
    const registration = this.handlers.get(request.header.apiKey);
    try {
      if (registration) return await registration.handler(request);
      if (request.header.apiKey === ApiVersions.apiKey) return this.defaultApiVersions(request);
      return 'close';
    } catch (err) {
      this.handlerErrors.push(err);
      return 'close';
    }
  }

  private defaultApiVersions(request: FakeRequest): FakeReply {
    const apiKeys = this.options.apiVersions ?? this.advertised();
    const version = request.version > ApiVersions.maxVersion ? 0 : request.version;
    const errorCode = version === request.version ? 0 : UNSUPPORTED_VERSION;
    const frame = encodeResponse(ApiVersions, version, request.correlationId, { errorCode, apiKeys, throttleTimeMs: 0 });
    return { raw: frame };
  }

  private advertised(): ApiRange[] {
    const ranges: ApiRange[] = [{ apiKey: ApiVersions.apiKey, minVersion: ApiVersions.minVersion, maxVersion: ApiVersions.maxVersion }];
    for (const { api } of this.handlers.values()) {
      if (api.apiKey !== ApiVersions.apiKey) ranges.push({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion });
    }
    return ranges;
  }

  private async perform(socket: Socket, request: FakeRequest, reply: FakeReply): Promise<void> {
    if (reply === 'ignore' || reply === 'stall') return;
    if (reply === 'close') {
      socket.end(() => socket.destroy());
      return;
    }
    if ('delayMs' in reply) {
      await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (!socket.destroyed) await this.perform(socket, request, reply.then);
      return;
    }
    const pieces = 'raw' in reply ? (isPieceList(reply.raw) ? reply.raw : [reply.raw]) : [this.encodeBody(request, reply.body, reply.version)];
    for (const piece of pieces) {
      if (socket.destroyed) return;
      await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
    }
    if (reply.close) socket.end(() => socket.destroy());
  }

  private encodeBody(request: FakeRequest, body: unknown, version: number | undefined): Buffer {
    const registration = this.handlers.get(request.header.apiKey);
    const api = (registration?.api ?? this.knownApis.get(request.header.apiKey)) as unknown as ApiDefinition<unknown, never, unknown, unknown>;
    return encodeResponse(api, version ?? request.version, request.correlationId, body);
  }
}

function isPieceList(raw: Uint8Array | readonly Uint8Array[]): raw is readonly Uint8Array[] {
  return Array.isArray(raw);
}

/** `parts` concatenated behind an int32 size prefix that counts them. */
export function sizePrefixed(...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

/** A whole response frame: size prefix, `correlationId`, then `body` bytes as given (header tags included if wanted). */
export function responseFrame(correlationId: number, ...body: Uint8Array[]): Buffer {
  const id = Buffer.alloc(4);
  id.writeInt32BE(correlationId);
  return sizePrefixed(id, ...body);
}
