/**
 * Sizing one broker's Fetch: which of its targets go in, in what order, how many wire bytes each
 * asks for and how many budget bytes each reserves: fetch sizes follow demand and the budget.
 *
 * The bound kept here: the reservation covers what each partition may bring, so held + reserved
 * stays within the budget's limit plus one batch per broker. Every partition's `partitionMaxBytes`
 * is what its reservation covers (at the growth seen), except for the first partition of the
 * request: Kafka may return its first batch whole beyond its limit (KIP-74), and a partition owed a
 * whole batch goes there. That one batch is the overshoot the bound allows.
 *
 * A partition that has seen no batch yet knows neither its batch size nor its growth: it asks for a
 * small probe (PartitionBuffer's first ask) reserved at a cautious growth, and a probe smaller than
 * the first batch brings nothing (only the request's first partition gets a whole batch past its
 * limit). With many partitions that found them one per round: 1000 partitions, 1000 rounds. So such
 * a partition is sized from what the partitions of its topic in the same plan have seen (the largest
 * batch, the largest growth): producers batch a topic's partitions alike. A wrong guess costs what a
 * cut batch costs (it is owed whole); the reservation and the answer's bounds are unchanged.
 *
 * Many partitions on a small budget (60 topics × 50 partitions: shares of 16 KiB, batches of 16 KB
 * that hold 24 KB): Kafka never cuts a first batch; a partition whose next batch is larger than its
 * ask gets no bytes unless it is the first with data in the response. So a partition holding
 * nothing while records wait may take one whole batch up to twice its share, an empty answer while
 * records wait owes a larger ask (fetch-answer.ts; sized here from the topic's batches), and on a
 * budget too small for every share at once partitions at their end ask {@link END_ASK_BYTES}, so
 * that the budget goes to the partitions with records waiting.
 *
 * Liveness rule: a target passed over while it may want bytes (no room left, over its share of the
 * budget, waiting for free room, not first while owed a batch too large for its room) is asked
 * `fetchBytesWanted(0)`. Its answer (0) tells the stage it was not served, so it wakes the
 * scheduler again once it wants bytes (records taken, budget freed, demand added): without that a
 * stage that last answered "yes" would never wake the scheduler again, and stall.
 */
import type { ByteBudget } from '../stage/byte-budget.js';
import type { SentPart, TargetState } from './fetch-state.js';

/** What a plan needs to know besides the targets. */
export interface PlanContext {
  budget: ByteBudget;
  /** Most any one partition may hold plus ask for (its share of the budget). */
  share: number;
  /** Most wire bytes one partition may ask for. */
  maxBytesPerPartition: number;
  /**
   * The budget cannot give every partition its share at once (there are more partitions than
   * floor-sized shares in it): partitions at their end ask little ({@link END_ASK_BYTES}), so
   * their reservations leave the budget to the partitions that have records waiting.
   */
  contended?: boolean;
}

/**
 * Most a partition at its end asks for while the budget is contended: a batch that arrives larger
 * still comes whole when its partition is the first with data in the response (KIP-74), and
 * otherwise its empty answer (records waiting) owes it a larger ask.
 */
export const END_ASK_BYTES = 1024;

/** The parts of one Fetch, and whether some target waits for more free budget than there is. */
export interface FetchPlan {
  parts: SentPart[];
  /** A target's next batch needs more free budget than is free: look again after a while. */
  waitsForRoom: boolean;
  /**
   * A target read ahead asks less than its answer being decoded brought: a Fetch sent now would
   * be smaller than the last; better sent (whole) once that answer is handed over.
   */
  shrinking: boolean;
}

/**
 * Orders `states` (those owed whole batches first, longest owed first; then the rest rotated by
 * `turn`) and sizes the parts.
 * Calls `fetchBytesWanted` on every target it considers: with the room offered, or with 0 when it
 * passes the target over (see the module documentation).
 */
