/**
 * The one estimate of how fetched (wire) bytes relate to buffered bytes for a partition. Brokers
 * limit a Fetch in wire bytes, possibly compressed; the buffers and the byte budget count buffered
 * bytes (decompressed records plus a per-record overhead). The partition stage owns one estimate
 * and samples it from what it buffers; the fetch scheduler reads it (through the stage) to reserve
 * budget for what an ask may bring. Pure state.
 */

/**
 * Buffered bytes per wire byte assumed before the first sample: cautious, since record objects
 * alone add about half to 100-byte records, and compression adds more.
 */
export const UNSAMPLED_GROWTH = 2;

/** Largest growth believed: bounds what one odd answer (or a decompression bomb) makes the next ask. */
export const MAX_GROWTH = 1000;

/** Buffered bytes per wire byte, from the batches buffered so far. */
export class WireEstimate {
  private estimate = UNSAMPLED_GROWTH;
  private sampled = false;

  /** Buffered bytes one wire byte becomes (≥ 1); {@link UNSAMPLED_GROWTH} until the first sample. */
  get growth(): number {
    return this.estimate;
  }

  /**
   * Wire bytes to ask for so that the answer grows into about `buffered` bytes. Before the first
   * sample `buffered` itself: what a partition wants then is a probe sized in wire bytes already
   * (a few batch headers' worth, see PartitionBuffer), not a buffered figure.
   */
  wireFor(buffered: number): number {
    return this.sampled ? Math.ceil(buffered / this.estimate) : buffered;
  }

  /**
   * Notes that `wireBytes` on the wire became `bufferedBytes` once buffered. The first sample
   * replaces the guess; later ones move the estimate by 30 %, so it follows a change of codec or
   * record size within a few answers without one odd answer swinging it.
   */
  sample(wireBytes: number, bufferedBytes: number): void {
    if (!(wireBytes > 0) || !(bufferedBytes > 0)) return;
    const seen = Math.min(MAX_GROWTH, Math.max(1, bufferedBytes / wireBytes));
    this.estimate = this.sampled ? 0.7 * this.estimate + 0.3 * seen : seen;
    this.sampled = true;
  }
}
