/**
 * What the fetch scheduler keeps per target, per broker and per Fetch in flight. Plain records
 * shared by the scheduler's parts (planning, answer bounds, error policy); no behaviour here.
 */
import type { FetchTarget } from './fetch-target.js';
import type { FetchPart } from './fetch-request.js';
import type { AnswerAhead } from './fetch-ahead.js';

/** The scheduler's view of one target. */
export interface TargetState {
  readonly target: FetchTarget;
  readonly key: string;
  /** Leader it is fetched from; null until routed (or after an error that re-routes it). */
  leader: number | null;
  topicId: string;
  /** Leader epoch metadata gave with the leader. */
  metadataEpoch: number;
  /** No fetch before this `Date.now()`; 0 when not backing off. */
  retryAt: number;
  /** Consecutive failures, for the backoff. */
  failures: number;
  /** Parked at this offset after an error its stage must act on; null when not parked. */
  parkedAt: number | null;
  /**
   * Smallest size that brings the next batch whole (it came cut, or was dropped as too large); 0
   * when none owed. A guess when `owedFloor` is above 0.
   */
  minBytes: number;
  /**
   * After an answer with no bytes although records waited: the next batch is at least this large
   * (one byte more than was asked), its size unknown, and `minBytes` a guess (twice the ask). 0 when
   * the size owed is known (or none is owed).
   */
  owedFloor: number;
  /**
   * When it became owed a batch (a sequence number): owed targets go first in the order they
   * became owed, so each gets the request's first place (the only one where a batch may come
   * whole past its room) in turn, and none is starved by others owed again and again.
   */
  owedSince: number;
  /**
   * Budget bytes the owed batch was seen to take once held, when it was refused for want of room
   * (its growth may differ from the partition's estimate); 0 when not known.
   */
  owedHeld: number;
  /** Free budget the next batch needs to decompress into (it did not fit before); 0 when none. */
  needFree: number;
  /** Wire size of the largest batch of the latest answer: a smaller ask brings only a cut batch. */
  batchBytes: number;
  /**
   * Where the partition's readable records ended at its latest answer (its high watermark, or last
   * stable offset under read_committed); -1 before any answer. At or below the offset asked, the
   * partition is at its end: nothing waits for it.
   */
  endOffset: number;
  /** The Fetch it is part of, from its sending until its answer has been handled; null when none. */
  inFlight: SentFetch | null;
  /**
   * Its answer is being handled and was read ahead (fetch-ahead.ts): the next Fetch may ask from
   * `ahead.offset` with the answer's records counted as buffered. Null otherwise.
   */
  ahead: ReadAhead | null;
  /**
   * An answer of it was refused for holding more than its reservation and what was free, the
   * licence being spent (on a read-ahead, the growth estimate was short): its answers are not read
   * ahead until one is held, so the next may come on its Fetch's licence.
   */
  aheadRefused: boolean;
  /**
   * Consecutive answers that did not move the position (batches all below it, only a cut first
   * batch, OFFSET_OUT_OF_RANGE), since the last that did: bounded by the error policy.
   */
  stuckRounds: number;
  /** Consecutive CORRUPT_MESSAGE answers. */
  corruptRounds: number;
}

/** An answer read ahead, and the Fetch it answers. */
export interface ReadAhead extends AnswerAhead {
  readonly sent: SentFetch;
}

/** The scheduler's view of one broker. */
export interface BrokerState {
  readonly id: number;
  /** A Fetch request is out and unanswered: the broker's next one waits for its answer. */
  requesting: boolean;
  /** Fetches not yet over (request out, or answer being handled), with their abort controllers. */
  readonly running: Map<Promise<void>, AbortController>;
  /** Handling of the latest answer, while it lasts: the next answer waits for it (answers are handled in order). */
  handling: Promise<void> | null;
  failures: number;
  retryAt: number;
  /** Rotates the request order so no partition always comes last. */
  rotation: number;
}

/** One partition of a Fetch in flight. */
export interface SentPart extends FetchPart {
  state: TargetState;
  /** Budget bytes reserved for this partition's answer and not yet settled. */
  reserved: number;
  /**
   * Most wire bytes of the answer kept past its first batch (at most `partitionMaxBytes`): what the
   * stage asked for. A part asking more, for a whole batch (owed, or sized from its topic), keeps
   * that batch and then only what the stage asked for, so one ask never brings several batches
   * past the stage's room.
   */
  keepBytes: number;
}

/** A Fetch in flight: its parts and the budget reservation they still hold together. */
export interface SentFetch {
  parts: SentPart[];
  unsettled: number;
  /**
   * True until one partition of the answer has used the broker's one-batch licence: a first batch
   * kept although it is larger than what was asked (or reserved) for it. The budget's bound is its
   * limit plus one batch per broker; this is that batch.
   */
  slack: boolean;
  /** Its answer has arrived (the broker may take the next Fetch). */
  answered: boolean;
}

/** A fresh state for `target`. */
export function newTargetState(target: FetchTarget, key: string): TargetState {
  return {
    target,
    key,
    leader: null,
    topicId: '',
    metadataEpoch: -1,
    retryAt: 0,
    failures: 0,
    parkedAt: null,
    minBytes: 0,
    owedFloor: 0,
    owedSince: 0,
    owedHeld: 0,
    needFree: 0,
    batchBytes: 0,
    endOffset: -1,
    inFlight: null,
    ahead: null,
    aheadRefused: false,
    stuckRounds: 0,
    corruptRounds: 0,
  };
}