export function planFetch(states: readonly TargetState[], turn: number, ctx: PlanContext): FetchPlan {
  const owed = states.filter((s) => s.minBytes > 0).sort((a, b) => a.owedSince - b.owedSince);
  const rest = states.filter((s) => s.minBytes === 0);
  const start = rest.length > 0 ? turn % rest.length : 0;
  const ordered = [...owed, ...rest.slice(start), ...rest.slice(0, start)];
  const parts: SentPart[] = [];
  let waitsForRoom = false;
  let shrinking = false;
  let left = ctx.budget.free;
  const hints = topicHints(states);
  for (const s of ordered) {
    if (left <= 0) {
      passOver(s);
      continue;
    }
    if (s.needFree > left) {
      // Its next batch needs more room than is free: look again once records have left (or after a while).
      waitsForRoom = true;
      passOver(s);
      continue;
    }
    // Before its first batch a target is sized from what its topic's other partitions have seen.
    const topicHint = hints?.get(s.target.topic);
    const hint = s.batchBytes === 0 ? topicHint : undefined;
    const growth = hint ? hint.growth : s.target.growth;
    const batchBytes = hint ? hint.batchBytes : s.batchBytes;
    const owedAsk = owedSize(s, topicHint);
    // An answer of this target is being decoded (read ahead): it counts as held already.
    const ahead = s.ahead;
    const pending = ahead === null ? 0 : Math.ceil(ahead.wireBytes * growth);
    const buffered = s.target.bufferedBytes ?? 0;
    // No partition may hold more than its share of the budget: partitions whose subscribers stall
    // must leave room for the others (a stalled partition never slows another). But a partition
    // that holds nothing, while records wait for it, may take one whole batch a little larger than
    // its share (many partitions on a small budget): else such a batch came only as the first of a
    // request (Kafka sends the others no bytes), one per Fetch. At most twice the share, so that
    // batches far larger than the shares keep going one by one through the owed queue, and do not
    // take every byte freed while an owed partition waits for room.
    const oneBatch = buffered === 0 && pending === 0 && waits(s) ? Math.max(Math.ceil(Math.max(batchBytes, owedAsk) * growth), s.owedHeld) : 0;
    const cap = oneBatch > ctx.share && oneBatch <= 2 * ctx.share ? oneBatch : ctx.share;
    const room = Math.min(left, cap - buffered - pending);
    if (room <= 0) {
      passOver(s);
      continue;
    }
    // The stage sizes its ask in wire bytes; the budget counts what they grow into, as the stage
    // estimates it from what it buffered (cautious before its first records).
    const asked = s.target.fetchBytesWanted(room, ahead?.records ?? 0);
    if (asked <= 0) continue;
    // At most what the room covers at the growth seen (rounded down: `wire × growth` within the room).
    const atEnd = ctx.contended === true && s.minBytes === 0 && !waits(s);
    const wire = Math.min(asked, Math.floor(room / growth), atEnd ? END_ASK_BYTES : ctx.maxBytesPerPartition);
    if (wire <= 0) {
      passOver(s);
      continue;
    }
    // Read ahead, a part asking less than the answer being decoded makes early Fetches shrink round
    // by round (more, smaller Fetches for the same records): the scheduler then waits for the answer.
    if (ahead !== null && wire < ahead.wireBytes) shrinking = true;
    let bytes = wire;
    let need = 0;
    if (s.minBytes > 0) {
      bytes = Math.max(wire, owedAsk);
      need = Math.max(Math.ceil(bytes * growth), s.owedHeld);
      // Owed a batch larger than its room: only the first partition of the request may bring it
      // (the broker's one whole batch); elsewhere it would come cut, or be refused, again. It waits its turn.
      if (parts.length > 0 && need > room) {
        passOver(s);
        continue;
      }
    } else if (!atEnd && batchBytes > wire && Math.ceil(batchBytes * growth) <= room) {
      // A whole batch rather than a cut one (a cut one costs a round trip), when the room covers it.
      bytes = batchBytes;
    }
    const reserved = Math.min(room, Math.max(Math.ceil(bytes * growth), need));
    parts.push({
      state: s,
      topic: s.target.topic,
      topicId: s.topicId,
      partition: s.target.partition,
      fetchOffset: ahead === null ? s.target.fetchOffset : ahead.offset,
      currentLeaderEpoch: Math.max(s.target.leaderEpoch, s.metadataEpoch),
      partitionMaxBytes: bytes,
      reserved,
      // Past its first batch, the answer keeps what the stage asked for: an ask raised to a whole
      // batch (owed, or the topic's size) brings that one batch past the stage's room, never several.
      keepBytes: wire,
    });
    left -= reserved;
  }
  return { parts, waitsForRoom, shrinking };
}

/** What the partitions of a topic that have seen batches say of the batches of the others. */
interface TopicHint {
  /** Largest wire size of a batch seen. */
  batchBytes: number;
  /** Largest growth seen (buffered bytes per wire byte). */
  growth: number;
}

/**
 * What a target owed a batch asks for (0 when none is owed). After an empty answer the size is a
 * guess (twice the last ask), which may not fit the room a partition has outside the request's
 * first place. When its topic's batches are as large as the batch must be (past `owedFloor`), it
 * asks their size instead: most likely enough. When they are not (the batch is a little larger than
 * any seen: producers' batches vary by a few bytes), a quarter more than the floor. A guess too
 * small costs a round and a larger guess; the request's first place brings the batch whole anyway.
 */
function owedSize(s: TargetState, topicHint: TopicHint | undefined): number {
  if (s.owedFloor === 0 || topicHint === undefined) return s.minBytes;
  const likely = topicHint.batchBytes >= s.owedFloor ? topicHint.batchBytes : Math.ceil(s.owedFloor * 1.25);
  return Math.min(s.minBytes, likely);
}

/**
 * Per topic, from the targets that have seen a batch; null when nothing is to be guessed (every
 * target has seen a batch, and none is owed one of unknown size).
 */
function topicHints(states: readonly TargetState[]): Map<string, TopicHint> | null {
  if (states.every((s) => s.batchBytes > 0 && s.owedFloor === 0)) return null;
  const hints = new Map<string, TopicHint>();
  for (const s of states) {
    if (s.batchBytes === 0) continue;
    const hint = hints.get(s.target.topic);
    if (!hint) hints.set(s.target.topic, { batchBytes: s.batchBytes, growth: s.target.growth });
    else {
      hint.batchBytes = Math.max(hint.batchBytes, s.batchBytes);
      hint.growth = Math.max(hint.growth, s.target.growth);
    }
  }
  return hints;
}

/** Records may wait for the target: its latest answer ended before its end, or none came yet. */
function waits(s: TargetState): boolean {
  return s.endOffset < 0 || s.endOffset > s.target.fetchOffset;
}

/** Tells a target it gets nothing this round, so that its next want wakes the scheduler. */
export function passOver(s: TargetState): void {
  s.target.fetchBytesWanted(0);
}
