/**
 * Framing of a broker's byte stream for sockets that read into buffers we supply (`net.connect`'s
 * `onread`): the socket asks {@link FrameReader.readBuffer} where to put the next read, and reports
 * how many bytes landed with {@link FrameReader.wrote}.
 *
 * Why not the 'data' event and {@link FrameDecoder}: Node then reads every chunk into a fresh
 * 64 KiB buffer and a large Fetch response has to be copied once more into one contiguous frame.
 * Fresh memory costs a page fault per 4 KiB on first touch, so a multi-MiB response paid for two
 * allocations and a copy, far slower than a copy into memory already touched.
 * Here, once a frame's size prefix is known, the rest of the frame is read by the kernel straight
 * into that frame's own buffer: one allocation, no user-space copy. Small frames and frame starts
 * are read into one reused scratch buffer and copied out (cheap at their size).
 *
 * Memory rules match FrameDecoder's: a declared size is validated (4 … maxFrameBytes) before its
 * buffer is allocated, and reads into a frame never go past its end, so the next frame's bytes are
 * never mistaken for this one's. The frame buffer is allocated when its size is known, before the
 * bytes arrive, but never touched beyond what arrives (allocUnsafe: untouched pages cost no RSS).
 */
import type { ErrorContext } from '../errors.js';
import type { ProtocolError } from '../protocol/errors.js';
import { frameSizeError, PREVIEW_BYTES, previewBytes, SIZE_BYTES } from './frame-decoder.js';
import { MovingHeadQueue } from '../util/moving-head-queue.js';

/** Size of the reused buffer that small frames and frame starts are read into. */
export const SCRATCH_BYTES = 64 * 1024;

/** Options of a {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Largest frame accepted, in bytes (size prefix excluded). Larger declared sizes are refused. */
  maxFrameBytes: number;
  /** Context attached to errors (broker address, node id). */
  context?: ErrorContext;
}

/**
 * ```ts
 * net.connect({ host, port, onread: { buffer: () => reader.readBuffer(), callback: (n) => { reader.wrote(n); drain(); } } });
 * function drain() { for (let frame = reader.next(); frame; frame = reader.next()) handle(frame); }
 * ```
 * After a {@link ProtocolError} the reader is poisoned: every later call throws the same error.
 */
export class FrameReader {
  private readonly maxFrameBytes: number;
  private readonly context: ErrorContext;
  private readonly scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  /** Leading bytes of a size prefix split across reads (fewer than {@link SIZE_BYTES}). */
  private carry: Buffer | null = null;
  /** The frame being assembled and how much of it has arrived. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** True when the last {@link readBuffer} handed out the frame's own buffer, false for scratch. */
  private readingIntoFrame = false;
  /** Complete frames not yet taken by {@link next}. */
  private readonly ready = new MovingHeadQueue<Buffer>();
  private failure: ProtocolError | null = null;

  constructor(options: FrameReaderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
    this.context = options.context ?? {};
  }

  /** True when no partial frame is held (a peer closing now would cut nothing short). */
  get idle(): boolean {
    return this.frame === null && this.carry === null;
  }

  /** Where the socket should put the next bytes it reads (never empty). */
  readBuffer(): Buffer {
    if (this.frame !== null) {
      this.readingIntoFrame = true;
      return this.frame.subarray(this.filled);
    }
    this.readingIntoFrame = false;
    return this.scratch;
  }

  /** `n` bytes were read into the buffer the last {@link readBuffer} returned. */
  wrote(n: number): void {
    if (this.failure) throw this.failure;
    if (n <= 0) return;
    if (this.readingIntoFrame) {
      this.filled += n;
      this.completeIfFull();
      return;
    }
    this.scan(n);
  }

  /** The next complete frame (size prefix removed), or undefined until more bytes arrive. */
  next(): Buffer | undefined {
    if (this.failure) throw this.failure;
    return this.ready.shift();
  }

  /** Drops everything held (the connection is going away). */
  reset(): void {
    this.carry = null;
    this.frame = null;
    this.filled = 0;
    this.ready.clear();
  }

  /** Splits `n` bytes read into scratch: frames and frame starts are copied out of it. */
  private scan(n: number): void {
    const bytes = this.scratch;
    let pos = 0;
    while (pos < n) {
      if (this.frame !== null) {
        const count = Math.min(n - pos, this.frame.length - this.filled);
        bytes.copy(this.frame, this.filled, pos, pos + count);
        this.filled += count;
        pos += count;
        this.completeIfFull();
        continue;
      }
      const size = this.readSize(bytes, pos, n);
      if (size === undefined) return; // the rest of the prefix comes with the next read
      pos += SIZE_BYTES - (size.carried ?? 0);
      this.startFrame(size.value, bytes, pos - SIZE_BYTES, n);
    }
  }

  /**
   * The size prefix at `pos` (joined with bytes carried from the previous read), or undefined
   * when fewer than {@link SIZE_BYTES} bytes are there: those are carried to the next read.
   */
  private readSize(bytes: Buffer, pos: number, end: number): { value: number; carried?: number } | undefined {
    const carry = this.carry;
    const have = (carry?.length ?? 0) + (end - pos);
    if (have < SIZE_BYTES) {
      this.carry = Buffer.concat([carry ?? Buffer.alloc(0), bytes.subarray(pos, end)]);
      return undefined;
    }
    if (carry === null) return { value: bytes.readInt32BE(pos) };
    this.carry = null;
    const prefix = Buffer.concat([carry, bytes.subarray(pos, pos + SIZE_BYTES - carry.length)]);
    return { value: prefix.readInt32BE(0), carried: carry.length };
  }

  /** Validates a declared size and allocates its frame (`from`…`end` shows in an error's preview). */
  private startFrame(size: number, bytes: Buffer, from: number, end: number): void {
    const preview = (): string => previewBytes(bytes.subarray(Math.max(0, from), Math.min(end, Math.max(0, from) + PREVIEW_BYTES)));
    const error = frameSizeError(size, this.maxFrameBytes, preview, this.context);
    if (error !== null) {
      this.failure = error;
      this.reset();
      throw error;
    }
    this.frame = Buffer.allocUnsafe(size);
    this.filled = 0;
  }

  private completeIfFull(): void {
    const frame = this.frame;
    if (frame === null || this.filled < frame.length) return;
    this.ready.push(frame);
    this.frame = null;
    this.filled = 0;
  }
}
