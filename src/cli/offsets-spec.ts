/**
 * kcat's `-o` for `kafka-stage consume`: where each partition read starts.
 *
 * `beginning` (the log start), `end` (the high watermark: only new records), `<offset>` (that
 * offset in every partition read), `-<n>` (n records before the end of each partition, or its
 * beginning when it holds fewer), `s@<epoch ms>` (the first record whose timestamp is at or after
 * it, found with ListOffsets; the end when no record is that recent).
 */
import { UsageError } from './args.js';

/** A parsed `-o` value. */
export type OffsetStart =
  | { readonly kind: 'beginning' }
  | { readonly kind: 'end' }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'tail'; readonly count: number }
  | { readonly kind: 'timestamp'; readonly ms: number };

/** Parses a `-o` value; throws UsageError naming the accepted forms. */
export function parseOffsetStart(text: string): OffsetStart {
  if (text === 'beginning') return { kind: 'beginning' };
  if (text === 'end') return { kind: 'end' };
  const number = (digits: string): number | null => {
    const n = /^\d+$/.test(digits) ? Number(digits) : NaN;
    return Number.isSafeInteger(n) ? n : null;
  };
  if (text.startsWith('s@')) {
    const ms = number(text.slice(2));
    if (ms !== null) return { kind: 'timestamp', ms };
  } else if (text.startsWith('-')) {
    const count = number(text.slice(1));
    if (count !== null && count > 0) return { kind: 'tail', count };
  } else {
    const offset = number(text);
    if (offset !== null) return { kind: 'offset', offset };
  }
  throw new UsageError(`--offset takes beginning, end, an offset, -<n> (n before the end) or s@<epoch ms>, got '${text}'`);
}

/** What resolving needs: ListOffsets for the partitions (earliest, latest or a timestamp). */
export type OffsetLookup = (spec: 'earliest' | 'latest' | number, partitions: readonly number[]) => Promise<Map<number, number>>;

/**
 * The start offset of each partition for `start`. Asks `lookup` only for what the form needs:
 * nothing for an absolute offset, the end (and beginning) for `-<n>`, the timestamp's offset (and
 * the end, for partitions with no record that recent) for `s@`.
 */
export async function resolveOffsetStart(start: OffsetStart, partitions: readonly number[], lookup: OffsetLookup): Promise<Map<number, number>> {
  switch (start.kind) {
    case 'offset':
      return new Map(partitions.map((p) => [p, start.offset]));
    case 'beginning':
      return lookup('earliest', partitions);
    case 'end':
      return lookup('latest', partitions);
    case 'tail': {
      const [earliest, latest] = await Promise.all([lookup('earliest', partitions), lookup('latest', partitions)]);
      return new Map(partitions.map((p) => [p, Math.max(earliest.get(p) ?? 0, (latest.get(p) ?? 0) - start.count)]));
    }
    case 'timestamp': {
      const found = await lookup(start.ms, partitions);
      const past = partitions.filter((p) => (found.get(p) ?? -1) < 0);
      const latest = past.length > 0 ? await lookup('latest', past) : new Map<number, number>();
      return new Map(partitions.map((p) => [p, (found.get(p) ?? -1) >= 0 ? (found.get(p) as number) : (latest.get(p) ?? 0)]));
    }
  }
}
