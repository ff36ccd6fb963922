/** Correlation id allocation for one connection. Pure. */

/** Largest correlation id: ids are int32 on the wire and we keep to the non-negative half. */
export const MAX_CORRELATION_ID = 0x7fffffff;

/**
 * The id after `last`, wrapping from {@link MAX_CORRELATION_ID} to 0 and skipping ids still in
 * flight, so a long-lived connection never reuses the id of a request whose response is pending.
 * Callers keep far fewer than 2^31 requests in flight, so the loop ends after a few steps.
 */
export function nextCorrelationId(last: number, inFlight: { has(id: number): boolean }): number {
  let id = last;
  do {
    id = id >= MAX_CORRELATION_ID || id < 0 ? 0 : id + 1;
  } while (inFlight.has(id));
  return id;
}
