/**
 * One run of `kafka-stage consume`, apart from the consumer it drives: the per-partition subscriber
 * (takes batches with GenStage demand, prints them, acks what was printed once it is flushed), the
 * `--max-messages` quota shared by all partitions, the `--delay-ms` slow-subscriber sleep, the
 * `--idle-timeout-ms` timer, `-e` (stop once every partition read has reached its end), and the reasons
 * to stop. No I/O of its own besides the output sink, so it runs against fake stages in unit tests.
 *
 * Why acks wait for the flush: an offset is committed only once its record has left the process, so
 * stopping (or a reader closing the pipe) never commits a record nobody received.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { Ackable, ConsumerBatch, DemandOptions, PartitionStats } from '../consumer/types.js';
import { batchPrinter, type RecordFormat } from './consume-format.js';
import type { OutputSink } from './consume-output.js';
import type { BatchPrinter } from './batch-printer.js';

/** What the session needs of a partition stage (the consumer's PartitionStage has it). */
export interface BatchSource {
  batches(options?: DemandOptions): AsyncIterable<ConsumerBatch>;
  ack(what: Ackable): Promise<void>;
  /** Positions, the last high watermark seen and what is delivered but not acked; needed for `exitAtEnd`. */
  stats?(): Pick<PartitionStats, 'fetchedOffset' | 'highWatermark' | 'bufferedRecords' | 'inFlight'>;
}

/** What the subscriber is told about its partition. */
export interface PartitionContext {
  topic: string;
  partition: number;
  /** Aborted when the partition is revoked or the consumer stops. */
  signal: AbortSignal;
}

/** Why a run ended. */
export type StopReason = 'max-messages' | 'idle-timeout' | 'end' | 'signal' | 'output-closed' | 'error';

/** Settings of a session, from the command line. */
export interface ConsumeSessionOptions {
  /** A named format, or a batch printer (consume-format.ts `batchPrinter`: a format string, `-K`, `-D`). */
  format: RecordFormat | BatchPrinter;
  /** Stop after printing this many records (all partitions together). */
  maxMessages?: number;
  /** Stop when no record arrived for this long while nothing was being processed, ms. */
  idleTimeoutMs?: number;
  /** Sleep before printing each record, ms (a deliberately slow subscriber). */
  delayMs: number;
  /** GenStage demand of each partition's subscriber. */
  maxDemand: number;
  /** GenStage `minDemand` (default three quarters of `maxDemand`): batches hold `maxDemand − minDemand` records at most. */
  minDemand?: number;
  /**
   * Stop once every partition being read has reached its end: its fetch position at the high
   * watermark of the latest fetch answer, nothing buffered, and every record delivered printed,
   * flushed and so acked (kcat `-e`).
   */
  exitAtEnd?: boolean;
  /** The clock, replaceable in tests. */
  now?: () => number;
}

/** Per-partition tallies for the summary. */
export interface PartitionTally {
  records: number;
  firstOffset: number;
  lastOffset: number;
}

/** The state of one consume run. */
export class ConsumeSession {
  /** Records printed (handed to the output). */
  records = 0;
  /** Key and value bytes of the printed records. */
  bytes = 0;
  /** Acks that failed (e.g. a `sync` commit that failed); the first one's message. */
  ackErrors = 0;
  firstAckError: string | null = null;
  /** Records printed per partition. */
  readonly tallies = new Map<number, PartitionTally>();
  /** Why it stopped, once a stop was requested. */
  reason: StopReason | null = null;
  /** The failure behind a stop for `error`. */
  error: Error | null = null;

  /** Resolves with the reason once a stop is requested. */
  readonly stopped: Promise<StopReason>;
  private resolveStopped!: (reason: StopReason) => void;
  private readonly stopController = new AbortController();
  private readonly now: () => number;
  /** Subscribers busy with a batch (sleeping, printing, or waiting for the output to drain). */
  private busy = 0;
  private lastRecordAt = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private endTimer: NodeJS.Timeout | null = null;
  private readonly print: BatchPrinter;
  private readonly demand: DemandOptions;
  /** The partitions being read now, with whether their subscriber is busy with a batch. */
  private readonly active = new Map<number, { stage: BatchSource; busy: boolean }>();

  constructor(
    private readonly options: ConsumeSessionOptions,
    private readonly sink: OutputSink,
  ) {
    this.now = options.now ?? (() => performance.now());
    const format = options.format;
    this.print = typeof format === 'function' ? format : batchPrinter(format);
    this.demand = options.minDemand === undefined ? { maxDemand: options.maxDemand } : { maxDemand: options.maxDemand, minDemand: options.minDemand };
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    sink.onBreak(() => this.requestStop('output-closed'));
  }

  /** Aborted once a stop is requested: subscribers stop printing and sleepers wake. */
  get stopSignal(): AbortSignal {
    return this.stopController.signal;
  }

