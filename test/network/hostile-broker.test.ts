/**
 * A hostile or broken broker: every case must end in a typed error on the waiting request, a closed
 * connection, no crash, no hang, no allocation beyond maxResponseBytes, and a new connection to
 * the same broker must work again (the recovery the cluster layer relies on).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { KafkaStageError } from '../../src/errors.js';
import { ConnectionClosedError, RequestTimeoutError, ResponseTooLargeError } from '../../src/network/errors.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { FakeBroker, responseFrame, type FakeReply } from '../helpers/fake-broker.js';

const T = { timeout: 10_000 };
const MiB = 1024 * 1024;

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

type Check = (err: unknown) => boolean;

describe('Connection against a hostile broker', () => {
  let broker: FakeBroker;
  const conns: Connection[] = [];

  before(async () => {
    broker = await FakeBroker.start();
  });
  after(async () => {
    await broker.stop();
  });
  afterEach(async () => {
    await Promise.all(conns.splice(0).map((c) => c.close()));
  });

  /**
   * Answers the first ApiVersions request with `hostile`, the rest normally; sends one request
   * that must fail with `check`, plus one behind it that must fail too; then proves a fresh
   * connection works.
   */
  async function expectFailure(hostile: (correlationId: number) => FakeReply<typeof ApiVersions>, check: Check, options: { version?: number; maxResponseBytes?: number; requestTimeoutMs?: number } = {}): Promise<void> {
    const version = options.version ?? 0;
    let answered = 0;
    broker.handle(ApiVersions, (req) => {
      answered++;
      return answered === 1 ? hostile(req.correlationId) : { body: { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 } };
    });
    const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'hostile', maxResponseBytes: options.maxResponseBytes, requestTimeoutMs: options.requestTimeoutMs ?? 5_000 }));
    conns.push(conn);
    await conn.connect();
    let closeError: Error | undefined;
    conn.on('close', (err) => (closeError = err));
    const first = conn.request(ApiVersions, version, {});
    await assert.rejects(first, (err: unknown) => {
      assert.ok(err instanceof KafkaStageError, `typed error, got ${String(err)}`);
      assert.equal(err.retriable, true, 'the cluster layer may retry on a new connection');
      assert.equal(err.context.broker, broker.address);
      return check(err);
    });
    assert.equal(conn.closed, true, 'the untrustworthy connection is closed');
    assert.ok(closeError, 'close listeners hear why');
    assert.equal(conn.inFlight, 0);
    await assert.rejects(conn.request(ApiVersions, version, {}), ConnectionClosedError);
    // Recovery: a new connection to the same broker works.
    const fresh = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'hostile' }));
    conns.push(fresh);
    await fresh.connect();
    const res = await fresh.request(ApiVersions, 3, {});
    assert.equal(res.errorCode, 0);
  }

  it('a negative frame size', T, async () => {
    await expectFailure(
      () => ({ raw: int32(-5) }),
      (err) => err instanceof ProtocolError && err.code === 'ERR_PROTOCOL' && /negative response frame size -5/.test((err as Error).message),
    );
  });

  it('a frame size too small for a correlation id', T, async () => {
    await expectFailure(
      () => ({ raw: Buffer.concat([int32(2), Buffer.from([1, 2])]) }),
      (err) => err instanceof ProtocolError && /cannot hold a correlation id/.test((err as Error).message),
    );
  });

  it('a huge frame size, refused before any allocation', T, async () => {
    const max = 64 * MiB;
    const before = process.memoryUsage().arrayBuffers;
    await expectFailure(
      () => ({ raw: Buffer.concat([int32(max + 1), Buffer.alloc(100)]) }),
      (err) => err instanceof ResponseTooLargeError && err.code === 'ERR_RESPONSE_TOO_LARGE' && err.context.declaredSize === max + 1,
      { maxResponseBytes: max },
    );
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * MiB, `array buffers grew by ${grown} bytes`);
  });

  it('a size of 2^31-1 under the default maximum', T, async () => {
    await expectFailure(() => ({ raw: int32(0x7fffffff) }), (err) => err instanceof ResponseTooLargeError && /exceeds maxResponseBytes \(134217728\)/.test((err as Error).message));
  });

  it('an HTTP server answering instead of a broker', T, async () => {
    await expectFailure(
      () => ({ raw: Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'), close: true }),
      (err) => err instanceof ProtocolError && (err as Error).message.includes('0x48545450') && (err as Error).message.includes('HTTP/1.1 400'),
    );
  });

  it('a truncated frame, then close', T, async () => {
    await expectFailure(
      (id) => ({ raw: responseFrame(id, int16(0), int32(1)).subarray(0, 9), close: true }),
      (err) => err instanceof ConnectionClosedError && err.code === 'ERR_CONNECTION_CLOSED' && /in the middle of a response/.test((err as Error).message),
    );
  });

  it('a close in the middle of the size prefix', T, async () => {
    await expectFailure(
      () => ({ raw: Buffer.from([0, 0]), close: true }),
      (err) => err instanceof ConnectionClosedError && /in the middle of a response/.test((err as Error).message),
    );
  });

  it('a close in the middle of a frame that arrives in pieces', T, async () => {
    const whole = responseFrame(0, int16(0), int32(1), int16(18), int16(0), int16(4));
    await expectFailure(
      (id) => {
        const frame = Buffer.from(whole);
        frame.writeInt32BE(id, 4);
        return { raw: [frame.subarray(0, 3), frame.subarray(3, 7), frame.subarray(7, 12)], close: true };
      },
      (err) => err instanceof ConnectionClosedError,
    );
  });

  it('a close without any answer', T, async () => {
    await expectFailure(
      () => 'close',
      (err) => err instanceof ConnectionClosedError && /closed the connection$/.test((err as Error).message),
    );
  });

  it('a response claiming an array of 2^31-1 elements', T, async () => {
    const before = process.memoryUsage().arrayBuffers;
    await expectFailure(
      (id) => ({ raw: responseFrame(id, int16(0), int32(0x7fffffff), int16(18)) }),
      (err) => err instanceof ProtocolError && /array of 2147483647 elements exceeds/.test((err as Error).message) && (err as ProtocolError).context.api === 'ApiVersions',
    );
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * MiB, 'process.memoryUsage().arrayBuffers - before < 16 * MiB');
  });

  it('a body cut short inside a well-sized frame', T, async () => {
    // Claims 3 api keys (6 bytes each) but carries one; the frame size matches the bytes sent.
    await expectFailure(
      (id) => ({ raw: responseFrame(id, int16(0), int32(3), int16(18), int16(0), int16(4)) }),
      (err) => err instanceof ProtocolError && /ApiVersions v0 response/.test((err as Error).message),
    );
  });

  it('trailing bytes after a complete body', T, async () => {
    await expectFailure(
      (id) => ({ raw: responseFrame(id, int16(0), int32(0), Buffer.from([1, 2, 3])) }),
      (err) => err instanceof ProtocolError && /3 unexpected bytes/.test((err as Error).message),
    );
  });

  it('an overlong varint in a flexible response', T, async () => {
    // ApiVersions v3: error code, then the compact array length as a varint six bytes long.
    await expectFailure(
      (id) => ({ raw: responseFrame(id, int16(0), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])) }),
      (err) => err instanceof ProtocolError && /varint overflows 32 bits/.test((err as Error).message),
      { version: 3 },
    );
  });

  it('a compact array length of 2^32-2 in a flexible response', T, async () => {
    await expectFailure(
      (id) => ({ raw: responseFrame(id, int16(0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])) }),
      (err) => err instanceof ProtocolError && /exceeds the \d+ bytes left/.test((err as Error).message),
      { version: 3 },
    );
  });

  it('a correlation id that matches no request', T, async () => {
    await expectFailure(
      (id) => ({ raw: responseFrame(id + 1000, int16(0), int32(0)) }),
      (err) => err instanceof ProtocolError && /correlation id \d+ matches no request/.test((err as Error).message),
    );
  });

  it('a broker that stops answering: the request timeout fires and the connection closes', T, async () => {
    await expectFailure(() => 'stall', (err) => err instanceof RequestTimeoutError && err.code === 'ERR_REQUEST_TIMEOUT', { requestTimeoutMs: 150 });
  });

  it('rejects every request in flight with the same error when the stream breaks', T, async () => {
    let answered = 0;
    broker.handle(ApiVersions, (req) => (answered++ === 0 ? { raw: responseFrame(req.correlationId + 1000, int16(0), int32(0)) } : 'ignore'));
    const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'hostile', requestTimeoutMs: 5_000 }));
    conns.push(conn);
    await conn.connect();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => conn.request(ApiVersions, 0, {})));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as unknown) : r.value));
    assert.ok(
      reasons.every((r) => r instanceof ProtocolError && r.retriable),
      `every request rejected with a retriable ProtocolError: ${reasons.map((r) => String(r)).join('; ')}`,
    );
    assert.equal(new Set(reasons).size, 1, 'one cause shared by all');
  });
});
