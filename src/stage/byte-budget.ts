/**
 * The consumer-wide memory budget: bytes held by buffered records (decompressed) plus bytes reserved
 * for fetches in flight. Pure state, no I/O. A fetch reserves before it is sent and settles when its
 * response is decoded, so two brokers' fetches can never together overshoot the budget.
 */
export class ByteBudget {
  private reserved = 0;
  private held = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`budget limit must be a positive integer, got ${limit}`);
  }

  /** Bytes neither held nor reserved. */
  get free(): number {
    return Math.max(0, this.limit - this.reserved - this.held);
  }

  /** Bytes reserved for fetches in flight. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Bytes held by buffered records. */
  get heldBytes(): number {
    return this.held;
  }

  /** Reserves up to `bytes` for a fetch; returns what was granted (0 when the budget is spent). */
  reserve(bytes: number): number {
    const granted = Math.max(0, Math.min(bytes, this.free));
    this.reserved += granted;
    return granted;
  }

  /**
   * Ends a reservation: `reservedBytes` go back, `heldBytes` of decoded records are now held. The
   * fetch scheduler keeps held + reserved within the limit plus one batch per broker: a broker may
   * return one whole first batch beyond the asked size (KIP-74), and only one per Fetch is kept
   * past its reservation; the next fetches wait until records leave to make up for it.
   */
  settle(reservedBytes: number, heldBytes: number): void {
    this.reserved = Math.max(0, this.reserved - reservedBytes);
    this.held += heldBytes;
  }

  /** Records left the buffer (delivered or dropped). */
  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}
