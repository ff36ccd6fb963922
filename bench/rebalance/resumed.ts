/**
 * When a group had consumed again after a membership change, read from member run logs
 * (test/helpers/recorder.ts): every partition assigned at or after `from` counts as resumed at its
 * new owner's first delivery of it; the change is over once every such partition was delivered
 * (a partition taken away again before its first delivery no longer waits). Partitions that never
 * moved (cooperative and KIP-848 rebalances) never stopped, so they do not count.
 */
import type { RunLine } from '../../test/helpers/recorder.js';

/** What {@link resumedAfter} found. */
export interface Resumed {
  /** Partitions assigned since `from` (one per member and partition). */
  moved: number;
  /** `member topic:partition` of those not delivered yet. */
  pending: string[];
  /** Time of the last first delivery, null while none moved or some are pending. */
  at: number | null;
}

/** Replays `lines` (time order) from `from` on. Pure. */
export function resumedAfter(lines: readonly RunLine[], from: number): Resumed {
  const waiting = new Map<string, number>();
  let moved = 0;
  let last = 0;
  for (const line of lines) {
    if (line.ts < from) continue;
    if (line.t === 'assign') {
      for (const p of line.partitions) {
        const k = `${line.member} ${p.topic}:${p.partition}`;
        if (!waiting.has(k)) moved++;
        waiting.set(k, line.ts);
      }
    } else if (line.t === 'deliver') {
      const k = `${line.member} ${line.topic}:${line.partition}`;
      if (waiting.delete(k)) last = Math.max(last, line.ts);
    } else if (line.t === 'revoke' || line.t === 'lost') {
      for (const p of line.partitions) waiting.delete(`${line.member} ${p.topic}:${p.partition}`);
    } else if (line.t === 'stopped' || line.t === 'killed') {
      for (const k of [...waiting.keys()]) if (k.startsWith(`${line.member} `)) waiting.delete(k);
    }
  }
  const pending = [...waiting.keys()];
  return { moved, pending, at: moved > 0 && pending.length === 0 ? last : null };
}
