/**
 * Reading ahead of a Fetch answer: from the batch headers alone (no record decoded, no CRC
 * checked), where a partition's position will be once its answer is handed to its stage, and how
 * many records the answer will add to its buffer. The scheduler sends the broker's next Fetch with
 * these figures as soon as an answer arrives, so that the round trip overlaps the decoding of the
 * answer (and the subscribers' work on it) instead of following it.
 *
 * A guess is only ever an optimisation: the next Fetch asks from the guessed offset, and its answer
 * is used only if the stage's position did end there (the scheduler drops answers asked for a
 * position the stage is not at). So the look-ahead declines whatever it cannot be sure of cheaply:
 * compressed batches (their decoding may be asynchronous, and their size in memory is unknown), a
 * record format other than 2, a cut or malformed batch, an answer that does not move the position.
 */
import {
  ATTRIBUTES_AT,
  BASE_OFFSET_AT,
  BATCH_LENGTH_AT,
  COMPRESSION_MASK,
  CONTROL_BIT,
  LAST_OFFSET_DELTA_AT,
  LOG_OVERHEAD,
  MAGIC_AT,
  MAGIC_V2,
  MIN_BATCH_LENGTH,
  RECORD_COUNT_AT,
  RECORDS_AT,
} from '../protocol/records/batch-layout.js';

/** What an answer being handled will do to its partition, as read from its batch headers. */
export interface AnswerAhead {
  /** The position after the answer: the offset the next Fetch may ask from. */
  offset: number;
  /** Records the answer adds to the buffer, at most (records of control batches left out). */
  records: number;
  /** Wire bytes of the whole batches read. */
  wireBytes: number;
}

/**
 * Reads the headers of the whole batches in `bytes` (already cut to what was asked) for a fetch
 * at `fetchOffset`; null when the answer must be decoded before the next Fetch can be planned
 * (see the module documentation).
 */
export function readAhead(bytes: Buffer, fetchOffset: number): AnswerAhead | null {
  let at = 0;
  let records = 0;
  let next = -1;
  while (at + RECORDS_AT <= bytes.length) {
    const length = bytes.readInt32BE(at + BATCH_LENGTH_AT);
    if (length < MIN_BATCH_LENGTH || at + LOG_OVERHEAD + length > bytes.length) break;
    if (bytes[at + MAGIC_AT] !== MAGIC_V2) return null;
    const attributes = bytes.readInt16BE(at + ATTRIBUTES_AT);
    if ((attributes & COMPRESSION_MASK) !== 0) return null;
    // int64 read as two halves: offsets stay far below 2^53.
    const base = bytes.readInt32BE(at + BASE_OFFSET_AT) * 2 ** 32 + bytes.readUInt32BE(at + BASE_OFFSET_AT + 4);
    const count = bytes.readInt32BE(at + RECORD_COUNT_AT);
    const lastDelta = bytes.readInt32BE(at + LAST_OFFSET_DELTA_AT);
    if (count < 0 || lastDelta < 0) return null;
    next = base + lastDelta + 1;
    if ((attributes & CONTROL_BIT) === 0) records += count;
    at += LOG_OVERHEAD + length;
  }
  if (next <= fetchOffset || !Number.isSafeInteger(next)) return null;
  return { offset: next, records, wireBytes: at };
}
