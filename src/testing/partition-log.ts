/**
 * One partition's log in the fake cluster: the record batches as producers wrote them, with the
 * offsets a broker assigns, and the idempotent producers' sequence state. Pure state: no sockets,
 * no timers.
 *
 * The stored bytes are the produced batch with its `baseOffset` and `partitionLeaderEpoch`
 * rewritten — both lie outside the CRC, as on a real broker — so a fetch returns the batch the
 * producer built, compression and all.
 */
import { BASE_OFFSET_AT, PARTITION_LEADER_EPOCH_AT } from '../protocol/records/batch-layout.js';
import type { RecordBatch } from '../protocol/records/types.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** A batch as the log keeps it. */
export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  /** The batch bytes, offsets assigned; a copy, never a view of a request frame. */
  readonly bytes: Buffer;
  /** Record offsets and timestamps, for ListOffsets by timestamp. */
  readonly offsets: readonly number[];
  readonly timestamps: readonly number[];
}

/** What an append answers. */
export interface AppendResult {
  errorCode: number;
  /** Offset of the batch's first record (the original one for a duplicate); -1 on error. */
  baseOffset: number;
}

/** The last batches of one idempotent producer, as a broker remembers them to detect duplicates. */
interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  recent: { firstSequence: number; lastSequence: number; baseOffset: number }[];
}

/** A broker remembers the last five batches of each producer (max.in.flight.requests is at most 5). */
const REMEMBERED_BATCHES = 5;
const INT32_MAX = 0x7fffffff;

/** One partition's batches, offsets and producer state. */
export class PartitionLog {
  private readonly batches: StoredBatch[] = [];
  private readonly producers = new Map<bigint, ProducerEntry>();
  private start = 0;
  private end = 0;
  private heldBytes = 0;

  /** @param retentionBytes the log drops its oldest batches beyond this size, as `retention.bytes` does */
  constructor(private readonly retentionBytes: number) {}

  /** The first offset still in the log. */
  get logStartOffset(): number {
    return this.start;
  }

  /** The offset the next record gets (also the high watermark: every replica is in sync). */
  get logEndOffset(): number {
    return this.end;
  }

  /** Every batch still held, oldest first. */
  get storedBatches(): readonly StoredBatch[] {
    return this.batches;
  }

  /**
   * Appends one decoded batch after a broker's idempotence checks: a batch of an older producer
   * epoch is fenced, a repeat of one of the producer's last five batches answers with its original
   * offset and is not written again, and a sequence gap is refused.
   */
  append(raw: Buffer, batch: RecordBatch, leaderEpoch: number): AppendResult {
    const count = batch.lastOffset - batch.baseOffset + 1;
    const check = this.checkSequence(batch, count);
    if (check) return check;
    const baseOffset = this.end;
    const bytes = Buffer.from(raw);
    bytes.writeBigInt64BE(BigInt(baseOffset), BASE_OFFSET_AT);
    bytes.writeInt32BE(leaderEpoch, PARTITION_LEADER_EPOCH_AT);
    const shift = baseOffset - batch.baseOffset;
    this.batches.push({
      baseOffset,
      lastOffset: baseOffset + count - 1,
      bytes,
      offsets: batch.records.map((r) => r.offset + shift),
      timestamps: batch.records.map((r) => r.timestamp),
    });
    this.end = baseOffset + count;
    this.heldBytes += bytes.length;
    this.remember(batch, baseOffset);
    this.enforceRetention();
    return { errorCode: ErrorCode.NONE, baseOffset };
  }

