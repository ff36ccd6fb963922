import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, afterEach, before, describe, it, mock } from 'node:test';
import { Connection } from '../../src/network/connection.js';
import { REQUEST_CHANNEL } from '../../src/network/request-report.js';
import { resolveConnectionOptions, type ConnectionOptions, type RequestEvent } from '../../src/network/connection-options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { AbortedError, InvalidOptionError } from '../../src/errors.js';
import { ConnectionClosedError, ConnectionError, RequestTimeoutError } from '../../src/network/errors.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { encodeResponse } from '../../src/protocol/frame.js';
import { FakeBroker, responseFrame } from '../helpers/fake-broker.js';

const T = { timeout: 10_000 };

/** An ApiVersions response body of the given version; `tag` marks which request it answers. */
function apiVersionsBody(tag = 0) {
  return { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: tag }], throttleTimeMs: 0 };
}

describe('Connection against a fake broker', () => {
  let broker: FakeBroker;
  const open: Connection[] = [];

  before(async () => {
    broker = await FakeBroker.start();
  });
  after(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    broker = await restart(broker);
  });

  async function connect(options: Partial<ConnectionOptions> = {}): Promise<Connection> {
    const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'test', ...options }));
    open.push(conn);
    await conn.connect();
    return conn;
  }

  it('round-trips ApiVersions at every version we speak', T, async () => {
    const conn = await connect();
    for (let v = ApiVersions.minVersion; v <= ApiVersions.maxVersion; v++) {
      const res = await conn.request(ApiVersions, v, {});
      assert.equal(res.errorCode, 0);
      assert.deepEqual(res.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    }
    assert.deepEqual(
      broker.requests.map((r) => [r.apiVersion, r.clientId]),
      [0, 1, 2, 3, 4].map((v) => [v, 'test']),
    );
  });

  it('pipelines many requests: all are sent before the first is answered, answers arrive in order', T, async () => {
    const count = 200;
    // The first request is answered only once every request has reached the broker.
    const allArrived = broker.waitForRequests(count);
    broker.handle(ApiVersions, async (req) => {
      if (req.seq === 0) await allArrived;
      return { body: apiVersionsBody(req.seq) };
    });
    const conn = await connect();
    const settled: number[] = [];
    const promises = Array.from({ length: count }, (_v, i) =>
      conn.request(ApiVersions, 3, {}).then((res) => {
        settled.push(i);
        return res.apiKeys[0]?.maxVersion;
      }),
    );
    assert.equal(conn.inFlight, count);
    const tags = await Promise.all(promises);
    assert.deepEqual(tags, Array.from({ length: count }, (_v, i) => i), 'each response matched to its request');
    assert.deepEqual(settled, Array.from({ length: count }, (_v, i) => i), 'settled in order');
    assert.equal(conn.inFlight, 0);
    assert.deepEqual(
      broker.requests.map((r) => r.correlationId),
      Array.from({ length: count }, (_v, i) => i),
    );
  });

  it('wraps correlation ids past 2^31-1', T, async () => {
    const conn = await connect({ firstCorrelationId: 0x7ffffffe });
    const results = await Promise.all([0, 1, 2, 3].map(() => conn.request(ApiVersions, 2, {})));
    assert.equal(results.length, 4);
    assert.deepEqual(
      broker.requests.map((r) => r.correlationId),
      [0x7ffffffe, 0x7fffffff, 0, 1],
    );
  });

  it('times out a request the broker never answers, and closes the connection', T, async () => {
    broker.handle(ApiVersions, (req) => (req.seq === 0 ? { body: apiVersionsBody() } : 'stall'));
    const conn = await connect({ requestTimeoutMs: 150 });
    await conn.request(ApiVersions, 3, {});
    const closeErrors: (Error | undefined)[] = [];
    conn.on('close', (err) => closeErrors.push(err));
    const first = conn.request(ApiVersions, 3, {});
    const second = conn.request(ApiVersions, 3, {}, { timeoutMs: 5_000 });
    const started = performance.now();
    await assert.rejects(first, (err: unknown) => {
      assert.ok(err instanceof RequestTimeoutError, 'err instanceof RequestTimeoutError');
      assert.equal(err.code, 'ERR_REQUEST_TIMEOUT');
      assert.equal(err.retriable, true);
      assert.equal(err.context.broker, broker.address);
      assert.equal(err.context.api, 'ApiVersions');
      return true;
    });
    assert.ok(performance.now() - started >= 140, 'not before the timeout');
    await assert.rejects(second, (err: unknown) => {
      assert.ok(err instanceof ConnectionError, 'err instanceof ConnectionError');
      assert.equal(err.code, 'ERR_CONNECTION');
      assert.ok(err.cause instanceof RequestTimeoutError, 'err.cause instanceof RequestTimeoutError');
      return true;
    });
    assert.equal(conn.closed, true);
    assert.equal(closeErrors.length, 1);
    assert.ok(closeErrors[0] instanceof RequestTimeoutError, 'closeErrors[0] instanceof RequestTimeoutError');
  });

  it('honours a per-request timeout longer than the default', T, async () => {
    broker.handle(ApiVersions, (req) => (req.seq === 0 ? { delayMs: 250, then: { body: apiVersionsBody(7) } } : 'stall'));
    const conn = await connect({ requestTimeoutMs: 100 });
    const res = await conn.request(ApiVersions, 3, {}, { timeoutMs: 2_000 });
    assert.equal(res.apiKeys[0]?.maxVersion, 7);
    assert.equal(conn.closed, false);
  });

  it('keeps the connection open when every request is answered in time', T, async () => {
    const conn = await connect({ requestTimeoutMs: 60 });
    // Mock clock and timers: a slow machine answering after 60 ms cannot time a request out, and
    // the tick below fires any timer left armed (a request kept in flight after its answer fails it).
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.now() });
    try {
      for (let i = 0; i < 5; i++) await conn.request(ApiVersions, 3, {});
      // Outlive many timeout periods: a timer left armed for an answered request would fire now.
      mock.timers.tick(10 * 60);
      assert.equal(conn.closed, false);
    } finally {
      mock.timers.reset();
    }
    await conn.request(ApiVersions, 3, {});
  });

  it('close() rejects waiting requests with ConnectionClosedError and later requests too', T, async () => {
    broker.handle(ApiVersions, () => 'stall');
    const conn = await connect();
    const closeErrors: (Error | undefined)[] = [];
    conn.on('close', (err) => closeErrors.push(err));
    const waiting = [conn.request(ApiVersions, 3, {}), conn.request(ApiVersions, 3, {})].map((p) =>
      assert.rejects(p, (err: unknown) => err instanceof ConnectionClosedError && err.code === 'ERR_CONNECTION_CLOSED' && err.retriable),
    );
    await conn.close();
    await Promise.all(waiting);
    assert.equal(conn.closed, true);
    assert.equal(conn.inFlight, 0);
    assert.deepEqual(closeErrors, [undefined]);
    await assert.rejects(conn.request(ApiVersions, 3, {}), (err: unknown) => err instanceof ConnectionClosedError);
    await assert.rejects(conn.connect(), (err: unknown) => err instanceof ConnectionClosedError);
    await conn.close(); // twice is fine
  });

  it('refuses requests before connect()', T, async () => {
    const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'test' }));
    await assert.rejects(conn.request(ApiVersions, 3, {}), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_CONNECTION');
    await conn.close();
  });

  it('rejects connect() with ERR_CONNECTION when nothing listens', T, async () => {
    const port = await freePort();
    const conn = new Connection(resolveConnectionOptions({ host: '127.0.0.1', port, clientId: 'test', nodeId: 7 }));
    await assert.rejects(conn.connect(), (err: unknown) => {
      assert.ok(err instanceof ConnectionError, 'err instanceof ConnectionError');
      assert.equal(err.code, 'ERR_CONNECTION');
      assert.equal(err.retriable, true);
      assert.equal(err.context.broker, `127.0.0.1:${port}`);
      assert.equal(err.context.nodeId, 7);
      assert.match(err.message, /ECONNREFUSED/);
      return true;
    });
    assert.equal(conn.closed, true);
  });

  it('rejects connect() after connectTimeoutMs when the handshake never completes', T, async () => {
    // A plain TCP server that accepts and stays silent: a TLS handshake with it never finishes.
    const accepted: Socket[] = [];
    const silent = createServer((socket) => accepted.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as AddressInfo).port;
    try {
      const conn = new Connection(resolveConnectionOptions({ host: '127.0.0.1', port, clientId: 'test', tls: true, connectTimeoutMs: 150 }));
      await assert.rejects(conn.connect(), (err: unknown) => err instanceof ConnectionError && /timed out after 150 ms/.test(err.message));
      assert.equal(conn.closed, true);
    } finally {
      for (const socket of accepted) socket.destroy();
      silent.close();
    }
  });

  it('aborts a request through its signal, drops its late response and keeps the connection', T, async () => {
    broker.handle(ApiVersions, (req) => (req.seq === 0 ? { delayMs: 100, then: { body: apiVersionsBody(1) } } : { body: apiVersionsBody(2) }));
    const conn = await connect();
    const controller = new AbortController();
    const aborted = conn.request(ApiVersions, 3, {}, { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await assert.rejects(aborted, (err: unknown) => {
      assert.ok(err instanceof AbortedError, 'err instanceof AbortedError');
      assert.equal(err.code, 'ERR_ABORTED');
      assert.equal((err.cause as Error).message, 'user gave up');
      return true;
    });
    const next = await conn.request(ApiVersions, 3, {});
    assert.equal(next.apiKeys[0]?.maxVersion, 2, 'the late answer to the aborted request was not taken for this one');
    assert.equal(conn.closed, false);
    const already = AbortSignal.abort();
    await assert.rejects(conn.request(ApiVersions, 3, {}, { signal: already }), AbortedError);
    assert.equal(broker.requests.length, 2, 'an already aborted request is not sent');
  });

  it('send() writes a request that expects no response', T, async () => {
    broker.handle(ApiVersions, (req) => (req.seq === 0 ? 'ignore' : { body: apiVersionsBody(5) }));
    const conn = await connect();
    await conn.send(ApiVersions, 3, {});
    assert.equal(conn.inFlight, 0);
    const res = await conn.request(ApiVersions, 3, {});
    assert.equal(res.apiKeys[0]?.maxVersion, 5);
    assert.deepEqual(
      broker.requests.map((r) => r.correlationId),
      [0, 1],
    );
  });

  it('reports every settled request on the diagnostics channel and to onRequest', T, async () => {
    const published: RequestEvent[] = [];
    const onPublish = (message: unknown) => published.push(message as RequestEvent);
    subscribe(REQUEST_CHANNEL, onPublish);
    try {
      broker.handle(ApiVersions, (req) => (req.seq < 2 ? { body: apiVersionsBody() } : 'stall'));
      const hooked: RequestEvent[] = [];
      const conn = await connect({ nodeId: 3, requestTimeoutMs: 100, onRequest: (e) => hooked.push(e) });
      await conn.request(ApiVersions, 3, {});
      await conn.request(ApiVersions, 1, {});
      await assert.rejects(conn.request(ApiVersions, 3, {}), RequestTimeoutError);
      const mine = published.filter((e) => e.broker === broker.address);
      assert.deepEqual(hooked, mine);
      assert.deepEqual(
        mine.map((e) => [e.api, e.apiKey, e.version, e.nodeId, e.correlationId, e.error?.constructor.name]),
        [
          ['ApiVersions', 18, 3, 3, 0, undefined],
          ['ApiVersions', 18, 1, 3, 1, undefined],
          ['ApiVersions', 18, 3, 3, 2, 'RequestTimeoutError'],
        ],
      );
      assert.ok(mine.every((e) => e.durationMs >= 0), 'mine.every((e) => e.durationMs >= 0)');
      assert.ok((mine[2]?.durationMs ?? 0) >= 90, '(mine[2]?.durationMs ?? 0) >= 90');
    } finally {
      unsubscribe(REQUEST_CHANNEL, onPublish);
    }
  });

  it('runs authenticate after the socket opens and before connect() resolves', T, async () => {
    const order: string[] = [];
    const conn = new Connection(resolveConnectionOptions({
      host: broker.host,
      port: broker.port,
      clientId: 'test',
      authenticate: async (c) => {
        order.push('auth start');
        await c.request(ApiVersions, 0, {});
        order.push('auth done');
      },
    }));
    open.push(conn);
    await conn.connect().then(() => order.push('connected'));
    assert.deepEqual(order, ['auth start', 'auth done', 'connected']);
    assert.equal(broker.requests.length, 1);
  });

  it('fails connect() with the error of a failed authenticate and closes', T, async () => {
    const refused = new Error('bad credentials');
    const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'test', authenticate: () => Promise.reject(refused) }));
    await assert.rejects(conn.connect(), (err: unknown) => err === refused);
    assert.equal(conn.closed, true);
  });

  it('reads an UNSUPPORTED_VERSION answer to ApiVersions as version 0, as brokers send it', T, async () => {
    broker.handle(ApiVersions, (req) => ({
      raw: encodeResponse(ApiVersions, 0, req.correlationId, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] }),
    }));
    const conn = await connect();
    const res = await conn.request(ApiVersions, 4, {});
    assert.equal(res.errorCode, 35);
    assert.deepEqual(res.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 2 }]);
  });

  it('rejects an undecodable body with ProtocolError and the requests behind it with ConnectionError', T, async () => {
    broker.handle(ApiVersions, (req) =>
      req.seq === 0 ? { raw: responseFrame(req.correlationId, Buffer.from([0, 0, 0, 0, 0, 9])) } : 'stall',
    );
    const conn = await connect();
    const bad = conn.request(ApiVersions, 0, {});
    const behind = conn.request(ApiVersions, 0, {});
    await assert.rejects(bad, (err: unknown) => err instanceof ProtocolError && err.context.api === 'ApiVersions');
    await assert.rejects(behind, (err: unknown) => err instanceof ConnectionError && err.cause instanceof ProtocolError);
    assert.equal(conn.closed, true);
  });

  it('validates its options with errors naming the option', () => {
    const base = { host: '127.0.0.1', port: 9092, clientId: 'c' };
    const cases: [Partial<ConnectionOptions>, string][] = [
      [{ host: '' }, 'host'],
      [{ port: 0 }, 'port'],
      [{ port: 70000 }, 'port'],
      [{ requestTimeoutMs: -1 }, 'requestTimeoutMs'],
      [{ connectTimeoutMs: 1.5 }, 'connectTimeoutMs'],
      [{ maxResponseBytes: 2 }, 'maxResponseBytes'],
      [{ tls: 'yes' as unknown as boolean }, 'tls'],
    ];
    for (const [override, option] of cases) {
      assert.throws(() => new Connection(resolveConnectionOptions({ ...base, ...override })), (err: unknown) => err instanceof InvalidOptionError && err.option === option);
    }
  });

  it('rejects a request with an invalid per-request timeout without sending it', T, async () => {
    const conn = await connect();
    await assert.rejects(conn.request(ApiVersions, 3, {}, { timeoutMs: 0 }), (err: unknown) => err instanceof InvalidOptionError && err.option === 'timeoutMs');
    await assert.rejects(conn.request(ApiVersions, 9, {}), ProtocolError);
    assert.equal(broker.requests.length, 0);
    assert.equal(conn.closed, false);
  });
});

/** A fresh fake broker for the next test (handlers and request log reset). */
async function restart(old: FakeBroker): Promise<FakeBroker> {
  await old.stop();
  return FakeBroker.start();
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}
