/**
 * One partition's part of a Fetch answer, as the fetch scheduler deals with it: its error code
 * (the fetch error policy says what each means), or its records, cut to what was asked, what was
 * reserved and the partition's buffer bound (the fetch bounds), decoded, handed to the target, and checked for progress, so that no answer
 * can grow memory past the budget or hold a partition in a silent loop. The scheduler's own state (parking, backoff, timers, routing, counters) is
 * reached through {@link AnswerHost}.
 */
import type { ResolvedClusterOptions } from '../cluster/options.js';
import { kafkaErrorOf } from '../protocol/kafka-error.js';
import { CompressionError, CorruptRecordError } from '../protocol/errors.js';
import type { DecodedRecordBatches } from '../protocol/records/decode-batches.js';
import type { ByteBudget } from '../stage/byte-budget.js';
import type { AbortedTransaction } from './fetch-aborted.js';
import { cutToAllowance, cutToAsked, cutToRoom, heldBytes } from './fetch-bounds.js';
import { decodeFetched, firstBatchSize } from './fetch-decode.js';
import { NO_PROGRESS_ROUNDS, noProgressDelay } from './fetch-error-policy.js';
import { classifyFetchError } from './fetch-classify.js';
import type { ReportLimiter } from '../cluster/report-limiter.js';
import { NoProgressError } from './fetch-errors.js';
import type { FetchResponsePartition } from './fetch-request.js';
import type { FetchSchedulerSettings, FetchTarget, OutOfRangeInfo } from './fetch-target.js';
import type { BrokerState, SentFetch, SentPart, TargetState } from './fetch-state.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ResponseTooLargeError } from '../network/errors.js';

const EMPTY = Buffer.alloc(0);

/** What answer handling needs of the scheduler. */
export interface AnswerHost {
  readonly budget: ByteBudget;
  readonly settings: FetchSchedulerSettings;
  readonly clusterOptions: ResolvedClusterOptions;
  /** Rate limit of the reports through onError. */
  readonly reports: ReportLimiter;
  /** True while the answer to `part` may still be given to its target. */
  isCurrent(part: SentPart): boolean;
  /** True while `s` is the registered state of an active target. */
  owns(s: TargetState): boolean;
  /** Ends the reservation of one part. */
  settle(sent: SentFetch, part: SentPart): void;
  /** Parks the target at its offset until its stage moves it. */
  park(s: TargetState): void;
  /** Backs the target off (growing with its consecutive failures). */
  backOff(s: TargetState): void;
  /** The target's leader must be looked up again (metadata refreshed). */
  reroute(s: TargetState): void;
  /** Runs a pass at `at` (Date.now() time) at the latest. */
  armTimer(at: number): void;
  /** Runs a pass soon. */
  wake(): void;
  /** The next owed-since sequence number. */
  nextOwedSeq(): number;
  countPartitionError(): void;
  onError(error: Error): void;
  onOffsetOutOfRange(target: FetchTarget, info: OutOfRangeInfo): void | Promise<void>;
}

/** One partition's answer between its decoding and its delivery. */
interface DecodingAnswer {
  broker: BrokerState;
  part: SentPart;
  data: FetchResponsePartition;
  sent: SentFetch;
  /** The fetched bytes, cut to what was asked. */
  bytes: Buffer;
  /** The answer brought a first batch beyond what was asked (KIP-74), on the Fetch's licence. */
  licensed: boolean;
  /** Most bytes decompression may produce. */
  allowance: number;
}

/** Deals with the partitions of Fetch answers; see the module documentation. */
export class AnswerHandler {
  constructor(private readonly host: AnswerHost) {}

