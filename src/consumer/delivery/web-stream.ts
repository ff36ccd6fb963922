/**
 * `stage.readableStream()`: a Web `ReadableStream` of records with a pull-based source. The stream's
 * queue holds at most `maxDemand` records (a count queuing strategy); each `pull` asks the stage for
 * the queue's free room (`desiredSize`) and enqueues what is buffered, so demand never runs ahead of
 * the reader.
 *
 * Enqueued records count as delivered (they are the subscriber's, to ack). When the stage ends
 * (revoke, loss) the stream closes after the records already queued. A standing fetch error errors
 * the stream (Web streams drop their queue on error: records queued and unread then stay unacked,
 * so they are never committed and come again after a rebalance).
 */
import { CountQueuingStrategy, ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web';
import type { KafkaRecord } from '../../protocol/records/types.js';
import type { DemandPolicy } from './demand.js';
import type { DeliverySource, Subscription } from './source.js';

/** The subscription behind a stage's Web stream. */
export class StreamSubscription implements Subscription {
  /** The stream handed to the subscriber. */
  readonly stream: ReadableStream<KafkaRecord>;
  private controller: ReadableStreamDefaultController<KafkaRecord> | null = null;
  /** Resolves the pull that is waiting for records, if one is. */
  private wake: (() => void) | null = null;
  private done = false;

  constructor(private readonly source: DeliverySource, policy: DemandPolicy) {
    this.stream = new ReadableStream<KafkaRecord>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pull(),
        cancel: () => {
          this.done = true;
          this.source.detach(this);
          this.release();
        },
      },
      new CountQueuingStrategy({ highWaterMark: policy.maxDemand }),
    );
  }

  /** @internal Records arrived or the stage ended. */
  notify(): void {
    if (this.done) return;
    if (this.wake !== null) {
      if (this.fill() > 0 || this.finishIfOver()) this.release();
    } else if (this.source.ended()) {
      this.finishIfOver();
    }
  }

  private pull(): Promise<void> | undefined {
    if (this.done) return undefined;
    if (this.fill() > 0 || this.finishIfOver()) return undefined;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  /** Asks for the queue's free room and enqueues what is buffered; returns how many were enqueued. */
  private fill(): number {
    const controller = this.controller;
    if (controller === null) return 0;
    const room = controller.desiredSize ?? 0;
    if (room <= 0) return 0;
    const outstanding = this.source.outstandingDemand();
    if (room > outstanding) this.source.demand(room - outstanding);
    let count = 0;
    let record: KafkaRecord | undefined;
    while (count < room && (record = this.source.takeOne()) !== undefined) {
      controller.enqueue(record);
      count++;
    }
    return count;
  }

  /** Closes (stage ended) or errors (standing fetch error) the stream; true when it did. */
  private finishIfOver(): boolean {
    const controller = this.controller;
    if (controller === null) return false;
    if (this.source.ended()) {
      this.done = true;
      controller.close();
      return true;
    }
    const failure = this.source.failure();
    if (failure !== null) {
      this.done = true;
      this.source.detach(this);
      controller.error(failure);
      return true;
    }
    return false;
  }

  private release(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
