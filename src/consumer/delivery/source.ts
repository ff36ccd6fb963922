/**
 * The two sides of a subscription to a partition stage, so each way of taking records (iterator,
 * batches, manual demand, Node Readable, Web ReadableStream) is a small file of its own.
 *
 * The stage owns the bookkeeping: every record a {@link DeliverySource} hands out is taken against
 * outstanding demand, counted as delivered (it is now the subscriber's, to ack), and its bytes leave
 * the consumer-wide budget. A subscription only decides when to ask and when to take.
 */
import type { KafkaRecord } from '../../protocol/records/types.js';

/** What a subscription may do with its stage. */
export interface DeliverySource {
  readonly topic: string;
  readonly partition: number;
  /** Adds `n` records to the outstanding demand (demand accumulates) and wakes the fetcher if needed. */
  demand(n: number): void;
  /** Demand asked for and not yet met. */
  outstandingDemand(): number;
  /** The next buffered record against demand, now delivered; `undefined` when none may be taken. */
  takeOne(): KafkaRecord | undefined;
  /** Up to `limit` buffered records against demand, now delivered; empty when none may be taken. */
  take(limit: number): KafkaRecord[];
  /** True once the stage stopped delivering (revoked, lost): no more records will come. */
  ended(): boolean;
  /**
   * A fetch error standing for the partition (one the fetch scheduler could not absorb), or null.
   * A subscription surfaces it once the records it may still take are taken, then ends.
   */
  failure(): Error | null;
  /** Asks the stage to call the subscription's `notify()` soon (from a microtask; once however often asked). */
  notifySoon(): void;
  /**
   * The subscriber failed on the records it holds (a manual handler threw, with no `onError`): the
   * consumer's `onFailure` policy takes over. False when nothing took it (no consumer behind the stage).
   */
  fail(error: Error): boolean;
  /** The subscriber went away (iterator return, stream destroy or cancel): its outstanding demand is dropped and the stage may take a new subscriber. */
  detach(subscription: Subscription): void;
}

/** What the stage calls on its subscription. */
export interface Subscription {
  /**
   * Something changed: records were buffered, the stage ended or failed. Deliver what may be
   * delivered, then end or fail if that is all. Called from a microtask, never from inside the fetch
   * scheduler's or the group's own call, so user code never runs on their stacks.
   */
  notify(): void;
}
