/**
 * Bounds on what one partition's Fetch answer may put into memory, whatever the broker sends:
 * before decoding, its bytes are cut to whole batches within what was asked (`partitionMaxBytes`);
 * after decoding, its batches are cut to what the partition reserved in the budget plus what is
 * free. In both, a first batch larger than the bound is kept only when the answer's one-batch
 * licence is still unused (the broker may return one whole first batch beyond the limit, KIP-74);
 * otherwise nothing is kept and the partition is owed that batch (it goes first in the next Fetch).
 * Then to the partition's own buffer bound: what fits below it, and one batch past it
 * (`cutToRoom`; the growth the Fetch was sized with may fall short of what these batches take).
 * What is cut off is dropped undecoded (or unbuffered) and fetched again: the stage's position ends
 * where the kept batches end.
 */
import { recordSizeInBytes } from '../stage/buffered-size.js';
import { BATCH_LENGTH_AT, LOG_OVERHEAD } from '../protocol/records/batch-layout.js';
import type { KafkaRecord, RecordBatch } from '../protocol/records/types.js';

/** Where to cut a partition's fetched bytes before decoding. */
export interface WireCut {
  /** Bytes to decode: `bytes.subarray(0, end)`. */
  end: number;
  /** Wire size of the first batch when it alone is larger than what was asked; 0 otherwise. */
  oversizedFirst: number;
}

/**
 * Whole batches from the start of `bytes`: the first while it fits `asked` bytes, the next ones
 * while they all fit `keep` bytes (at most `asked`). A first batch larger than `asked` is reported
 * in `oversizedFirst` (the caller decides whether the licence covers it). A malformed length or a
 * cut first batch keeps the rest as it is: the decoder reports them where they are (corrupt batch,
 * or a cut batch to fetch whole).
 */
export function cutToAsked(bytes: Buffer, asked: number, keep = asked): WireCut {
  let at = 0;
  const rest = Math.min(keep, asked);
  while (at + LOG_OVERHEAD <= bytes.length) {
    const length = bytes.readInt32BE(at + BATCH_LENGTH_AT);
    if (length <= 0) return { end: bytes.length, oversizedFirst: 0 };
    const size = LOG_OVERHEAD + length;
    if (at + size > bytes.length) return { end: at === 0 ? bytes.length : at, oversizedFirst: 0 };
    if (at === 0 && size > asked) return { end: size, oversizedFirst: size };
    if (at > 0 && at + size > rest) return { end: at, oversizedFirst: 0 };
    at += size;
  }
  return { end: bytes.length, oversizedFirst: 0 };
}

/** Bytes a batch's records are counted for once buffered (what the stage adds to the budget at most). */
export function heldBytes(batch: RecordBatch): number {
  let held = 0;
  const records = batch.records;
  for (let i = 0; i < records.length; i++) held += recordSizeInBytes(records[i] as KafkaRecord);
  return held;
}

/** The batches kept after decoding, what they will hold, and whether the licence was used. */
export interface HeldCut {
  kept: readonly RecordBatch[];
  /** Buffered bytes the kept batches stand for. */
  held: number;
  /** The first batch alone went past `allowance` and was kept on the licence. */
  usedSlack: boolean;
  /** Nothing kept: the first batch alone needs more than `allowance` and the licence was spent. */
  refused: boolean;
}

/**
 * The longest prefix of `batches` whose buffered size fits `allowance`; a first batch that alone
 * does not fit is kept when `slack` allows (then alone), else nothing is.
 */
export function cutToAllowance(batches: readonly RecordBatch[], sizes: readonly number[], allowance: number, slack: boolean): HeldCut {
  let held = 0;
  let n = 0;
  while (n < batches.length && held + (sizes[n] as number) <= allowance) held += sizes[n++] as number;
  if (n > 0 || batches.length === 0) return { kept: n === batches.length ? batches : batches.slice(0, n), held, usedSlack: false, refused: false };
  if (slack) return { kept: batches.slice(0, 1), held: sizes[0] as number, usedSlack: true, refused: false };
  return { kept: [], held: 0, usedSlack: false, refused: true };
}

/**
 * The prefix of `batches` (buffered sizes `sizes`) a partition may hold with `room` bytes left below
 * its buffer's byte bound: the batches that fit, and the first that does not while room is left
 * (the one batch past the bound a partition may hold); none when the buffer is at its bound.
 */
export function cutToRoom(batches: readonly RecordBatch[], sizes: readonly number[], room: number): readonly RecordBatch[] {
  let held = 0;
  let n = 0;
  while (n < batches.length && held < room) held += sizes[n++] as number;
  return n === batches.length ? batches : batches.slice(0, n);
}
