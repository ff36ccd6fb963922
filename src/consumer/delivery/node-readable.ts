/**
 * `stage.readable()`: a Node `Readable` in object mode whose `highWaterMark` is the demand unit.
 * Demand follows the stream's own pull: every `_read` asks for the room left below the high water
 * mark, so the stream's queue plus the stage's outstanding demand never exceed `maxDemand`, and a
 * consumer that stops reading stops the fetching.
 *
 * Records pushed into the stream's queue count as delivered (they are the subscriber's, to ack).
 * When the stage ends (revoke, loss) the stream ends after the records already queued. A standing
 * fetch error destroys the stream with that error when the stream next asks for records the stage
 * cannot give; records still queued in the stream are dropped with it (Node discards the queue of
 * a destroyed stream): they stay unacked, so they are never committed and come again later.
 */
import { Readable } from 'node:stream';
import type { KafkaRecord } from '../../protocol/records/types.js';
import type { DemandPolicy } from './demand.js';
import type { DeliverySource, Subscription } from './source.js';

/** A stage's records as a Node object-mode stream. */
export class RecordReadable extends Readable implements Subscription {
  /** True between a `_read` call and the next push: the stream wants records. */
  private wanting = false;
  private ending = false;

  constructor(private readonly source: DeliverySource, policy: DemandPolicy) {
    super({ objectMode: true, highWaterMark: policy.maxDemand });
  }

  /** @internal Node asks for more: top demand up to the room left and push what is buffered. */
  override _read(): void {
    this.wanting = true;
    this.pump();
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.source.detach(this);
    callback(error);
  }

  /** @internal Records arrived or the stage ended. */
  notify(): void {
    if (this.destroyed || this.ending) return;
    if (this.wanting) this.pump();
    else if (this.source.ended()) this.endStream();
  }

  private pump(): void {
    if (this.destroyed || this.ending) return;
    // Node calls _read before it removes the record being read from the queue, so the queue may
    // look full; a _read still asks for at least one record, else nothing would ever call it again.
    const room = Math.max(1, this.readableHighWaterMark - this.readableLength);
    const outstanding = this.source.outstandingDemand();
    if (room > outstanding) this.source.demand(room - outstanding);
    let record: KafkaRecord | undefined;
    let pushed = false;
    while ((record = this.source.takeOne()) !== undefined) {
      pushed = true;
      if (!this.push(record)) break;
    }
    // Node calls _read again only after a push.
    if (pushed) {
      this.wanting = false;
      return;
    }
    if (this.source.ended()) this.endStream();
    else {
      const failure = this.source.failure();
      if (failure !== null) this.destroy(failure);
    }
  }

  private endStream(): void {
    this.ending = true;
    this.push(null);
  }
}
