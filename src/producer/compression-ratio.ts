/**
 * Per-topic estimate of how much a codec shrinks record batches, so that compressed batches are
 * closed near `batchSize` bytes on the wire rather than `batchSize` bytes before compression (the
 * Java producer's way: a batch of text compressed 3:1 carries three times the records per request).
 *
 * The estimate starts at 1 (no shrinking: the first batches are no larger than uncompressed ones)
 * and follows what each encoded batch shows: it moves down slowly (0.005 a batch) and up fast
 * (0.05 at least), so a run of incompressible data soon stops overfilling batches.
 */

/** How far one batch that compressed better than expected lowers the estimate. */
const IMPROVING_STEP = 0.005;
/** How far one batch that compressed worse than expected raises it, at least. */
const DETERIORATING_STEP = 0.05;
/** Margin on the estimate when sizing a batch: a little under `batchSize` rather than over it. */
const MARGIN = 1.05;

/** Compressed ÷ uncompressed size estimates per topic, for one codec. */
export class CompressionRatios {
  private readonly byTopic = new Map<string, number>();

  /** Expected compressed bytes of `bytes` uncompressed record bytes for `topic` (with a margin). */
  expectedBytes(topic: string, bytes: number): number {
    const ratio = this.byTopic.get(topic);
    return ratio === undefined ? bytes : bytes * ratio * MARGIN;
  }

  /** Records what one batch of `topic` showed: `uncompressed` estimated bytes became `compressed`. */
  observe(topic: string, uncompressed: number, compressed: number): void {
    if (uncompressed <= 0) return;
    const observed = compressed / uncompressed;
    const current = this.byTopic.get(topic) ?? 1;
    let next = current;
    if (observed > current) next = Math.max(current + DETERIORATING_STEP, observed);
    else if (observed < current) next = Math.max(current - IMPROVING_STEP, observed);
    // Never above 1: a codec that grows the data is sized as uncompressed.
    this.byTopic.set(topic, Math.min(1, next));
  }

}
