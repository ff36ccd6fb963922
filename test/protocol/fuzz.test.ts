/**
 * Property tests of the decoders: random bytes and mutated valid frames, fed to every response
 * decoder at every version we speak, either decode or throw ProtocolError — never a RangeError or
 * TypeError, never a hang. Seeds are fixed so a failure reproduces; fast-check prints the input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ALL_APIS, apiByKey } from '../../src/protocol/apis/index.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, isFlexible } from '../../src/protocol/frame.js';
import type { AnyApi, Codec } from '../../src/protocol/schema.js';
import { sampleValue, seeded, versionsOf } from './golden/samples.js';

type AnyCodec = Codec<unknown, unknown>;

/** Decodes, and turns "threw something other than ProtocolError" into a property failure. */
function decodesOrProtocolError(decode: () => unknown): boolean {
  try {
    decode();
    return true;
  } catch (err) {
    if (err instanceof ProtocolError) return true;
    throw err;
  }
}

/** A mutation of a valid frame: the kinds of damage a broken or hostile peer produces. */
type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'word'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

const EXTREME_WORDS = [0, 1, -1, 0x7fffffff, -0x80000000, 0x7fff, 0xffff, 0x80, 0xff];

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('word' as const), at: fc.nat(), value: fc.constantFrom(...EXTREME_WORDS) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(frame: Buffer, mutations: Mutation[]): Buffer {
  let buf = Buffer.from(frame);
  for (const m of mutations) {
    if (buf.length === 0) break;
    const at = m.at % buf.length;
    switch (m.kind) {
      case 'flip':
        buf[at] = (buf[at] as number) ^ m.xor;
        break;
      case 'word':
        if (at + 4 <= buf.length) buf.writeInt32BE(m.value | 0, at);
        break;
      case 'truncate':
        buf = buf.subarray(0, at);
        break;
      case 'insert':
        buf = Buffer.concat([buf.subarray(0, at), m.bytes, buf.subarray(at)]);
        break;
      case 'delete':
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.count)]);
        break;
    }
  }
  return buf;
}

function validResponseBody(api: AnyApi, version: number): Buffer {
  const value = sampleValue(api.response as AnyCodec, seeded(api.apiKey * 7919 + version));
  return Buffer.from(encodeResponse(api as never, version, 1, value as never)).subarray(4);
}

function validRequestBody(api: AnyApi, version: number): Buffer {
  const value = sampleValue(api.request as AnyCodec, seeded(api.apiKey * 104729 + version));
  return Buffer.from(encodeRequest(api as never, version, 1, 'fuzz', value as never)).subarray(4);
}

function decodeRequest(frame: Buffer): unknown {
  const { header, body } = decodeRequestHeader(frame, (key) => apiByKey(key)?.flexibleFrom ?? Infinity);
  const api = apiByKey(header.apiKey);
  if (!api || header.apiVersion < api.minVersion || header.apiVersion > api.maxVersion) return null;
  return (api.request as AnyCodec).read(body, header.apiVersion, isFlexible(api, header.apiVersion));
}

const TEST_TIMEOUT_MS = 30_000;

describe('response decoders under random input', { timeout: TEST_TIMEOUT_MS }, () => {
  for (const api of ALL_APIS) {
    it(`${api.name}: random bytes at every version`, () => {
      const versions = versionsOf(api);
      fc.assert(
        fc.property(fc.constantFrom(...versions), fc.uint8Array({ maxLength: 96 }), (version, bytes) =>
          decodesOrProtocolError(() => decodeResponse(api, version, Buffer.from(bytes))),
        ),
        { numRuns: 60 * versions.length, seed: 0x5eed + api.apiKey },
      );
    });

    it(`${api.name}: mutated valid frames at every version`, () => {
      const versions = versionsOf(api);
      const frames = new Map(versions.map((v) => [v, validResponseBody(api, v)]));
      fc.assert(
        fc.property(fc.constantFrom(...versions), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (version, mutations) =>
          decodesOrProtocolError(() => decodeResponse(api, version, mutate(frames.get(version) as Buffer, mutations))),
        ),
        { numRuns: 120 * versions.length, seed: 0xf00d + api.apiKey },
      );
    });
  }
});

describe('request decoders under random input (fake brokers decode requests)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('mutated valid request frames of every API and version', () => {
    const frames = ALL_APIS.flatMap((api) => versionsOf(api).map((v) => validRequestBody(api, v)));
    fc.assert(
      fc.property(fc.nat({ max: frames.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (i, mutations) =>
        decodesOrProtocolError(() => decodeRequest(mutate(frames[i] as Buffer, mutations))),
      ),
      // Scales with the registry so each frame keeps about as many runs as APIs are added.
      { numRuns: 25 * frames.length, seed: 0xbeef },
    );
  });
});

describe('lying counts', () => {
  it('an array of 2^31-1 elements declared in a 10-byte frame fails fast with ProtocolError', () => {
    const metadata = apiByKey(3) as AnyApi;
    // correlation id, brokers count 0x7fffffff, then two bytes: 10 bytes in all.
    const frame = Buffer.from('00000001' + '7fffffff' + '0000', 'hex');
    assert.equal(frame.length, 10);
    const started = process.hrtime.bigint();
    assert.throws(() => decodeResponse(metadata, 0, frame), ProtocolError);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    // Refused from the count alone: far below what allocating or looping 2^31 times would take.
    assert.ok(elapsedMs < 50, `took ${elapsedMs} ms`);
  });

  it('the compact form (varint count 2^32-2) in a flexible version fails the same way', () => {
    const metadata = apiByKey(3) as AnyApi;
    // correlation id, empty header tags, throttle, brokers compact count 0xffffffff (= 2^32-2 elements).
    const frame = Buffer.from('00000001' + '00' + '00000000' + 'ffffffff0f', 'hex');
    assert.throws(() => decodeResponse(metadata, 12, frame), ProtocolError);
  });

  it('a records field claiming 2^31-1 bytes fails before allocating', () => {
    // A Produce v8 request body: transactional id null, acks, timeout, one topic, one partition, records length 2^31-1.
    const body = Buffer.from('ffff' + 'ffff' + '00007530' + '00000001' + '0001' + '74' + '00000001' + '00000000' + '7fffffff' + 'ab', 'hex');
    const header = Buffer.from('0000' + '0008' + '00000001' + 'ffff', 'hex');
    assert.throws(() => decodeRequest(Buffer.concat([header, body])), ProtocolError);
  });
});
