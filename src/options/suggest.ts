/**
 * What to tell a user who wrote an option name kafka-stage does not know: the kafka-stage name of a
 * well-known KafkaJS option, else the nearest known name when it is a small edit away (a typo, a
 * case slip such as `lingerMS`, a missing `Ms` suffix).
 */
import { kafkaJsHint } from './kafkajs-names.js';

/**
 * Edit distance between `a` and `b` ignoring case: insertions, deletions, substitutions and swaps
 * of two neighbouring characters each cost 1 (optimal string alignment).
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // Three rolling rows: the swap rule looks two rows back.
  let before = new Array<number>(t.length + 1).fill(0);
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = new Array<number>(t.length + 1);
    current[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, (before[j - 2] as number) + 1);
      current[j] = best;
    }
    before = previous;
    previous = current;
  }
  return previous[t.length] as number;
}

/** The most edits a name of `length` characters may be from a known one and still be suggested. */
function tolerance(length: number): number {
  if (length <= 3) return 1;
  return length <= 8 ? 2 : 3;
}

/**
 * The known name nearest to `key` within a small edit distance (the first listed on a tie), else
 * one that starts with `key` (`user` for `username`), or undefined.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = tolerance(key.length) + 1;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || lower.length < 3) return best;
  return known.find((candidate) => candidate.toLowerCase().startsWith(lower));
}

/**
 * The hint for an unknown option `key` found under `path` ('' at the top level, else e.g. `retry`
 * or `topics[0]`): `"did you mean 'x'?"`, a KafkaJS mapping, or '' when nothing is close.
 */
export function suggestOption(key: string, known: readonly string[], path = ''): string {
  const kafkaJs = kafkaJsHint(path, key);
  if (kafkaJs !== undefined) return kafkaJs;
  const nearest = nearestKey(key, known);
  return nearest === undefined ? '' : `did you mean '${nearest}'?`;
}