  /** Asks the run to stop (the first reason wins). */
  requestStop(reason: StopReason, error?: Error): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.error = error ?? null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.endTimer) clearInterval(this.endTimer);
    this.endTimer = null;
    this.stopController.abort();
    this.resolveStopped(reason);
  }

  /** Starts the idle timer (once the consumer is running), if `idleTimeoutMs` was given. */
  startIdleTimer(): void {
    const idle = this.options.idleTimeoutMs;
    if (idle === undefined || this.reason !== null) return;
    this.lastRecordAt = this.now();
    const check = () => {
      this.idleTimer = null;
      if (this.reason !== null) return;
      // Time spent processing or waiting for a slow reader is not idleness: there were records.
      if (this.busy > 0 || this.sink.blocked) this.lastRecordAt = this.now();
      const quiet = this.now() - this.lastRecordAt;
      if (quiet >= idle) this.requestStop('idle-timeout');
      else this.idleTimer = setTimeout(check, idle - quiet);
    };
    this.idleTimer = setTimeout(check, idle);
  }

  /**
   * With `exitAtEnd`, starts watching for the end of every partition read. Besides the check after
   * each batch, a partition that gets no record at all (empty, or read from its end) only shows its
   * end in its stats after a fetch answer, so those are looked at on a short interval.
   */
  startEndWatch(intervalMs = 100): void {
    if (!this.options.exitAtEnd || this.reason !== null || this.endTimer) return;
    this.endTimer = setInterval(() => this.checkEnd(), intervalMs);
    this.endTimer.unref();
  }

  private checkEnd(): void {
    if (!this.options.exitAtEnd || this.reason !== null || this.active.size === 0) return;
    for (const { stage, busy } of this.active.values()) {
      const s = stage.stats?.();
      // inFlight: records handed towards the subscriber (maybe still on their way to its loop) and not yet acked.
      if (busy || !s || s.highWatermark === null || s.fetchedOffset < s.highWatermark || s.bufferedRecords > 0 || s.inFlight > 0) return;
    }
    this.requestStop('end');
  }

  /** Resolves once every printed record is flushed, so its ack has been issued. */
  async drainOutput(): Promise<void> {
    await this.sink.flushed();
  }

  /**
   * The subscriber of one partition: takes batches with `maxDemand`, prints them, acks what was
   * printed once flushed, and returns when the partition ends (revoked) or the run stops.
   */
  readonly subscriber = async (stage: BatchSource, context: PartitionContext): Promise<void> => {
    if (this.reason !== null) return;
    const entry = { stage, busy: false };
    this.active.set(context.partition, entry);
    try {
      for await (const batch of stage.batches(this.demand)) {
        this.busy++;
        entry.busy = true;
        try {
          // No await unless there is something to wait for (a slow subscriber, a full stdout):
          // a batch printed at once costs no extra turn of the microtask queue.
          const wait = this.options.delayMs > 0 ? this.handleSlowly(stage, batch, context) : this.handle(stage, batch, context);
          if (wait) await wait;
        } finally {
          this.busy--;
          entry.busy = false;
          this.lastRecordAt = this.now();
        }
        if (this.reason !== null || context.signal.aborted) break;
        this.checkEnd();
      }
    } finally {
      if (this.active.get(context.partition) === entry) this.active.delete(context.partition);
    }
  };

  /** Prints a batch as one chunk; returns what to wait for before the next (stdout above its high-water mark), if anything. */
  private handle(stage: BatchSource, batch: ConsumerBatch, context: PartitionContext): Promise<void> | undefined {
    const allowed = this.allowance(batch.records.length, context);
    if (allowed === 0) return undefined;
    const records = allowed === batch.records.length ? batch.records : batch.records.slice(0, allowed);
    const chunks = this.print(batch.topic, batch.partition, records);
    this.count(batch.partition, records);
    // The whole batch printed: one ack for it; a prefix: an ack per record.
    const wait = this.sink.writeChunks(chunks, (err) => {
      if (err) return;
      if (records.length === batch.records.length) this.ack(stage, batch);
      else for (const r of records) this.ack(stage, r);
    });
    this.afterPrint();
    return wait;
  }

  /** One record at a time, sleeping `delayMs` before each: a subscriber slower than the producer. */
  private async handleSlowly(stage: BatchSource, batch: ConsumerBatch, context: PartitionContext): Promise<void> {
    for (const record of batch.records) {
      try {
        await sleep(this.options.delayMs, undefined, { signal: AbortSignal.any([this.stopSignal, context.signal]) });
      } catch {
        return; // stopping or revoked: the rest is not printed, so not acked, and comes again
      }
      if (this.allowance(1, context) === 0) return;
      this.count(batch.partition, [record]);
      const wait = this.sink.writeChunks(this.print(batch.topic, batch.partition, [record]), (err) => {
        if (!err) this.ack(stage, record);
      });
      this.afterPrint();
      if (wait) await wait;
    }
  }

  /** How many of `wanted` records may still be printed (quota, stop, revocation). */
  private allowance(wanted: number, context: PartitionContext): number {
    if (this.reason !== null || context.signal.aborted) return 0;
    const max = this.options.maxMessages;
    return max === undefined ? wanted : Math.max(0, Math.min(wanted, max - this.records));
  }

  private count(partition: number, records: readonly KafkaRecord[]): void {
    if (records.length === 0) return;
    this.records += records.length;
    for (const r of records) this.bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
    const first = (records[0] as KafkaRecord).offset;
    const last = (records[records.length - 1] as KafkaRecord).offset;
    const tally = this.tallies.get(partition);
    if (tally) {
      tally.records += records.length;
      tally.lastOffset = last;
    } else {
      this.tallies.set(partition, { records: records.length, firstOffset: first, lastOffset: last });
    }
  }

  private afterPrint(): void {
    this.lastRecordAt = this.now();
    if (this.options.maxMessages !== undefined && this.records >= this.options.maxMessages) this.requestStop('max-messages');
  }

  private ack(stage: BatchSource, what: Ackable): void {
    stage.ack(what).catch((err: unknown) => {
      this.ackErrors++;
      this.firstAckError ??= err instanceof Error ? err.message : String(err);
    });
  }
}