  /**
   * Hands one partition's answer to its target, or deals with its error. Synchronous when decoding
   * is (uncompressed batches): the scheduler then deals with a whole answer, and sends the next
   * Fetch, before any subscriber runs; a promise only when decompression is asynchronous.
   */
  handle(broker: BrokerState, part: SentPart, data: FetchResponsePartition, sent: SentFetch): void | Promise<void> {
    if (!this.host.isCurrent(part)) return;
    const s = part.state;
    if (data.errorCode !== ErrorCode.NONE) {
      this.partitionFailed(broker, part, data);
      return;
    }
    s.corruptRounds = 0;
    s.endOffset = Number(this.host.settings.isolationLevel === 'read_committed' ? data.lastStableOffset : data.highWatermark);
    const raw = data.records ?? EMPTY;
    // What was asked, and no more, is decoded: a first batch beyond it only on the answer's licence.
    const wire = cutToAsked(raw, part.partitionMaxBytes, part.keepBytes);
    if (wire.oversizedFirst > 0) {
      if (!sent.slack) {
        this.owe(s, wire.oversizedFirst);
        return;
      }
      sent.slack = false;
    }
    const bytes = wire.end === raw.length ? raw : raw.subarray(0, wire.end);
    // The decompressed size may use what is free in the budget plus what this Fetch still has reserved.
    const allowance = this.host.budget.free + sent.unsettled;
    const answer: DecodingAnswer = { broker, part, data, sent, bytes, licensed: wire.oversizedFirst > 0, allowance };
    let result: DecodedRecordBatches | Promise<DecodedRecordBatches>;
    try {
      result = this.decode(part, bytes, allowance);
    } catch (err) {
      return this.decodeAfterError(answer, err);
    }
    if (result instanceof Promise) {
      return result.then(
        (decoded) => this.deliver(answer, decoded),
        (err: unknown) => this.decodeAfterError(answer, err),
      );
    }
    this.deliver(answer, result);
  }

  /** The batches before a bad one are sound: hand them out, and the next Fetch starts at the bad one. */
  private async decodeAfterError(answer: DecodingAnswer, err: unknown): Promise<void> {
    const { broker, part, bytes, allowance } = answer;
    const cut = badBatchAt(err);
    let decoded: DecodedRecordBatches;
    try {
      if (cut <= 0) throw err;
      decoded = await this.decode(part, bytes.subarray(0, cut), allowance);
    } catch {
      this.decodeFailed(broker, part, err, allowance);
      return;
    }
    this.deliver(answer, decoded);
  }

  /** Bounds the decoded batches by the budget and the partition's buffer bound, and hands them to the target. */
  private deliver(answer: DecodingAnswer, decoded: DecodedRecordBatches): void {
    const { broker, part, data, sent, bytes, licensed } = answer;
    const s = part.state;
    if (!this.host.isCurrent(part)) return;
    if (decoded.batches.length === 0 && decoded.truncatedTail) {
      if (this.oweWholeBatch(broker, part, bytes)) this.noProgress(broker, part, 'only a cut first batch');
      return;
    }
    if (bytes.length === 0 && s.endOffset > part.fetchOffset) {
      this.oweLargerAsk(part);
      return;
    }
    const sizes = decoded.batches.map(heldBytes);
    if (decoded.bytesRead > 0) s.batchBytes = Math.min(largestBatch(decoded), this.host.clusterOptions.maxResponseBytes);
    s.failures = 0;
    s.needFree = 0;
    // What is buffered stays within this partition's reservation plus the free budget; a first
    // batch beyond that only on the licence (if this partition did not use it already, above).
    const held = cutToAllowance(decoded.batches, sizes, part.reserved + this.host.budget.free, licensed || sent.slack);
    if (held.refused) {
      // Still owed, it keeps its place in the owed queue (a new place each time would send it to the
      // back for ever), and the plan learns the room its batch takes once held: a growth estimate
      // learnt from other batches may be far short, and it would be asked again where it is refused.
      s.aheadRefused = true;
      this.owe(s, (decoded.batches[0] as { sizeInBytes: number }).sizeInBytes);
      s.owedHeld = Math.max(s.owedHeld, sizes[0] as number);
      return;
    }
    // The partition's own bound too: the Fetch was sized from a growth (buffered bytes per wire
    // byte) learnt from earlier batches, and the batches of one answer may grow far more (a model
    // seed: 93,906 wire bytes held as 264,567 B against a 256 KiB bound). What goes past its
    // bound by more than one batch is dropped here, and fetched again once records have left.
    // A target that does not say what it holds holds nothing, as the plan counts it.
    const kept = cutToRoom(held.kept, sizes, this.host.settings.maxBytesPerPartition - (s.target.bufferedBytes ?? 0));
    if (kept.length === 0 && held.kept.length > 0) {
      // At its bound already (an answer read ahead filled it since this Fetch was planned): nothing
      // is held, the licence stays for the parts after it, and an owed partition keeps its place.
      // Its stage, full, asks again once records have left.
      if (licensed) sent.slack = true;
      this.host.settle(sent, part);
      return;
    }
    if (held.usedSlack && !licensed) sent.slack = false;
    s.minBytes = 0;
    s.owedFloor = 0;
    s.owedHeld = 0;
    // An answer cut to the bound was planned on a growth estimate that fell short: it is not read
    // ahead again (the next Fetch would ask from past the batches dropped here) until one is held whole.
    s.aheadRefused = kept.length < held.kept.length;
    // The reservation ends as the stage starts holding the records, so no byte is counted twice.
    this.host.settle(sent, part);
    s.target.onFetched(kept, {
      highWatermark: Number(data.highWatermark),
      lastStableOffset: Number(data.lastStableOffset),
      logStartOffset: Number(data.logStartOffset),
      abortedTransactions: data.abortedTransactions ? data.abortedTransactions.map(toAborted) : null,
      fetchOffset: part.fetchOffset,
    });
    if (s.target.fetchOffset !== part.fetchOffset) s.stuckRounds = 0;
    else if (kept.length > 0 && this.host.owns(s)) this.noProgress(broker, part, 'every batch ends below the fetch offset');
  }

