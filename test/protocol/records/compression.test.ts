/**
 * Compression codecs: round trips, the framings Kafka's Java client writes (xerial snappy, LZ4
 * frames) built byte by byte, decompression bombs refused with CompressionError, and the typed
 * error for a codec package that is not installed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CodecUnavailableError, CompressionError } from '../../../src/protocol/errors.js';
import {
  compress,
  decompress,
  decompressSync,
  hasSyncDecompress,
  lz4DecompressedBound,
  zstdDecompressedBound,
  zstdIsBuiltin,
} from '../../../src/protocol/records/compression/index.js';
import { loadCodecPackage } from '../../../src/protocol/records/compression/load-package.js';
import type { CompressionName } from '../../../src/protocol/records/types.js';

const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const MiB = 1024 * 1024;
const requireHere = createRequire(import.meta.url);

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function uint32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** A raw snappy block holding `text` as one literal (preamble varint length, literal tag). */
function snappyLiteralBlock(text: string): Buffer {
  assert.ok(text.length > 0 && text.length <= 60);
  return Buffer.concat([Buffer.from([text.length, (text.length - 1) << 2]), Buffer.from(text)]);
}

const XERIAL_HEADER = Buffer.concat([Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]), int32(1), int32(1)]);

/** Collects what `fn` throws, synchronously or as a rejected promise. */
async function failure(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected a failure');
}

