// Arithmetic of the producer scenarios (PROTOCOL.md, "Producer scenarios"), apart so it is unit-tested.

/**
 * Records due by `elapsedMs` into a run of `count` records at `rate` records/s: the schedule the
 * fixed-rate loops follow (a late tick sends everything that fell due meanwhile, so the average
 * rate holds while the client keeps up).
 */
export function dueBy(elapsedMs, rate, count) {
  if (!(elapsedMs > 0)) return 0;
  return Math.min(count, Math.floor((elapsedMs * rate) / 1000));
}

/** Acknowledged records per second from the first send to the last acknowledgement, or null. */
export function ackedPerSecond(result) {
  if (!result || !(result.firstToLastMs > 0)) return null;
  return result.records / (result.firstToLastMs / 1000);
}