  /**
   * An answer did not move the position: counted; from the second in a row the next fetch waits a
   * backoff, and at {@link NO_PROGRESS_ROUNDS} the partition is parked with a NoProgressError.
   * False when that happened.
   */
  private noProgress(broker: BrokerState, part: SentPart, reason: string): boolean {
    const s = part.state;
    s.stuckRounds++;
    if (s.stuckRounds >= NO_PROGRESS_ROUNDS) {
      const rounds = s.stuckRounds;
      s.stuckRounds = 0;
      this.host.park(s);
      s.target.onFetchError(new NoProgressError({ topic: part.topic, partition: part.partition, offset: part.fetchOffset, broker: broker.id, rounds, reason }));
      return false;
    }
    const delay = noProgressDelay(s.stuckRounds, this.host.clusterOptions.retry);
    if (delay > 0) {
      s.retryAt = Date.now() + delay;
      this.host.armTimer(s.retryAt);
    }
    return true;
  }

  /** The next batch (`size` wire bytes) was cut or refused: the next Fetch asks for all of it, first. */
  private owe(s: TargetState, size: number): void {
    this.queueOwed(s);
    // A size seen replaces a guess.
    s.minBytes = s.owedFloor > 0 ? size : Math.max(s.minBytes, size);
    s.owedFloor = 0;
  }

  /**
   * No bytes although records wait past the offset asked: Kafka answers so, not with a cut batch,
   * when the next batch is larger than the partition asked for (only the first partition of a
   * response with data gets its batch whole, KIP-74), so the batch's size is unknown: more than
   * was asked (`owedFloor`). The partition is owed a guess, twice its ask (or the largest batch it
   * has seen, if more; at most the largest response), and queues for it; the plan may ask less,
   * the size its topic's batches have (fetch-plan.ts). Without this, a partition whose batches
   * outgrow its ask was served only when first in a request: with 3000 partitions, one batch per
   * Fetch. The part keeps only its first batch past what the stage asked for (`keepBytes`), so a
   * guess too large brings no more than a known size would. Not counted as no progress: a
   * throttled answer, or one squeezed out of a full response, looks the same and is no stall.
   */
  private oweLargerAsk(part: SentPart): void {
    const s = part.state;
    const asked = part.partitionMaxBytes;
    this.queueOwed(s);
    s.minBytes = Math.min(Math.max(asked * 2, s.minBytes, s.batchBytes), this.host.clusterOptions.maxResponseBytes);
    s.owedFloor = Math.max(s.owedFloor, asked + 1);
  }

  /** A target not owed a batch yet takes its place at the back of the owed queue (one it keeps until served). */
  private queueOwed(s: TargetState): void {
    if (s.minBytes === 0) s.owedSince = this.host.nextOwedSeq();
  }

  /** Decodes `part`'s bytes; its records carry its topic and partition (acks are checked against them). */
  private decode(part: SentPart, bytes: Buffer, allowance: number): DecodedRecordBatches | Promise<DecodedRecordBatches> {
    return decodeFetched(bytes, { verifyCrc: this.host.settings.verifyCrc, maxDecompressedBytes: allowance, topic: part.topic, partition: part.partition });
  }

