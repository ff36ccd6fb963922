/**
 * The one subscriber of a partition stage: which way of taking records is attached (records(),
 * batches(), ask + onRecords, readable(), readableStream()), that only one is at a time, and the
 * once-per-microtask notification that lets it deliver. The stage's bookkeeping (demand, buffer,
 * acks) stays in the stage and is reached through the {@link DeliverySource} it hands in.
 */
import { StageBusyError } from './errors.js';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { ReadableStream } from 'node:stream/web';
import type { Readable } from 'node:stream';
import { createBatchIterator } from './delivery/batch-iterator.js';
import { resolveDemand } from './delivery/demand.js';
import { checkAskCount, ManualSubscription, type ErrorHandler, type RecordsHandler } from './delivery/manual.js';
import { RecordReadable } from './delivery/node-readable.js';
import { createRecordIterator } from './delivery/record-iterator.js';
import type { DeliverySource, Subscription } from './delivery/source.js';
import { StreamSubscription } from './delivery/web-stream.js';
import type { ConsumerBatch, DemandOptions } from './types.js';

/** Holds a stage's subscriber; see the module documentation. */
export class SubscriberSlot {
  private subscription: Subscription | null = null;
  private notifyQueued = false;

  /**
   * @param source the stage as its subscriptions see it
   * @param settled true when the stage stopped or a fetch error stands: a new subscriber must hear it at once
   * @param detached the subscriber went away: its outstanding demand is dropped
   */
  constructor(
    private readonly source: DeliverySource,
    private readonly settled: () => boolean,
    private readonly detached: () => void,
  ) {}

  /** The records one per `next()`, with GenStage demand (see the stage's `records`). */
  records(options?: DemandOptions): AsyncIterableIterator<KafkaRecord, undefined> {
    const policy = resolveDemand(options);
    this.ensureFree();
    return this.attach(createRecordIterator(this.source, policy));
  }

  /** The records in batches as they are buffered (see the stage's `batches`). */
  batches(options?: DemandOptions): AsyncIterableIterator<ConsumerBatch, undefined> {
    const policy = resolveDemand(options);
    this.ensureFree();
    return this.attach(createBatchIterator(this.source, policy));
  }

  /** Manual demand: `n` more records (see the stage's `ask`). */
  ask(n: number): void {
    // Checked before a manual subscription is attached: a bad call must leave the stage free.
    checkAskCount(n);
    this.manual().ask(n);
  }

  /** Manual demand: where records go (see the stage's `onRecords`). */
  onRecords(handler: RecordsHandler, onError?: ErrorHandler): void {
    this.manual().onRecords(handler, onError);
  }

  /** The records as a Node `Readable` (see the stage's `readable`). */
  readable(options?: Pick<DemandOptions, 'maxDemand'>): Readable {
    const policy = resolveDemand({ maxDemand: options?.maxDemand, minDemand: 0 });
    // Checked before the stream exists: a stream starts pulling (asking demand) as soon as it is made.
    this.ensureFree();
    return this.attach(new RecordReadable(this.source, policy));
  }

  /** The records as a Web `ReadableStream` (see the stage's `readableStream`). */
  readableStream(options?: Pick<DemandOptions, 'maxDemand'>): ReadableStream<KafkaRecord> {
    const policy = resolveDemand({ maxDemand: options?.maxDemand, minDemand: 0 });
    this.ensureFree();
    return this.attach(new StreamSubscription(this.source, policy)).stream;
  }

  /** The subscriber `subscription` went away (ignored when another one is attached now). */
  detach(subscription: Subscription): void {
    if (this.subscription !== subscription) return;
    this.subscription = null;
    this.detached();
  }

  /** Lets the subscriber deliver, from a microtask: once however often asked, never on the caller's stack. */
  notifySoon(): void {
    if (this.notifyQueued || this.subscription === null) return;
    this.notifyQueued = true;
    queueMicrotask(this.runNotify);
  }

  private readonly runNotify = (): void => {
    this.notifyQueued = false;
    this.subscription?.notify();
  };

  /** Throws StageBusyError when a subscriber is attached. */
  private ensureFree(): void {
    if (this.subscription !== null) {
      const { topic, partition } = this.source;
      throw new StageBusyError(`${topic}/${partition} already has a subscriber; records go one way at a time`, { topic, partition });
    }
  }

  private attach<S extends Subscription>(subscription: S): S {
    this.ensureFree();
    this.subscription = subscription;
    // A stage that already stopped or failed lets the new subscription find out at once.
    if (this.settled()) this.notifySoon();
    return subscription;
  }

  private manual(): ManualSubscription {
    if (this.subscription instanceof ManualSubscription) return this.subscription;
    return this.attach(new ManualSubscription(this.source));
  }
}
