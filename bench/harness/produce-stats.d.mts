// Types of produce-stats.mjs for the TypeScript tests.

/** Records due by `elapsedMs` into a run of `count` records at `rate` records/s. */
export function dueBy(elapsedMs: number, rate: number, count: number): number;

/** Acknowledged records per second from the first send to the last acknowledgement, or null. */
export function ackedPerSecond(result: { records: number; firstToLastMs: number | null } | null | undefined): number | null;
