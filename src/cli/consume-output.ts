/**
 * Where `kafka-stage consume` writes records: a Writable (stdout) used with its backpressure. A
 * write above the stream's high-water mark makes the writer wait for `drain`, so a slow pipe slows
 * consumption (the stage gets no new demand) instead of piling records up in memory. Each write can
 * carry a callback that runs once its text is flushed to the OS; the consumer acks records there,
 * so an offset is committed only after its record left the process.
 */
import type { Writable } from 'node:stream';

/** Called once written text is flushed, with the error when it could not be. */
export type FlushCallback = (error: Error | null) => void;

/** A line writer over a Writable that honours its backpressure and reports flushes. */
export class OutputSink {
  private unflushed = 0;
  private drainWaiters: (() => void)[] = [];
  private flushWaiters: (() => void)[] = [];
  private brokenError: Error | null = null;
  private readonly onBroken: ((error: Error) => void)[] = [];

  constructor(private readonly stream: Writable) {
    stream.on('drain', () => this.wakeDrain());
    // EPIPE when the reader of a pipe goes away (`| head`): no more output is possible.
    stream.on('error', (err: Error) => this.break(err));
  }

  /** True while the stream is above its high-water mark: writers should wait ({@link OutputSink.ready}). */
  get blocked(): boolean {
    return this.brokenError === null && this.stream.writableNeedDrain;
  }

  /** The error that broke the stream (EPIPE...), or null while it works. */
  get broken(): Error | null {
    return this.brokenError;
  }

  /** Registers a listener for the stream breaking (called at most once). */
  onBreak(listener: (error: Error) => void): void {
    this.onBroken.push(listener);
  }

  /**
   * Writes `text` (a string, as UTF-8, or bytes); `flushed` runs once it reached the OS (null) or could not (the error). Empty text
   * is flushed at once, on a microtask. Returns a promise when the caller should wait before writing
   * more (the stream is above its high-water mark), else undefined.
   */
  write(text: string | Buffer, flushed?: FlushCallback): Promise<void> | undefined {
    if (this.brokenError) {
      const err = this.brokenError;
      if (flushed) queueMicrotask(() => flushed(err));
      return undefined;
    }
    if (text.length === 0) {
      if (flushed) queueMicrotask(() => flushed(null));
      return undefined;
    }
    this.unflushed++;
    const more = this.stream.write(text, (err?: Error | null) => {
      this.unflushed--;
      flushed?.(err ?? this.brokenError);
      if (this.unflushed === 0) this.wakeFlush();
    });
    return more ? undefined : this.ready();
  }

  /**
   * Writes `chunks` in order, as {@link OutputSink.write} does; `flushed` runs once the last one is
   * flushed (with the error instead when one of them could not be: a stream that failed fails every
   * later write too). Returns what the last write returned.
   */
  writeChunks(chunks: readonly (string | Buffer)[], flushed?: FlushCallback): Promise<void> | undefined {
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.write(chunks[i] as string | Buffer);
    return this.write(last < 0 ? '' : (chunks[last] as string | Buffer), flushed);
  }

  /** Resolves once the stream can take more (at once when it can, or when it broke). */
  ready(): Promise<void> {
    if (!this.blocked) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Resolves once everything written so far is flushed (or the stream broke). */
  flushed(): Promise<void> {
    if (this.unflushed === 0 || this.brokenError) return Promise.resolve();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  private wakeDrain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private wakeFlush(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w();
  }

  private break(err: Error): void {
    if (this.brokenError) return;
    this.brokenError = err;
    this.wakeDrain();
    this.wakeFlush();
    for (const l of this.onBroken) l(err);
  }
}