  private checkSequence(batch: RecordBatch, count: number): AppendResult | null {
    if (batch.producerId < 0n) return null;
    const entry = this.producers.get(batch.producerId);
    if (!entry) return null; // an unknown producer may start at any sequence (its state may have expired)
    if (batch.producerEpoch < entry.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1 };
    if (batch.producerEpoch > entry.epoch) {
      return batch.baseSequence === 0 ? null : { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
    }
    const lastSequence = wrapSequence(batch.baseSequence, count - 1);
    const duplicate = entry.recent.find((r) => r.firstSequence === batch.baseSequence && r.lastSequence === lastSequence);
    if (duplicate) return { errorCode: ErrorCode.NONE, baseOffset: duplicate.baseOffset };
    if (batch.baseSequence !== wrapSequence(entry.lastSequence, 1)) return { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 };
    return null;
  }

  private remember(batch: RecordBatch, baseOffset: number): void {
    if (batch.producerId < 0n) return;
    const count = batch.lastOffset - batch.baseOffset + 1;
    let entry = this.producers.get(batch.producerId);
    if (!entry || batch.producerEpoch > entry.epoch) {
      entry = { epoch: batch.producerEpoch, lastSequence: -1, recent: [] };
      this.producers.set(batch.producerId, entry);
    }
    entry.lastSequence = wrapSequence(batch.baseSequence, count - 1);
    entry.recent.push({ firstSequence: batch.baseSequence, lastSequence: entry.lastSequence, baseOffset });
    if (entry.recent.length > REMEMBERED_BATCHES) entry.recent.shift();
  }

  private enforceRetention(): void {
    // The active (last) batch is never deleted, as a broker never deletes its active segment.
    while (this.heldBytes > this.retentionBytes && this.batches.length > 1) {
      const oldest = this.batches.shift() as StoredBatch;
      this.heldBytes -= oldest.bytes.length;
      this.start = oldest.lastOffset + 1;
    }
  }

  /**
   * The bytes a fetch from `offset` gets, as Kafka answers: whole batches from the one holding
   * `offset`, up to `maxBytes`, then as much of the next batch as fits (a broker cuts the last batch
   * at the limit; the client fetches it again). A first batch larger than `maxBytes` comes whole with
   * `wholeFirst` (the first partition of a response that has data, KIP-74) and otherwise not at all:
   * the answer is empty, not a cut batch (test/integration/records-broker.test.ts shows Kafka so).
   */
  read(offset: number, maxBytes: number, wholeFirst: boolean): Buffer[] {
    const out: Buffer[] = [];
    let left = maxBytes;
    for (let i = this.indexOf(offset); i < this.batches.length && left > 0; i++) {
      const bytes = (this.batches[i] as StoredBatch).bytes;
      if (bytes.length <= left || (wholeFirst && out.length === 0)) {
        out.push(bytes);
        left -= bytes.length;
      } else {
        if (out.length > 0) out.push(bytes.subarray(0, left));
        break;
      }
    }
    return out;
  }

  /** Index of the first batch whose last offset is at or past `offset` (binary search). */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first offset whose record timestamp is at or after `timestamp`, with that timestamp; null when none. */
  offsetForTime(timestamp: number): { offset: number; timestamp: number } | null {
    for (const batch of this.batches) {
      for (let i = 0; i < batch.offsets.length; i++) {
        const at = batch.timestamps[i] as number;
        if (at >= timestamp) return { offset: batch.offsets[i] as number, timestamp: at };
      }
    }
    return null;
  }

  /** The offset and timestamp of the record with the largest timestamp (the first such); null when empty. */
  maxTimestamp(): { offset: number; timestamp: number } | null {
    let best: { offset: number; timestamp: number } | null = null;
    for (const batch of this.batches) {
      for (let i = 0; i < batch.offsets.length; i++) {
        const at = batch.timestamps[i] as number;
        if (!best || at > best.timestamp) best = { offset: batch.offsets[i] as number, timestamp: at };
      }
    }
    return best;
  }
}

/** `sequence + delta`, wrapping past int32's maximum to 0 as Kafka's sequences do. */
function wrapSequence(sequence: number, delta: number): number {
  const next = sequence + delta;
  return next > INT32_MAX ? next - INT32_MAX - 1 : next;
}
