/**
 * I7 liveness for the model-based test. {@link settle} plays well-behaved subscribers (keep demand
 * up, ack everything) and an honest broker (answer every Fetch with data) round after round, in
 * model time, and flags any partition that has demand and is short of its log end but neither
 * delivers nor (with nothing buffered) moves its fetch position for {@link STALL_ROUNDS} rounds
 * while others go on (design.md §2.5: a slow partition never holds up another). Paused partitions
 * (stalled handlers) take nothing and are not waited for.
 * {@link finish} then requires every partition at its log end with the commit there, and a bounded
 * stop.
 */
import { DEFAULT_RETRY } from '../../src/cluster/retry.js';
import type { Subscriber } from './subscribers.js';
import type { World } from './world.js';

/** Rounds (each answers every pending Fetch) a partition with demand and records may go without a delivery... */
export const STALL_ROUNDS = 12;
/** ...and model time it may go so: three times the fetch backoff cap (1000 ms). */
export const STALL_MS = 3000;
/** Model time per round. */
export const ROUND_MS = 50;

/** Demand a well-behaved manual subscriber keeps up. */
const SERVE_DEMAND = 1000;

/** True when the subscriber of `p` has been given every record there is and its stage fetched to the log end. */
function atEnd(world: World, sub: Subscriber): boolean {
  const a = sub.assignment;
  const log = world.cluster.log(a.partition);
  const from = a.lastDelivered === null ? a.start : a.lastDelivered + 1;
  return log.nextDeliverable(from, world.config.readCommitted) === null && sub.stage.stats().fetchedOffset >= log.logEndOffset;
}

/** Subscribers of owned, live, unpaused partitions. */
function active(world: World): Subscriber[] {
  const out: Subscriber[] = [];
  for (const [p, sub] of world.driver.current) {
    if (world.paused.has(p) || !world.oracle.owned.has(p) || sub.assignment.state !== 'live') continue;
    out.push(sub);
  }
  return out;
}

/**
 * Well-behaved subscribers for one round: ack all held, keep demand up, and again while records
 * keep coming from the buffers (a subscriber of 1 record at a time drains its buffer in one round).
 */
async function serve(world: World, round: number): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const before = world.oracle.totalDelivered;
    serveOnce(world, round);
    await world.flush(1);
    if (world.oracle.totalDelivered === before) return;
  }
}

function serveOnce(world: World, round: number): void {
  for (const sub of active(world)) {
    if (sub.errors.length > 0 || sub.ended) {
      // A fetch error ended the subscription: the user's way back is a fresh stage.
      world.release(sub.assignment.partition);
      continue;
    }
    sub.ack(sub.held.length, 'oldest', round % 3 === 0 ? 'batch' : round % 3 === 1 ? 'record' : 'offset');
    if (sub.plan.mode === 'manual') {
      // A GenStage subscriber re-asks once demand falls low; 1000 keeps rounds few at any plan.
      const outstanding = (sub.assignment.asked ?? 0) - sub.assignment.delivered;
      if (outstanding < SERVE_DEMAND / 2) sub.demand(SERVE_DEMAND - outstanding);
    } else {
      sub.demand(1);
    }
  }
}

/**
 * Plays up to `rounds` rounds; with `requireEnd`, every active partition must reach its log end.
 * Returns the rounds played.
 */
export async function settle(world: World, rounds: number, requireEnd: boolean): Promise<number> {
  const stalled = new Map<number, { delivered: number; fetched: number; rounds: number; since: number }>();
  // Where one batch is larger than a partition's share of the budget (limit ÷ partitions), a
  // partition is fetched only as the first of a request, one a round in turn: each waits up to one
  // round per partition. Fair and bounded, so the bound grows with the partition count.
  const stallRounds = STALL_ROUNDS + world.config.partitions;
  let round = 0;
  for (; round < rounds; round++) {
    await serve(world, round);
    for (const fetch of [...world.cluster.pending]) world.cluster.answer(fetch);
    await world.flush();
    await world.tick(ROUND_MS);
    world.check(`settle round ${round}`);
    let allDone = true;
    for (const sub of active(world)) {
      const p = sub.assignment.partition;
      if (atEnd(world, sub)) {
        stalled.delete(p);
        continue;
      }
      allDone = false;
      const seen = stalled.get(p);
      const delivered = sub.assignment.delivered + sub.assignment.id * 1e9;
      // Progress is a delivery or a fetch position that moved: a stretch of offsets that are never
      // delivered (aborted transactions, markers, compaction gaps under read_committed) is crossed
      // by fetching alone, a share of the budget per round, and may take many rounds.
      // Records buffered against demand must be delivered, however far the fetches move.
      const now = sub.stage.stats();
      const fetched = now.bufferedRecords === 0 ? now.fetchedOffset : -1;
      if (!seen || seen.delivered !== delivered || seen.fetched !== fetched) {
        stalled.set(p, { delivered, fetched, rounds: 0, since: world.now });
        continue;
      }
      seen.rounds++;
      if (seen.rounds > stallRounds && world.now - seen.since > stallRounds * ROUND_MS + STALL_MS) {
        const s = sub.stage.stats();
        world.oracle.violations.push(
          `I7 ${p} neither delivered nor fetched on for ${seen.rounds} rounds (${world.now - seen.since} ms) with demand, short of its log end (fetched ${s.fetchedOffset}, delivered ${s.deliveredOffset}, log end ${world.cluster.log(p).logEndOffset}, buffered ${s.bufferedRecords}, demand ${s.outstandingDemand}, budget free ${world.host.budget.free})`,
        );
        world.check(`settle round ${round}`);
      }
    }
    if (allDone && world.idle) break;
  }
  if (requireEnd) {
    for (const sub of active(world)) {
      if (!atEnd(world, sub)) {
        const s = sub.stage.stats();
        world.oracle.violations.push(`I7 ${sub.assignment.partition} not at its log end after ${round} rounds (delivered ${s.deliveredOffset}, log end ${world.cluster.log(sub.assignment.partition).logEndOffset})`);
      }
    }
    if (!world.idle) world.oracle.violations.push(`I7 membership or release operations still running after ${round} rounds`);
    world.check('settle end');
  }
  return round;
}

