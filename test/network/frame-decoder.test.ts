import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder } from '../../src/network/frame-decoder.js';
import { body, framed } from './frame-fixtures.js';
import { ResponseTooLargeError } from '../../src/network/errors.js';
import { ProtocolError } from '../../src/protocol/errors.js';

/** Pushes `chunks` one by one and collects every frame handed out (as copies, to compare later). */
function decodeChunks(chunks: Buffer[], maxFrameBytes = 1 << 20): Buffer[] {
  const decoder = new FrameDecoder({ maxFrameBytes });
  const frames: Buffer[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let f = decoder.next(); f; f = decoder.next()) frames.push(Buffer.from(f));
  }
  assert.equal(decoder.bufferedBytes, 0, 'nothing left over');
  assert.ok(decoder.idle, 'decoder.idle');
  return frames;
}

describe('FrameDecoder', () => {
  const bodies = [body(4, 1), body(5, 2), body(37, 3), body(4, 4), body(300, 5), body(9, 6)];
  const stream = framed(...bodies);

  it('yields the same frames when the stream is split at every byte boundary', () => {
    for (let i = 0; i <= stream.length; i++) {
      assert.deepEqual(decodeChunks([stream.subarray(0, i), stream.subarray(i)]), bodies, `split at ${i}`);
    }
  });

  it('yields the same frames for every split into three pieces of a smaller stream', () => {
    const small = [body(4, 7), body(6, 8), body(11, 9), body(5, 10)];
    const bytes = framed(...small);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
        assert.deepEqual(decodeChunks(chunks), small, `split at ${i}, ${j}`);
      }
    }
  });

  it('yields the same frames when fed one byte at a time', () => {
    const chunks = Array.from(stream, (_b, i) => stream.subarray(i, i + 1));
    assert.deepEqual(decodeChunks(chunks), bodies);
  });

  it('assembles a large frame from many tiny chunks', () => {
    const big = body(256 * 1024, 11);
    const bytes = framed(big, body(4, 12));
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 3) chunks.push(bytes.subarray(i, i + 3));
    const frames = decodeChunks(chunks);
    assert.equal(frames.length, 2);
    assert.ok(frames[0]?.equals(big), 'frames[0]?.equals(big)');
  });

  it('hands out a frame inside one chunk as a view of that chunk, without copying', () => {
    const chunk = framed(body(10, 1), body(20, 2));
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    decoder.push(chunk);
    const first = decoder.next();
    const second = decoder.next();
    assert.ok(first && second, 'first && second');
    assert.equal(first.buffer, chunk.buffer);
    assert.equal(first.byteOffset, chunk.byteOffset + 4);
    assert.equal(second.buffer, chunk.buffer);
    assert.equal(second.byteOffset, chunk.byteOffset + 18);
    assert.equal(decoder.next(), undefined);
  });

  it('copies a frame spread over chunks into a buffer of exactly its size', () => {
    const bytes = framed(body(50, 3));
    const decoder = new FrameDecoder({ maxFrameBytes: 100 });
    decoder.push(bytes.subarray(0, 20));
    assert.equal(decoder.next(), undefined);
    decoder.push(bytes.subarray(20));
    const frame = decoder.next();
    assert.ok(frame, 'frame');
    assert.equal(frame.length, 50);
    assert.ok(frame.equals(body(50, 3)), 'frame.equals(body(50, 3))');
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    assert.deepEqual(decodeChunks([framed(body(64, 1))], 64), [body(64, 1)]);
  });

  it('refuses a negative size, showing the first bytes in hex', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 1000, context: { broker: 'b:1' } });
    decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xfe, 0x01]));
    assert.throws(
      () => decoder.next(),
      (err: unknown) =>
        err instanceof ProtocolError &&
        err.code === 'ERR_PROTOCOL' &&
        /negative response frame size -2/.test(err.message) &&
        err.message.includes('0xfffffffe01') &&
        err.context.broker === 'b:1',
    );
  });

  for (const size of [0, 1, 3]) {
    it(`refuses a size of ${size}, too small for a correlation id`, () => {
      const decoder = new FrameDecoder({ maxFrameBytes: 1000 });
      decoder.push(framed(Buffer.alloc(size)));
      assert.throws(() => decoder.next(), (err: unknown) => err instanceof ProtocolError && /cannot hold a correlation id/.test(err.message));
    });
  }

  it('recognises an HTTP answer by its first bytes', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 128 * 1024 * 1024 });
    decoder.push(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'));
    assert.throws(
      () => decoder.next(),
      (err: unknown) =>
        err instanceof ResponseTooLargeError &&
        err instanceof ProtocolError &&
        err.code === 'ERR_RESPONSE_TOO_LARGE' &&
        err.message.includes('0x48545450') &&
        err.message.includes('"HTTP/1.1 400 Bad'),
    );
  });

  it('stays poisoned after an error and drops what it held', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 10 });
    decoder.push(framed(body(11, 1)));
    assert.throws(() => decoder.next(), ResponseTooLargeError);
    assert.equal(decoder.bufferedBytes, 0);
    assert.throws(() => decoder.push(framed(body(4, 1))), ResponseTooLargeError);
    assert.throws(() => decoder.next(), ResponseTooLargeError);
  });

  it('refuses a declared size of maxFrameBytes + 1 before allocating anything for it', () => {
    const max = 256 * 1024 * 1024;
    const decoder = new FrameDecoder({ maxFrameBytes: max });
    const header = Buffer.alloc(4);
    header.writeInt32BE(max + 1);
    const before = process.memoryUsage().arrayBuffers;
    decoder.push(header);
    assert.ok(decoder.bufferedBytes <= 4, 'decoder.bufferedBytes <= 4');
    assert.throws(() => decoder.next(), (err: unknown) => err instanceof ResponseTooLargeError && err.context.declaredSize === max + 1);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  });

  it('holds only the bytes received for a large declared frame, never the declared size up front', () => {
    const declared = 200 * 1024 * 1024;
    const decoder = new FrameDecoder({ maxFrameBytes: declared });
    const header = Buffer.alloc(4);
    header.writeInt32BE(declared);
    const before = process.memoryUsage().arrayBuffers;
    decoder.push(header);
    assert.equal(decoder.next(), undefined);
    decoder.push(Buffer.alloc(1000));
    assert.equal(decoder.next(), undefined);
    assert.equal(decoder.bufferedBytes, 1000);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 16 * 1024 * 1024, `array buffers grew by ${grown} bytes`);
  });
});