async function assertCompressionError(fn: () => unknown, message?: RegExp): Promise<void> {
  const error = await failure(fn);
  assert.ok(error instanceof CompressionError, `expected CompressionError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_COMPRESSION');
  if (message) assert.match(error.message, message);
}

function samplePayloads(): Buffer[] {
  const text = Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(40_000)); // ~1.7 MiB, compressible
  return [Buffer.alloc(0), Buffer.from('x'), Buffer.from('hello kafka'), randomBytes(100_000), text, Buffer.concat([randomBytes(MiB), text])];
}

describe('compression round trips', () => {
  for (const codec of CODECS) {
    it(`${codec}: empty, tiny, random and large payloads come back byte for byte`, async () => {
      for (const data of samplePayloads()) {
        const packed = await compress(codec, data);
        const unpacked = await decompress(codec, packed, data.length);
        assert.ok(unpacked.equals(data), `${codec} round trip of ${data.length} bytes`);
        if (hasSyncDecompress(codec)) assert.ok(decompressSync(codec, packed, data.length).equals(data));
        if (data.length > 0) {
          await assertCompressionError(() => decompress(codec, packed, data.length - 1), /over the limit/);
        }
      }
    });
  }

  it('decompresses synchronously for every codec but zstd without node:zlib zstd', () => {
    for (const codec of ['none', 'gzip', 'snappy', 'lz4'] as const) assert.equal(hasSyncDecompress(codec), true);
    assert.equal(hasSyncDecompress('zstd'), zstdIsBuiltin);
    assert.equal(decompress('gzip', gzipSync(Buffer.from('a')), 10) instanceof Buffer, true);
  });

  it('rejects a negative or fractional bound', async () => {
    await assertCompressionError(() => decompress('gzip', gzipSync(Buffer.from('a')), -1), /non-negative/);
    await assertCompressionError(() => decompress('lz4', Buffer.alloc(0), 1.5), /non-negative/);
  });
});

describe('snappy: xerial framing (Java producer) and raw blocks', () => {
  it('writes the xerial header and chunks of at most 32 KiB input', async () => {
    const data = randomBytes(100_000);
    const packed = await compress('snappy', data);
    assert.ok(packed.subarray(0, 16).equals(XERIAL_HEADER));
    const snappy = requireHere('snappy') as { uncompressSync(b: Buffer, o: { asBuffer: true }): Buffer };
    const chunks: Buffer[] = [];
    for (let at = 16; at < packed.length; ) {
      const length = packed.readInt32BE(at);
      chunks.push(snappy.uncompressSync(packed.subarray(at + 4, at + 4 + length), { asBuffer: true }));
      at += 4 + length;
    }
    assert.deepEqual(chunks.map((c) => c.length), [32768, 32768, 32768, 100_000 - 3 * 32768]);
    assert.ok(Buffer.concat(chunks).equals(data));
  });

  it('reads a xerial stream built byte by byte, including a second header mid-stream', () => {
    const hello = snappyLiteralBlock('hello ');
    const world = snappyLiteralBlock('world');
    const stream = Buffer.concat([XERIAL_HEADER, int32(hello.length), hello, XERIAL_HEADER, int32(world.length), world]);
    assert.equal(decompressSync('snappy', stream, 100).toString(), 'hello world');
    assert.equal(decompressSync('snappy', XERIAL_HEADER, 0).length, 0);
  });

  it('reads a plain raw snappy block', () => {
    assert.equal(decompressSync('snappy', snappyLiteralBlock('raw block'), 9).toString(), 'raw block');
  });

  it('refuses chunk lengths that lie and blocks whose data does not match their preamble', async () => {
    const block = snappyLiteralBlock('abc');
    await assertCompressionError(() => decompress('snappy', Buffer.concat([XERIAL_HEADER, int32(100), block]), 100), /chunk length/);
    await assertCompressionError(() => decompress('snappy', Buffer.concat([XERIAL_HEADER, int32(-5), block]), 100), /chunk length/);
    await assertCompressionError(() => decompress('snappy', Buffer.concat([XERIAL_HEADER, Buffer.from([0, 0])]), 100), /cut short/);
    // Preamble says 10 bytes, the literal carries 3.
    const lying = Buffer.concat([Buffer.from([10]), block.subarray(1)]);
    await assertCompressionError(() => decompress('snappy', lying, 100));
    await assertCompressionError(() => decompress('snappy', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 100), /overflows/);
  });

  it('refuses a bomb by the declared lengths, before decompressing', async () => {
    // A raw block that claims 4 GiB: refused from its preamble alone.
    await assertCompressionError(
      () => decompress('snappy', Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.alloc(8)]), MiB),
      /over the limit/,
    );
    const bomb = await compress('snappy', Buffer.alloc(10 * MiB));
    assert.ok(bomb.length < 600_000);
    await assertCompressionError(() => decompress('snappy', bomb, MiB), /over the limit/);
    assert.equal((await decompress('snappy', bomb, 10 * MiB)).length, 10 * MiB);
  });
});

describe('lz4: frame format', () => {
  const FRAME_HEADER = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);

  it('writes 64 KiB independent blocks without checksums, as the Java client does', async () => {
    const packed = await compress('lz4', Buffer.alloc(200_000, 7));
    assert.ok(packed.subarray(0, 7).equals(FRAME_HEADER));
    assert.equal(packed.readUInt32LE(packed.length - 4), 0, 'ends with the end mark');
    // The codec's own frame decoder (which checks the header checksum) reads our framing.
    const lz4 = requireHere('lz4-napi') as { decompressFrameSync(b: Buffer): Buffer };
    assert.ok(lz4.decompressFrameSync(packed).equals(Buffer.alloc(200_000, 7)));
  });

  it('stores an incompressible block uncompressed', async () => {
    const data = randomBytes(1000);
    const packed = await compress('lz4', data);
    assert.equal(packed.readUInt32LE(7), (0x80000000 | 1000) >>> 0);
    assert.ok(packed.subarray(11, 1011).equals(data));
  });

  it('reads a frame built byte by byte: stored block, block checksum flag, content checksum flag', () => {
    const stored = Buffer.concat([FRAME_HEADER, uint32le(0x80000000 | 5), Buffer.from('hello'), uint32le(0)]);
    assert.equal(decompressSync('lz4', stored, 5).toString(), 'hello');
    assert.equal(lz4DecompressedBound(stored), 5);
  });

  it('reads frames written by lz4-napi itself (larger block sizes)', () => {
    const lz4 = requireHere('lz4-napi') as { compressFrameSync(b: Buffer): Buffer };
    const data = Buffer.concat([randomBytes(300_000), Buffer.alloc(300_000, 1)]);
    const frame = lz4.compressFrameSync(data);
    // The cheap bound overshoots (one big block), so the exact block-by-block path decides.
    assert.ok(decompressSync('lz4', frame, data.length).equals(data));
    assert.throws(() => decompressSync('lz4', frame, data.length - 1), CompressionError);
  });

  it('refuses malformed framing with CompressionError', async () => {
    await assertCompressionError(() => decompress('lz4', Buffer.from([1, 2, 3, 4, 5]), 100), /bad magic/);
    await assertCompressionError(() => decompress('lz4', Buffer.concat([FRAME_HEADER, uint32le(100)]), 1000), /cut short/);
    await assertCompressionError(() => decompress('lz4', Buffer.concat([FRAME_HEADER, uint32le(70_000)]), 1000), /exceeds/);
    await assertCompressionError(() => decompress('lz4', Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x20, 0x40, 0x00, 0, 0, 0, 0]), 100), /version/);
    await assertCompressionError(() => decompress('lz4', Buffer.concat([FRAME_HEADER, uint32le(3), Buffer.from([1, 2, 3]), uint32le(0)]), 100));
  });

  it('refuses a bomb: a declared content size, or blocks that decode past the bound', async () => {
    // FLG 0x68: content size present; it claims 2^40 bytes.
    const claims = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x68, 0x40]), uint32le(0), uint32le(256), Buffer.from([0]), uint32le(0)]);
    await assertCompressionError(() => decompress('lz4', claims, MiB), /over the limit/);
    const bomb = await compress('lz4', Buffer.alloc(10 * MiB));
    assert.ok(bomb.length < 100_000);
    await assertCompressionError(() => decompress('lz4', bomb, MiB), /over the limit/);
    assert.equal((await decompress('lz4', bomb, 10 * MiB)).length, 10 * MiB);
  });
});

describe('zstd', () => {
  /** A zstd frame of RLE blocks (byte 0x61), each `blockSize` long; window 128 KiB, no content size. */
  function rleFrame(blocks: number, blockSize: number): Buffer {
    const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
    for (let i = 0; i < blocks; i++) {
      const header = (blockSize << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0);
      parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x61]));
    }
    return Buffer.concat(parts);
  }

  it('reads a frame of RLE blocks built byte by byte', async () => {
    const frame = rleFrame(3, 1000);
    assert.equal(zstdDecompressedBound(frame, 10_000), 3000);
    const out = await decompress('zstd', frame, 3000);
    assert.ok(out.equals(Buffer.alloc(3000, 0x61)));
  });

  it('refuses a bomb of RLE blocks (12.5 MiB from 406 bytes) without decompressing it', async () => {
    const bomb = rleFrame(100, 128 * 1024);
    assert.equal(bomb.length, 406);
    await assertCompressionError(() => decompress('zstd', bomb, MiB), /over the limit/);
    assert.throws(() => zstdDecompressedBound(bomb, MiB), CompressionError);
  });

  it('refuses a compressed bomb and a declared content size over the bound', async () => {
    const bomb = await compress('zstd', Buffer.alloc(10 * MiB));
    assert.ok(bomb.length < 10_000);
    await assertCompressionError(() => decompress('zstd', bomb, MiB), /over the limit/);
    // Single segment, 4-byte content size of 2^31.
    const claims = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0]), uint32le(2 ** 31), Buffer.from([0x01, 0x00, 0x00])]);
    assert.throws(() => zstdDecompressedBound(claims, MiB), /over the limit/);
    await assertCompressionError(() => decompress('zstd', claims, MiB));
  });

  it('refuses malformed frames with CompressionError', async () => {
    await assertCompressionError(() => decompress('zstd', Buffer.from('not zstd at all'), 100));
    await assertCompressionError(() => decompress('zstd', rleFrame(2, 10).subarray(0, 9), 100));
    assert.throws(() => zstdDecompressedBound(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x08]), 100), /reserved/);
  });
});

describe('gzip', () => {
  it('refuses a bomb at the bound and corrupt input', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * MiB));
    assert.ok(bomb.length < 20_000);
    await assertCompressionError(() => decompress('gzip', bomb, MiB), /over the limit/);
    await assertCompressionError(() => decompress('gzip', Buffer.from('definitely not gzip'), MiB), /gzip decompression failed/);
    assert.equal(decompressSync('gzip', gzipSync(Buffer.alloc(0)), 0).length, 0);
  });

  it('reads concatenated gzip members', () => {
    const both = Buffer.concat([gzipSync(Buffer.from('ab')), gzipSync(Buffer.from('cd'))]);
    assert.equal(decompressSync('gzip', both, 4).toString(), 'abcd');
  });
});

describe('codec packages', () => {
  it('a missing package gives CodecUnavailableError naming it, every time', () => {
    const attempt = (): unknown => loadCodecPackage('snappy', 'kafka-stage-no-such-codec-package');
    for (let i = 0; i < 2; i++) {
      assert.throws(attempt, (error: unknown) => {
        assert.ok(error instanceof CodecUnavailableError);
        assert.equal(error.code, 'ERR_CODEC_UNAVAILABLE');
        assert.equal(error.packageName, 'kafka-stage-no-such-codec-package');
        assert.match(error.message, /npm install kafka-stage-no-such-codec-package/);
        return true;
      });
    }
  });

  it('unknown codec names are refused', async () => {
    await assertCompressionError(() => compress('brotli' as CompressionName, Buffer.alloc(1)), /unknown/);
    await assertCompressionError(() => decompress('brotli' as CompressionName, Buffer.alloc(1), 1), /unknown/);
  });
});
