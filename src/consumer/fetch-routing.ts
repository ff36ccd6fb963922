/**
 * The fetch scheduler's decisions that need no I/O, made from its target states alone: which
 * targets a pass may fetch for (grouped by leader), which need routing, when to look again; and,
 * from a metadata snapshot, whether it must be refreshed and where each unrouted target goes. The
 * scheduler (the driver) applies them: it sends, refreshes, backs off and arms its timer.
 */
import type { ClusterMetadata } from '../cluster/metadata.js';
import type { TargetState } from './fetch-state.js';

/** What one pass over the targets found. */
export interface PassPlan {
  /** Targets that may be fetched for now, by leader. */
  ready: Map<number, TargetState[]>;
  /** Some target waits for its leader to be found. */
  unrouted: boolean;
  /** Earliest `Date.now()` at which a target backing off may be fetched again; Infinity when none. */
  wakeAt: number;
  /** Targets whose stage stopped: the scheduler forgets them. */
  inactive: TargetState[];
  /** Parked targets whose stage moved the position (seek, reset): the error was about the old one. */
  unparked: TargetState[];
}

/** Sorts the targets of one pass at `now`; see {@link PassPlan}. */
export function planPass(states: Iterable<TargetState>, now: number): PassPlan {
  const plan: PassPlan = { ready: new Map(), unrouted: false, wakeAt: Infinity, inactive: [], unparked: [] };
  for (const s of states) {
    if (!s.target.active) {
      plan.inactive.push(s);
      continue;
    }
    if (s.parkedAt !== null) {
      if (s.target.fetchOffset === s.parkedAt) continue;
      plan.unparked.push(s);
    }
    if (s.inFlight) continue;
    if (s.retryAt > now) {
      plan.wakeAt = Math.min(plan.wakeAt, s.retryAt);
      continue;
    }
    if (s.leader === null) {
      plan.unrouted = true;
      continue;
    }
    const list = plan.ready.get(s.leader);
    if (list) list.push(s);
    else plan.ready.set(s.leader, [s]);
  }
  return plan;
}

/**
 * True when routing `topics` needs fresh metadata: it is marked stale (an error said so), missing
 * or older than `maxAgeMs`, or lacks one of the topics.
 */
export function needsRefresh(known: ClusterMetadata | null | undefined, topics: readonly string[], stale: boolean, now: number, maxAgeMs: number): boolean {
  if (stale || !known || now - known.fetchedAt > maxAgeMs) return true;
  return topics.some((t) => !known.topics.has(t));
}

/** Where a target is fetched from, or null when metadata names no usable leader for it yet. */
export interface Placement {
  leader: number;
  topicId: string;
  /** Leader epoch metadata gave with the leader. */
  leaderEpoch: number;
}

/**
 * The leader of `topic`/`partition` in `metadata`, or null for an unknown topic or partition, no
 * leader yet, or a leader not among the brokers: transient as far as fetching can tell (the group
 * rebalances deleted topics away).
 */
export function placeTarget(metadata: ClusterMetadata | null | undefined, topic: string, partition: number): Placement | null {
  const t = metadata?.topics.get(topic);
  const p = t?.partitions[partition];
  if (!t || !p || p.leader < 0 || !metadata?.brokers.has(p.leader)) return null;
  return { leader: p.leader, topicId: t.topicId, leaderEpoch: p.leaderEpoch };
}
