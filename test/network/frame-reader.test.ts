import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameReader, SCRATCH_BYTES } from '../../src/network/frame-reader.js';
import { body, framed } from './frame-fixtures.js';
import { ResponseTooLargeError } from '../../src/network/errors.js';
import { ProtocolError } from '../../src/protocol/errors.js';

/**
 * Plays the socket: each read puts at most `readSizes[i]` (cycling) bytes of `stream` into the
 * buffer the reader offers — never more than that buffer holds — and collects every frame.
 */
function readAll(stream: Buffer, readSizes: number[], maxFrameBytes = 1 << 22): Buffer[] {
  const reader = new FrameReader({ maxFrameBytes });
  const frames: Buffer[] = [];
  let pos = 0;
  let i = 0;
  while (pos < stream.length) {
    const target = reader.readBuffer();
    assert.ok(target.length > 0, 'the read buffer is never empty');
    const n = Math.min(target.length, readSizes[i++ % readSizes.length] as number, stream.length - pos);
    stream.copy(target, 0, pos, pos + n);
    pos += n;
    reader.wrote(n);
    for (let f = reader.next(); f; f = reader.next()) frames.push(Buffer.from(f));
  }
  assert.ok(reader.idle, 'nothing partial left');
  return frames;
}

describe('FrameReader', () => {
  const bodies = [body(4, 1), body(5, 2), body(37, 3), body(4, 4), body(300, 5), body(9, 6)];
  const stream = framed(...bodies);

  it('yields the same frames whatever the read sizes, down to one byte per read', () => {
    for (const sizes of [[1], [2], [3], [5], [7, 1], [1000], [13, 2, 64]]) {
      assert.deepEqual(readAll(stream, sizes), bodies, `reads of ${sizes.join(',')}`);
    }
  });

  it('yields the same frames when the stream is split in two at every byte boundary', () => {
    for (let i = 1; i < stream.length; i++) {
      assert.deepEqual(readAll(stream, [i, stream.length]), bodies, `split at ${i}`);
    }
  });

  it('reads the rest of a frame larger than the scratch buffer straight into the frame, never past its end', () => {
    const big = body(SCRATCH_BYTES * 3 + 17, 9);
    const bytes = framed(body(8, 1), big, body(6, 2));
    const reader = new FrameReader({ maxFrameBytes: 1 << 22 });
    const frames: Buffer[] = [];
    let pos = 0;
    let directReads = 0;
    while (pos < bytes.length) {
      const target = reader.readBuffer();
      // The socket reads as much as the buffer takes: a frame's own buffer bounds the read at its end.
      const n = Math.min(target.length, bytes.length - pos);
      if (target.length !== SCRATCH_BYTES) directReads++;
      bytes.copy(target, 0, pos, pos + n);
      pos += n;
      reader.wrote(n);
      for (let f = reader.next(); f; f = reader.next()) frames.push(f);
    }
    assert.equal(frames.length, 3);
    assert.ok(frames[1]?.equals(big), 'the large frame is intact');
    assert.ok(frames[2]?.equals(body(6, 2)), 'the frame after it is intact');
    assert.ok(directReads >= 1, 'some reads went straight into the large frame');
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    assert.deepEqual(readAll(framed(body(64, 1)), [1000], 64), [body(64, 1)]);
  });

  it('refuses a size above maxFrameBytes before allocating it, and shows the first bytes', () => {
    const reader = new FrameReader({ maxFrameBytes: 128 * 1024 * 1024, context: { broker: 'b:1' } });
    const http = Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
    http.copy(reader.readBuffer());
    assert.throws(
      () => reader.wrote(http.length),
      (err: unknown) =>
        err instanceof ResponseTooLargeError && err.message.includes('0x48545450') && err.message.includes('"HTTP/1.1 400 Bad') && err.context.broker === 'b:1',
    );
  });

  it('refuses a negative size declared across two reads', () => {
    const reader = new FrameReader({ maxFrameBytes: 1000 });
    Buffer.from([0xff, 0xff]).copy(reader.readBuffer());
    reader.wrote(2);
    Buffer.from([0xff, 0xfe, 0x01]).copy(reader.readBuffer());
    assert.throws(() => reader.wrote(3), (err: unknown) => err instanceof ProtocolError && /negative response frame size -2/.test(err.message));
  });

  for (const size of [0, 1, 3]) {
    it(`refuses a size of ${size}, too small for a correlation id`, () => {
      const reader = new FrameReader({ maxFrameBytes: 1000 });
      const bytes = framed(Buffer.alloc(size));
      bytes.copy(reader.readBuffer());
      assert.throws(() => reader.wrote(bytes.length), (err: unknown) => err instanceof ProtocolError && /cannot hold a correlation id/.test(err.message));
    });
  }

  it('stays poisoned after an error', () => {
    const reader = new FrameReader({ maxFrameBytes: 10 });
    const bytes = framed(body(11, 1));
    bytes.copy(reader.readBuffer());
    assert.throws(() => reader.wrote(bytes.length), ResponseTooLargeError);
    assert.throws(() => reader.next(), ResponseTooLargeError);
    assert.throws(() => reader.wrote(1), ResponseTooLargeError);
  });

  it('is not idle while a frame or a size prefix is partial, and idle after reset', () => {
    const reader = new FrameReader({ maxFrameBytes: 1000 });
    assert.ok(reader.idle);
    framed(body(20, 1)).copy(reader.readBuffer(), 0, 0, 2);
    reader.wrote(2);
    assert.equal(reader.idle, false, 'half a size prefix');
    reader.reset();
    assert.ok(reader.idle);
    framed(body(20, 1)).copy(reader.readBuffer(), 0, 0, 10);
    reader.wrote(10);
    assert.equal(reader.idle, false, 'a partial frame');
    assert.equal(reader.next(), undefined);
  });
});
