/**
 * Incremental framing of a broker's byte stream: chunks in, whole response frames out (each frame
 * without its 4-byte size prefix). Pure: no sockets, no timers.
 *
 * Memory rules, because the sizes come from an untrusted peer:
 * - a declared size is validated before anything is allocated for it, and nothing larger than the
 *   declared size is ever allocated;
 * - chunks are kept in a list and copied once, when their frame is complete, so a frame arriving
 *   in many small chunks costs linear, not quadratic, copying;
 * - a frame lying inside one chunk is handed out as a view of that chunk (no copy).
 */
import { type ErrorContext } from '../errors.js';
import { ProtocolError } from '../protocol/errors.js';
import { ResponseTooLargeError } from './errors.js';

/** Bytes of the size prefix in front of every frame. */
export const SIZE_BYTES = 4;
/** A response holds at least its int32 correlation id. */
const MIN_FRAME_BYTES = 4;
/** How many leading bytes an error message shows, enough to recognise "HTTP/1.1 400 Bad Request". */
export const PREVIEW_BYTES = 16;

/** Bytes in hex and printable ASCII, for error messages: a size of 0x48545450 reads as "HTTP". */
export function previewBytes(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
  const text = Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `0x${hex} ("${text}")`;
}

/**
 * The error for a declared frame size outside [4, maxFrameBytes], or null when it is acceptable.
 * `preview` shows the first bytes received (called only when the size is refused).
 */
export function frameSizeError(size: number, maxFrameBytes: number, preview: () => string, context: ErrorContext): ProtocolError | null {
  if (size >= MIN_FRAME_BYTES && size <= maxFrameBytes) return null;
  const shown = preview();
  const withSize = { ...context, declaredSize: size, maxResponseBytes: maxFrameBytes };
  if (size > maxFrameBytes) {
    return new ResponseTooLargeError(`response frame of ${size} bytes exceeds maxResponseBytes (${maxFrameBytes}); first bytes ${shown}`, withSize);
  }
  return new ProtocolError(
    size < 0
      ? `negative response frame size ${size}; first bytes ${shown}`
      : `response frame of ${size} bytes cannot hold a correlation id; first bytes ${shown}`,
    withSize,
  );
}

/** Options of a {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest frame accepted, in bytes (size prefix excluded). Larger declared sizes are refused. */
  maxFrameBytes: number;
  /** Context attached to errors (broker address, node id). */
  context?: ErrorContext;
}

/**
 * Splits a byte stream into size-prefixed frames.
 *
 * ```ts
 * decoder.push(chunk);
 * for (let frame = decoder.next(); frame; frame = decoder.next()) handle(frame);
 * ```
 *
 * After a {@link ProtocolError} the decoder is poisoned: its buffers are dropped and every later
 * call throws the same error, since nothing after a bad size prefix can be trusted.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly context: ErrorContext;
  /** Received chunks not yet handed out; the first is read from `headOffset`. */
  private chunks: Buffer[] = [];
  private headOffset = 0;
  /** Unread bytes across `chunks`. */
  private buffered = 0;
  /** Declared size of the frame being assembled, or -1 while its size prefix is not yet read. */
  private frameSize = -1;
  private failure: ProtocolError | null = null;

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
    this.context = options.context ?? {};
  }

  /** Bytes received and held, not yet handed out as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True when no partial frame is held (a peer closing now would cut nothing short). */
  get idle(): boolean {
    return this.buffered === 0 && this.frameSize < 0;
  }

  /** Appends received bytes. The chunk must not be modified afterwards (frames may be views of it). */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame (size prefix removed), or undefined until more bytes arrive. */
  next(): Buffer | undefined {
    if (this.failure) throw this.failure;
    if (this.frameSize < 0) {
      if (this.buffered < SIZE_BYTES) return undefined;
      const size = this.peekInt32();
      this.validate(size);
      this.consume(SIZE_BYTES);
      this.frameSize = size;
    }
    const size = this.frameSize;
    if (this.buffered < size) return undefined;
    this.frameSize = -1;
    return this.take(size);
  }

  /** Drops everything held (the connection is going away). */
  reset(): void {
    this.chunks = [];
    this.headOffset = 0;
    this.buffered = 0;
    this.frameSize = -1;
  }

  private validate(size: number): void {
    const error = frameSizeError(size, this.maxFrameBytes, () => this.preview(), this.context);
    if (error === null) return;
    this.failure = error;
    this.reset();
    throw error;
  }

  /** The first bytes held (see {@link previewBytes}). */
  private preview(): string {
    return previewBytes(this.copyOut(Math.min(PREVIEW_BYTES, this.buffered), false));
  }

  /** The int32 at the read position, which may straddle chunks. */
  private peekInt32(): number {
    const head = this.chunks[0] as Buffer;
    if (head.length - this.headOffset >= SIZE_BYTES) return head.readInt32BE(this.headOffset);
    return this.copyOut(SIZE_BYTES, false).readInt32BE(0);
  }

  /** Removes and returns `n` bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Buffer {
    const head = this.chunks[0] as Buffer;
    if (head.length - this.headOffset >= n) {
      const view = head.subarray(this.headOffset, this.headOffset + n);
      this.consume(n);
      return view;
    }
    return this.copyOut(n, true);
  }

  /** Copies `n` held bytes into a new buffer of exactly `n` bytes, consuming them when `consume`. */
  private copyOut(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    let index = 0;
    let offset = this.headOffset;
    while (written < n) {
      const chunk = this.chunks[index] as Buffer;
      const count = Math.min(n - written, chunk.length - offset);
      chunk.copy(out, written, offset, offset + count);
      written += count;
      offset += count;
      if (offset === chunk.length) {
        index++;
        offset = 0;
      }
    }
    if (consume) {
      // One splice per frame, never one shift per chunk: keeps many tiny chunks linear.
      if (index > 0) this.chunks.splice(0, index);
      this.headOffset = offset;
      this.buffered -= n;
    }
    return out;
  }

  /** Advances past `n` bytes (all within the first chunk or the first few, for the size prefix). */
  private consume(n: number): void {
    this.buffered -= n;
    let left = n;
    while (left > 0) {
      const head = this.chunks[0] as Buffer;
      const available = head.length - this.headOffset;
      if (available > left) {
        this.headOffset += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.headOffset = 0;
    }
  }
}
