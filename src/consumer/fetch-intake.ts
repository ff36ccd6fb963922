/**
 * What a partition stage takes from one Fetch answer, decided before the stage changes anything
 * (pure: batches and a position in, records to buffer and the new position out). The stage then
 * applies the outcome in one go, so an answer it cannot read in full leaves it exactly as the
 * readable batches before the bad one make it, never half-updated.
 *
 * Records are kept only when their offsets strictly increase from the fetch position and stay
 * within their batch (`≤ lastOffset`). A CRC-valid batch can still carry offset deltas that go
 * backwards or past the batch end (a real broker stores such a batch from a raw Produce request);
 * the Java consumer skips records below its position, and so do we, so the ack tracking only ever
 * sees offsets moving forward. Records past their batch's end are dropped too: the position moves
 * to `lastOffset + 1` after each batch, and a record beyond it would otherwise be delivered again.
 *
 * Under read_committed (`abortedTransactions` not null) every control batch's marker is read, as
 * the Java consumer reads it; an unreadable marker (key shorter than 4 bytes, negative version)
 * ends the intake at that batch with a {@link CorruptRecordError}, as Java raises it on the
 * partition (its message: "seek past the record to continue consumption"). Under read_uncommitted
 * control batches are skipped unread, as in Java.
 */
import { CorruptRecordError } from '../protocol/errors.js';
import type { KafkaRecord, RecordBatch } from '../protocol/records/types.js';
import { AbortedTransactionFilter } from './fetch-aborted.js';

/** The outcome of {@link takeInFetched}. */
export interface FetchIntake {
  /** Runs of records to buffer, in offset order (whole batches' arrays where nothing was dropped). */
  runs: KafkaRecord[][];
  /** Wire bytes the kept records stand for: each batch's size times its kept share. */
  wireBytes: number;
  /** The next offset to fetch after this answer. */
  position: number;
  /** A batch that could not be read: intake stopped before it, and `position` is where it stopped. */
  unreadable: { batch: RecordBatch; cause: CorruptRecordError } | null;
}

/**
 * Decides what one Fetch answer gives a stage whose next offset is `position` and whose buffer has
 * room for `recordRoom` more records (batches after the one that fills it are left for the next
 * fetch). Every batch taken goes through the aborted-transaction filter in order (control batches
 * close aborted transactions), including batches entirely below the position.
 */
export function takeInFetched(
  batches: readonly RecordBatch[],
  position: number,
  abortedTransactions: readonly { producerId: bigint; firstOffset: number }[] | null,
  recordRoom = Number.POSITIVE_INFINITY,
): FetchIntake {
  const filter =
    abortedTransactions === null
      ? null
      : new AbortedTransactionFilter(abortedTransactions.map((a) => ({ producerId: a.producerId, firstOffset: BigInt(a.firstOffset) })));
  const runs: KafkaRecord[][] = [];
  let wireBytes = 0;
  let taken = 0;
  for (const batch of batches) {
    // The buffer's record bound: the batch that reaches it is the one batch past the bound allowed;
    // the rest stay in the log, and the next fetch starts where the position stops.
    if (taken >= recordRoom) break;
    let isAborted = false;
    if (filter !== null) {
      try {
        isAborted = filter.isAborted(batch);
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err;
        return { runs, wireBytes, position, unreadable: { batch, cause: err } };
      }
    }
    if (batch.lastOffset < position) continue;
    if (!batch.isControl && !isAborted && batch.records.length > 0) {
      const records = batch.records;
      const kept = recordsMovingForward(records, position, batch.lastOffset);
      if (kept.length > 0) {
        runs.push(kept);
        taken += kept.length;
        // Only the kept share of its wire size stands for what was buffered: a whole batch's wire
        // size against a few kept records would make compression look absent and the next ask huge.
        wireBytes += batch.sizeInBytes * (kept.length / records.length);
      }
    }
    position = batch.lastOffset + 1;
  }
  return { runs, wireBytes, position, unreadable: null };
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
