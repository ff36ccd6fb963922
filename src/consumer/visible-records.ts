/**
 * Which records of a Fetch answer a reader at position P may see: the one rule shared by the
 * partition stage (the consumer) and `readPartition` (the plain reader). Pure: decoded batches and a
 * position in, the visible runs and the next position out; nothing changes until the caller applies
 * the outcome, so an answer it cannot read in full leaves the caller exactly as the readable batches
 * before the bad one make it, never half-updated.
 *
 * Not visible:
 * - records below P (a compressed batch may start before it), and records whose offsets go
 *   backwards or past their batch's `lastOffset` inside a batch (a CRC-valid batch can carry such
 *   deltas when a broker stored it from a raw Produce request): the Java consumer skips records
 *   below its position, and so do we, so ack tracking only ever sees offsets moving forward;
 * - control batches (transaction markers);
 * - under read_committed (`abortedTransactions` not null) the batches of aborted transactions.
 *   Every control batch's marker is read then, as the Java consumer reads it; an unreadable marker
 *   (key shorter than 4 bytes, negative version) ends the walk at that batch with a
 *   {@link CorruptRecordError}, as Java raises it on the partition ("seek past the record to
 *   continue consumption"). Under read_uncommitted control batches are skipped unread, as in Java.
 *
 * The position moves past each batch taken (`lastOffset + 1`), even where compaction or markers left
 * no visible record, except where a limit (`until`, `maxRecords`) cuts a batch: then it ends just
 * past the last record taken.
 */
import { CorruptRecordError } from '../protocol/errors.js';
import type { KafkaRecord, RecordBatch } from '../protocol/records/types.js';
import { AbortedTransactionFilter } from './fetch-aborted.js';

/** An aborted transaction as a Fetch answer lists it (first offset as a number or as the wire's bigint). */
export interface AbortedTransactionRef {
  producerId: bigint;
  firstOffset: number | bigint;
}

/** Limits of one walk over a Fetch answer's batches. */
export interface VisibleLimits {
  /** Aborted transactions of the answer under read_committed; null under read_uncommitted. */
  abortedTransactions: readonly AbortedTransactionRef[] | null;
  /**
   * Records the caller has room for, checked between batches: the batch that reaches it is taken
   * whole and the rest are left for the next fetch (the position stops before them). Default: no bound.
   */
  recordRoom?: number;
  /** Records at or past this offset are not taken, and the walk ends there. Default: no bound. */
  until?: number;
  /** Most records taken; the batch that reaches it is cut there, and the walk ends. Default: no bound. */
  maxRecords?: number;
}

/** The visible records of one batch. */
export interface VisibleRun {
  /** The batch as decoded (compression, size on the wire, producer id, …). */
  batch: RecordBatch;
  /** Its visible records in offset order: the batch's own array (no copy) when all are visible. */
  records: KafkaRecord[];
}

/** The outcome of {@link visibleRecords}. */
export interface VisibleRecords {
  /** Runs of visible records, in offset order, each non-empty. */
  runs: VisibleRun[];
  /** Records in all runs. */
  count: number;
  /** Wire bytes the visible records stand for: each batch's size times its visible share. */
  wireBytes: number;
  /** The next offset to read after this answer. */
  position: number;
  /** `until` or `maxRecords` was reached: the reader has all it asked for. */
  reachedLimit: boolean;
  /** A batch whose marker could not be read: the walk stopped before it, at `position`. */
  unreadable: { batch: RecordBatch; cause: CorruptRecordError } | null;
}

/**
 * Walks `batches` from `position` under `limits`; see the module documentation. Every batch walked
 * goes through the aborted-transaction filter in order (control batches close aborted
 * transactions), batches entirely below the position included.
 */
export function visibleRecords(batches: readonly RecordBatch[], position: number, limits: VisibleLimits): VisibleRecords {
  const recordRoom = limits.recordRoom ?? Number.POSITIVE_INFINITY;
  const until = limits.until ?? Number.POSITIVE_INFINITY;
  const maxRecords = limits.maxRecords ?? Number.POSITIVE_INFINITY;
  const aborted = limits.abortedTransactions;
  const filter = aborted === null ? null : new AbortedTransactionFilter(aborted.map((a) => ({ producerId: a.producerId, firstOffset: BigInt(a.firstOffset) })));
  const out: VisibleRecords = { runs: [], count: 0, wireBytes: 0, position, reachedLimit: position >= until || maxRecords <= 0, unreadable: null };
  for (const batch of batches) {
    // The batch that reaches the room is the one batch past it allowed; the rest stay in the log.
    if (out.reachedLimit || out.count >= recordRoom) break;
    let isAborted = false;
    if (filter !== null) {
      try {
        isAborted = filter.isAborted(batch);
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err;
        out.unreadable = { batch, cause: err };
        return out;
      }
    }
    if (batch.lastOffset < out.position) continue;
    if (!batch.isControl && !isAborted && batch.records.length > 0) {
      const forward = recordsMovingForward(batch.records, out.position, batch.lastOffset);
      const kept = withinLimits(forward, until, maxRecords - out.count);
      if (kept.length > 0) {
        out.runs.push({ batch, records: kept });
        out.count += kept.length;
        // Only the visible share of its wire size stands for what is kept: a whole batch's wire
        // size against a few kept records would make compression look absent and the next ask huge.
        out.wireBytes += batch.sizeInBytes * (kept.length / batch.records.length);
      }
      if (kept.length < forward.length || out.count >= maxRecords) {
        // Cut by a limit: the next read starts right after the last record taken.
        out.position = kept.length > 0 ? (kept[kept.length - 1] as KafkaRecord).offset + 1 : out.position;
        out.reachedLimit = true;
        return out;
      }
    }
    out.position = batch.lastOffset + 1;
    if (out.position >= until) out.reachedLimit = true;
  }
  return out;
}

/** The first of `records` below `until`, at most `max` of them; the array itself when that is all. */
function withinLimits(records: KafkaRecord[], until: number, max: number): KafkaRecord[] {
  let n = 0;
  while (n < records.length && n < max && (records[n] as KafkaRecord).offset < until) n++;
  return n === records.length ? records : records.slice(0, n);
}

/**
 * The records whose offsets strictly increase from `from` and do not pass `last` (the batch's last
 * offset), each kept when it lies at or past the offset after the last one kept, as the Java
 * consumer keeps records at or past its position; the array itself (no copy) when that is all of
 * them, the common case.
 */
export function recordsMovingForward(records: KafkaRecord[], from: number, last: number): KafkaRecord[] {
  let next = from;
  let i = 0;
  for (; i < records.length; i++) {
    const offset = (records[i] as KafkaRecord).offset;
    if (offset < next || offset > last) break;
    next = offset + 1;
  }
  if (i === records.length) return records;
  // A compressed batch starting before the position (a commit inside it), or offsets that lie.
  const kept = records.slice(0, i);
  for (; i < records.length; i++) {
    const record = records[i] as KafkaRecord;
    if (record.offset < next || record.offset > last) continue;
    kept.push(record);
    next = record.offset + 1;
  }
  return kept;
}