/**
 * Rounds the end of a run may take: 20 000, or two per batch left to deliver when that is more.
 * Where one batch is larger than a partition's share of the budget, that partition is fetched only
 * as the first partition of a request (the one batch per broker the budget bound allows past its
 * limit), so such runs move one batch per round; the stall check in {@link settle} still catches a
 * partition that gets no turn at all.
 */
function finishRounds(world: World): number {
  let batchesLeft = 0;
  for (const sub of active(world)) {
    const log = world.cluster.log(sub.assignment.partition);
    const from = sub.stage.stats().deliveredOffset;
    batchesLeft += Math.max(0, log.batches.length - log.batchIndexFor(from));
  }
  return Math.max(20_000, 2 * batchesLeft);
}

/**
 * The end of a run: the coordinator heals, every handler resumes, everything is delivered and acked;
 * the commit must reach the log end (strategies async and sync; `none` through an explicit commit);
 * then stop must end within its bound, leaving no Fetch, no unsettled sync ack.
 */
export async function finish(world: World): Promise<void> {
  if (!world.stopped) {
    world.setCommitMode('ok');
    world.paused.clear();
    // A fenced commit makes the real member rejoin (the commit gate tells the membership at once), and
    // a fenced member's commit manager sends nothing more: the model's member rejoins here if no
    // rejoin command followed the fencing, or nothing could ever commit.
    if (world.coordinator.fencedSinceRejoin) {
      await settle(world, finishRounds(world), true);
      world.rejoin();
    }
    await settle(world, finishRounds(world), true);
    for (const sub of active(world)) sub.ack(sub.held.length, 'oldest', 'record');
    await world.flush();
    // Under `none` the user commits explicitly. Not awaited here: the coordinator answers after its
    // latency in model time, which only moves when the test ticks it.
    let explicit: 'none' | 'pending' | 'settled' = 'none';
    if (world.config.strategy === 'none') {
      explicit = 'pending';
      void world.host.commits.commitNow().then(
        () => (explicit = 'settled'),
        () => (explicit = 'settled'),
      );
    }
    // One OffsetCommit is in flight at a time: the one sent before the last acks may take the
    // coordinator's latency, and the one covering them goes at the next interval and takes it again.
    // When no commit went out since the coordinator healed (every ack came while it failed commits),
    // the one left to come is the retry of the last failed one: the commit manager sends it after its
    // backoff (100 ms doubling to DEFAULT_RETRY.maxBackoffMs, 1 s), not at the next interval. Seed
    // 972396758: 7 acks under 'fail', 7 failed commits, the retry due 523 ms after the heal.
    const retryMs = world.config.strategy === 'async' && world.coordinator.lastSentFailing ? DEFAULT_RETRY.maxBackoffMs : 0;
    await world.tick(world.config.commitIntervalMs + retryMs + 2 * world.coordinator.latencyMs + 2 * ROUND_MS);
    if (world.config.strategy === 'sync') {
      // A `sync` commit that failed is not retried by the library: the acks it covered rejected, and
      // the acked offsets wait for the next commit (any ack, or the final commit of a revoke or stop).
      // When every ack came while commits failed, a user retries: acks again what rejected. Seed
      // 972396758 under `sync`.
      let retried = false;
      for (const sub of active(world)) retried = sub.retryFailedAck() || retried;
      if (retried) await world.tick(2 * world.coordinator.latencyMs + 2 * ROUND_MS);
    }
    if (explicit === 'pending') world.oracle.violations.push('I7 an explicit commit did not end within the coordinator latency');
    for (const sub of active(world)) {
      const p = sub.assignment.partition;
      const end = world.cluster.log(p).logEndOffset;
      const committed = world.coordinator.committed.get(`${world.cluster.topic}:${p}`);
      if (committed !== end) world.oracle.violations.push(`I7 ${p}: all acked, commit strategy ran, committed ${committed ?? 'none'} ≠ log end ${end}`);
    }
    world.check('final commit');
    world.stop();
  }
  for (let i = 0; i < 1000 && !world.idle; i++) await world.tick(ROUND_MS);
  world.check('stop');
  if (!world.stopped) world.oracle.violations.push('I7 stop did not end');
  if (world.cluster.pending.length > 0) world.oracle.violations.push(`${world.cluster.pending.length} Fetch request(s) in flight after stop`);
  if (world.host.owned.length > 0) world.oracle.violations.push(`${world.host.owned.length} stage(s) still owned after stop`);
  const unsettled = world.driver.unsettledAcks();
  if (unsettled.length > 0) world.oracle.violations.push(`${unsettled.length} ack promise(s) never settled, e.g. ${unsettled.slice(0, 3).join('; ')}`);
  world.check('after stop');
}