  /**
   * The answer held only part of the next batch: the next Fetch asks for at least all of it, first
   * in its request. False (and the target told) when the batch can never fit a response.
   */
  private oweWholeBatch(broker: BrokerState, part: SentPart, bytes: Buffer): boolean {
    const s = part.state;
    const needed = Math.max(firstBatchSize(bytes) ?? part.partitionMaxBytes * 2, part.partitionMaxBytes + 1);
    const ceiling = this.host.clusterOptions.maxResponseBytes;
    if (needed > ceiling) {
      this.host.park(s);
      s.target.onFetchError(
        new ResponseTooLargeError(
          `a record batch of ${part.topic}/${part.partition} (${needed} bytes) does not fit in ${ceiling} bytes (maxResponseBytes)`,
          { topic: part.topic, partition: part.partition, broker: broker.id, api: 'Fetch', offset: part.fetchOffset, option: 'maxResponseBytes' },
          false,
        ),
      );
      return false;
    }
    this.owe(s, needed);
    return true;
  }

  private partitionFailed(broker: BrokerState, part: SentPart, data: FetchResponsePartition): void {
    const s = part.state;
    const code = data.errorCode;
    this.host.countPartitionError();
    const context = { topic: part.topic, partition: part.partition, api: 'Fetch', broker: broker.id, offset: part.fetchOffset };
    const error = kafkaErrorOf(code, context);
    const verdict = classifyFetchError(code, error.retriable, s.corruptRounds);
    if (verdict.action === 'out-of-range') {
      // A reset that lands where it started (the broker names the offset asked as the log start) would loop.
      if (!this.noProgress(broker, part, `OFFSET_OUT_OF_RANGE (log start ${data.logStartOffset}, high watermark ${data.highWatermark})`)) return;
      this.host.park(s);
      const parkedAt = s.parkedAt;
      const info: OutOfRangeInfo = {
        offset: part.fetchOffset,
        logStartOffset: Number(data.logStartOffset),
        highWatermark: Number(data.highWatermark),
        broker: broker.id,
      };
      const unpark = (): void => {
        if (s.parkedAt === parkedAt) s.parkedAt = null;
        this.host.wake();
      };
      const failed = (err: unknown): void => s.target.onFetchError(asError(err));
      try {
        const outcome = this.host.onOffsetOutOfRange(s.target, info);
        if (outcome instanceof Promise) outcome.then(unpark, failed);
      } catch (err) {
        failed(err);
      }
      return;
    }
    s.corruptRounds = verdict.corruptRounds;
    if (verdict.report && this.host.reports.allow(`${s.key}:${code}`, Date.now())) this.host.onError(error);
    if (verdict.action === 'reroute') {
      // The position stays; only where it is fetched from changes.
      this.host.reroute(s);
      this.host.backOff(s);
    } else if (verdict.action === 'back-off') {
      this.host.backOff(s);
    } else {
      this.host.park(s);
      s.target.onFetchError(error);
    }
  }

  private decodeFailed(broker: BrokerState, part: SentPart, err: unknown, allowance: number): void {
    const s = part.state;
    this.host.countPartitionError();
    const where = { topic: part.topic, partition: part.partition, broker: broker.id, api: 'Fetch', offset: part.fetchOffset };
    const overBound = err instanceof CompressionError && err.context.maxBytes !== undefined;
    if (overBound && allowance < this.host.budget.limit) {
      // Too big for the room left now, not for the budget: try again once there is more room.
      s.needFree = allowance + 1;
      this.host.backOff(s);
      return;
    }
    this.host.park(s);
    if (err instanceof CorruptRecordError) s.target.onFetchError(new CorruptRecordError(err.message, { ...err.context, ...where }, err));
    else if (err instanceof CompressionError) s.target.onFetchError(new CompressionError(err.message, { ...err.context, ...where }, err));
    else s.target.onFetchError(asError(err));
  }
}

/** Wire size of the largest batch of an answer: a smaller ask would bring only a cut batch. */
function largestBatch(decoded: DecodedRecordBatches): number {
  let largest = 0;
  for (const batch of decoded.batches) if (batch.sizeInBytes > largest) largest = batch.sizeInBytes;
  return largest;
}

function toAborted(a: AbortedTransaction): { producerId: bigint; firstOffset: number } {
  return { producerId: a.producerId, firstOffset: Number(a.firstOffset) };
}

/** Where the batch a decode error is about starts in the fetched bytes, or -1 when unknown. */
function badBatchAt(err: unknown): number {
  if (!(err instanceof CorruptRecordError || err instanceof CompressionError)) return -1;
  const at = err.context.batchAt ?? err.context.at;
  return typeof at === 'number' ? at : -1;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
