/**
 * The sender: drains ready batches from the accumulator, one Produce request per leader broker
 * holding at most one batch per partition, with at most `maxInFlight` requests per broker, and
 * settles every record from the broker's answer. It runs when woken (a batch filled, a response
 * came, metadata changed) or when a timer says a batch has lingered, a retry backoff ended or a
 * delivery timeout passes. No loop polls.
 *
 * Order: requests to one broker are written in the order they were built, so a partition's
 * batches reach its leader in sequence order; a retried batch goes alone, after every older batch
 * of its partition was answered (see the accumulator). With idempotence the broker also refuses
 * any batch that would skip a sequence, so up to 5 requests in flight keep order. Without
 * idempotence a retry may land after a newer batch already in flight: records can be reordered
 * (and duplicated) on retries, as with the Java client; use `maxInFlight: 1` to avoid reordering.
 */
import type { Cluster } from '../cluster/cluster.js';
import { backoffDelay, isRetriable, RetriesExhaustedError } from '../cluster/retry.js';
import { InitProducerId } from '../protocol/apis/init-producer-id.js';
import { Produce } from '../protocol/apis/produce.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { DeliveryTimeoutError } from './errors.js';
import { encodeRecordBatch } from '../protocol/records/encode-batch.js';
import { REQUEST_OVERHEAD_BYTES, type PartitionQueue, type RecordAccumulator } from './accumulator.js';
import type { ProducerBatch } from './batch.js';
import type { Delivery } from './delivery.js';
import { decideBatchFate, readProduceAnswer, type BatchOutcome } from './produce-answer.js';
import { groupByLeader, nextSequenceStep, planRequest, produceBody, type ProduceBody, type SequenceFacts } from './produce-plan.js';
import type { ResolvedProducerOptions } from './options.js';
import type { SequenceState } from './sequences.js';
import { DeadlineTimer } from '../util/deadline-timer.js';

/** Java's transaction timeout for a producer without transactions: effectively none. */
const NO_TRANSACTION_TIMEOUT_MS = 0x7fffffff;
/** Extra time the client waits for a Produce answer beyond the timeout the broker is given. */
const RESPONSE_GRACE_MS = 1_000;

/** Callbacks into the producer. */
export interface SenderHooks {
  /** Records left the accumulator (acknowledged, failed or expired): buffer room is free. */
  spaceFreed(): void;
}

type Batch = ProducerBatch<Delivery>;

/** Sends the accumulator's batches. One per producer. */
export class Sender {
  private readonly inFlightByBroker = new Map<number, number>();
  /** Per broker: settles when the previous request to it has been handed to the connection. */
  private readonly writeOrder = new Map<number, Promise<void>>();
  private wakePending = false;
  /** Wakes the sender when the next batch is due (lingered, backed off, or expiring). */
  private readonly timer = new DeadlineTimer(() => this.run());
  private flushes = 0;
  private initializing: Promise<void> | null = null;
  private readonly refreshTopics = new Set<string>();
  private refreshing = false;
  private lastRefreshAt = 0;
  private stopped = false;
  /** Why the last InitProducerId failed, reported by ensureProducerId. */
  private lastInitError: unknown = null;
  /** InitProducerId runs that failed in a row for a transient reason, and when the next may start. */
  private initFailures = 0;
  private initRetryAt = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ResolvedProducerOptions,
    private readonly accumulator: RecordAccumulator<Delivery>,
    private readonly sequences: SequenceState,
    private readonly hooks: SenderHooks,
  ) {}

  /** Requests in flight to all brokers. */
  get inFlightRequests(): number {
    let n = 0;
    for (const count of this.inFlightByBroker.values()) n += count;
    return n;
  }

  /** Schedules a run of the sender (runs coalesce: many wakes in one tick give one run). */
  wake(): void {
    if (this.wakePending || this.stopped) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      this.run();
    });
  }

  /** While at least one flush is open every batch is ready at once, lingering or not. */
  beginFlush(): void {
    this.flushes++;
    this.wake();
  }

  /** Ends a flush opened with {@link Sender.beginFlush}. */
  endFlush(): void {
    this.flushes--;
  }

  /** Fetches a producer id now (idempotent producers) so that a failure shows at connect time. */
  async ensureProducerId(): Promise<void> {
    if (!this.options.idempotent || this.sequences.hasProducerId) return;
    this.initProducerId();
    await this.initializing;
    if (!this.sequences.hasProducerId) throw this.lastInitError;
  }

  /** Stops: no more runs or timers. Requests in flight still settle their records. */
  stop(): void {
    this.stopped = true;
    this.timer.disarm();
  }

  private run(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.expire(now);
    let step = nextSequenceStep(this.sequenceFacts());
    if (step === 'bump-epoch') {
      // A producer id that cannot take a new epoch is dropped: a new one is fetched.
      if (!this.sequences.bumpEpoch()) this.sequences.setProducer(-1n, -1);
      step = nextSequenceStep(this.sequenceFacts());
    }
    switch (step) {
      case 'wait-for-answers':
        return;
      case 'resend-stamped-retries':
        this.sendReady(now, true);
        return;
      case 'get-producer-id':
        if (!this.accumulator.isEmpty) {
          if (now >= this.initRetryAt) this.initProducerId();
          else this.schedule(this.initRetryAt);
        }
        this.schedule(this.accumulator.oldestWaiting() + this.options.deliveryTimeoutMs);
        return;
      default:
        this.sendReady(now, false);
    }
  }

  private sequenceFacts(): SequenceFacts {
    return {
      idempotent: this.options.idempotent,
      bumpNeeded: this.sequences.bumpNeeded,
      requestsInFlight: this.inFlightRequests,
      // Batches whose last attempt went unanswered may be in the log (chaos defect D4).
      unknownFateRetryWaiting: () => this.accumulator.someRetry((b) => b.fateUnknown && this.sequences.isCurrent(b)),
      hasProducerId: this.sequences.hasProducerId,
    };
  }

  /**
   * Sends the ready partitions' next batches, grouped by leader. `stampedOnly` (before an epoch
   * bump): only retries already stamped under the current epoch go.
   */
  private sendReady(now: number, stampedOnly: boolean): void {
    const { ready, nextReadyAt } = this.accumulator.ready(now, this.flushes > 0);
    const going = stampedOnly ? ready.filter((queue) => isStampedRetry(queue.retries[0], this.sequences)) : ready;
    const { byLeader, leaderless } = groupByLeader(going, (queue) => this.leaderOf(queue.topic, queue.partition));
    for (const queue of leaderless) this.requestRefresh(queue.topic);
    for (const [leader, queues] of byLeader) this.drainTo(leader, queues, stampedOnly);
    this.schedule(Math.min(nextReadyAt, this.accumulator.oldestWaiting() + this.options.deliveryTimeoutMs));
  }

  /**
   * Builds requests for one broker from its ready partitions, while it has room in flight.
   * `stampedOnly`: take a partition's next batch only when it is a retry stamped under the current epoch.
   */
  private drainTo(leader: number, queues: PartitionQueue<Delivery>[], stampedOnly = false): void {
    const nextBatchBytes = (queue: PartitionQueue<Delivery>): number | undefined => {
      const next = queue.retries[0] ?? queue.pending[0];
      if (!next || (stampedOnly && (next !== queue.retries[0] || !isStampedRetry(next, this.sequences)))) return undefined;
      // A partition's first batch under this producer epoch goes alone (see SequenceState.isConfirmed).
      if (this.options.idempotent && queue.inFlight.length > 0 && !this.sequences.isConfirmed(queue.topic, queue.partition)) return undefined;
      return next.sizeBytes;
    };
    let remaining = queues;
    while (remaining.length > 0 && (this.inFlightByBroker.get(leader) ?? 0) < this.options.maxInFlight) {
      const plan = planRequest(remaining, nextBatchBytes, this.options.maxRequestSize, REQUEST_OVERHEAD_BYTES);
      const batches: Batch[] = [];
      for (const queue of plan.into) {
        const batch = this.accumulator.take(queue);
        if (batch) batches.push(batch);
      }
      if (batches.length === 0) break;
      this.dispatch(leader, batches);
      remaining = plan.left;
    }
  }

  private dispatch(leader: number, batches: Batch[]): void {
    this.inFlightByBroker.set(leader, (this.inFlightByBroker.get(leader) ?? 0) + 1);
    if (this.options.idempotent) for (const batch of batches) this.sequences.stamp(batch);
    const previous = this.writeOrder.get(leader) ?? Promise.resolve();
    let written!: () => void;
    const done = new Promise<void>((resolve) => (written = resolve));
    this.writeOrder.set(leader, done);
    void this.produce(leader, batches, previous, written).finally(() => {
      written();
      if (this.writeOrder.get(leader) === done) this.writeOrder.delete(leader);
      const left = (this.inFlightByBroker.get(leader) ?? 1) - 1;
      if (left > 0) this.inFlightByBroker.set(leader, left);
      else this.inFlightByBroker.delete(leader);
      this.wake();
    });
    // More batches may be ready behind the ones just taken: pipeline them.
    this.wake();
  }

  private async produce(leader: number, batches: Batch[], previous: Promise<void>, written: () => void): Promise<void> {
    let response;
    let version = 0;
    try {
      const encoded = await Promise.all(batches.map((b) => this.encode(b)));
      await previous;
      const build = (v: number): ProduceBody => {
        version = v;
        return produceBody(batches, encoded, {
          version: v,
          acks: this.options.acks,
          timeoutMs: this.options.cluster.requestTimeoutMs,
          topicIdOf: (topic) => this.cluster.metadata?.topics.get(topic)?.topicId ?? '',
        });
      };
      if (this.options.acks === 0) {
        const sent = this.cluster.send(leader, Produce, build);
        written();
        await sent;
        for (const batch of batches) this.succeeded(batch, -1, -1);
        return;
      }
      const pending = this.cluster.request(leader, Produce, build, { timeoutMs: this.options.cluster.requestTimeoutMs + RESPONSE_GRACE_MS });
      written();
      response = await pending;
    } catch (err) {
      const now = Date.now();
      // No answer: the request may have reached the broker and been appended.
      for (const batch of batches) {
        batch.fateUnknown = true;
        this.failed(batch, err, now);
      }
      return;
    }
    const outcomes = readProduceAnswer(batches, response, leader, version >= 13 ? this.topicNamesById() : null);
    const now = Date.now();
    batches.forEach((batch, i) => {
      const outcome = outcomes[i] as BatchOutcome;
      if (outcome.ok) {
        batch.fateUnknown = false;
        this.succeeded(batch, outcome.baseOffset, outcome.logAppendTime);
        return;
      }
      if (outcome.fateUnknown !== undefined) batch.fateUnknown = outcome.fateUnknown;
      this.failed(batch, outcome.error, now);
    });
  }

  /** The batch's record-batch bytes for its current stamp, encoded once per stamp. */
  private async encode(batch: Batch): Promise<Buffer> {
    const stamp = `${batch.producerId}/${batch.producerEpoch}/${batch.baseSequence}`;
    if (batch.encoded && batch.encodedStamp === stamp) return batch.encoded;
    const encoded = await encodeRecordBatch({
      records: batch.records,
      compression: this.options.compression,
      producerId: batch.producerId,
      producerEpoch: batch.producerEpoch,
      baseSequence: batch.baseSequence,
    });
    batch.encoded = encoded;
    batch.encodedStamp = stamp;
    if (this.options.compression !== 'none') this.accumulator.observeCompression(batch.topic, batch.sizeBytes, encoded.length);
    return encoded;
  }

  private succeeded(batch: Batch, baseOffset: number, logAppendTime: number): void {
    if (this.options.idempotent) this.sequences.confirm(batch);
    this.accumulator.complete(batch);
    const { topic, partition, records, handles } = batch;
    for (let i = 0; i < handles.length; i++) {
      (handles[i] as Delivery).resolve({
        topic,
        partition,
        offset: baseOffset >= 0 ? baseOffset + i : -1,
        timestamp: logAppendTime >= 0 ? logAppendTime : (records[i] as { timestamp: number }).timestamp,
      });
    }
    release(batch);
    this.hooks.spaceFreed();
  }

  private rejectBatch(batch: Batch, error: unknown): void {
    this.accumulator.complete(batch);
    for (const handle of batch.handles) handle.reject(error);
    release(batch);
    this.hooks.spaceFreed();
  }

  private failed(batch: Batch, error: unknown, now: number): void {
    const fate = decideBatchFate({
      error,
      idempotent: this.options.idempotent,
      stampedWithCurrentEpoch: this.sequences.isCurrent(batch),
      bumpPending: this.sequences.bumpNeeded,
      olderUnresolved: this.accumulator.hasOlderUnresolved(batch),
      createdAt: batch.createdAt,
      now,
      deliveryTimeoutMs: this.options.deliveryTimeoutMs,
    });
    if (fate.kind === 'success') {
      this.succeeded(batch, -1, -1);
      return;
    }
    if (fate.bumpEpoch) this.sequences.requestBump();
    if (fate.kind === 'fail') {
      this.rejectBatch(batch, fate.timedOut ? this.timeoutError(batch, error) : error);
      return;
    }
    this.accumulator.retry(batch, now + backoffDelay(batch.attempts, this.options.cluster.retry), error);
    // The leader may have moved (or the connection died with it): look again before resending.
    this.requestRefresh(batch.topic);
  }

  /** Fails the batches waiting longer than the delivery timeout. */
  private expire(now: number): void {
    if (this.accumulator.oldestWaiting() + this.options.deliveryTimeoutMs > now) return;
    for (const batch of this.accumulator.expire(now - this.options.deliveryTimeoutMs)) {
      // A batch that went out under the current epoch leaves a gap in its partition's sequence.
      if (this.options.idempotent && batch.baseSequence >= 0 && this.sequences.isCurrent(batch)) this.sequences.requestBump();
      // A batch never sent (no producer id yet) has no error of its own: why it waited is the cause.
      for (const handle of batch.handles) handle.reject(this.timeoutError(batch, batch.lastError ?? this.lastInitError));
      release(batch);
    }
    this.hooks.spaceFreed();
  }

  private timeoutError(batch: Batch, cause: unknown): DeliveryTimeoutError {
    const reason = cause instanceof Error ? `; last error: ${cause.message}` : '';
    return new DeliveryTimeoutError(
      `${batch.count} record(s) for ${batch.topic}/${batch.partition} not acknowledged within deliveryTimeoutMs (${this.options.deliveryTimeoutMs} ms) after ${batch.attempts} attempt(s)${reason}`,
      { topic: batch.topic, partition: batch.partition },
      cause ?? undefined,
    );
  }

  private initProducerId(): void {
    if (this.initializing) return;
    this.initializing = this.cluster
      .withRetry('InitProducerId', async () => {
        const response = await this.cluster.request('any', InitProducerId, () => ({
          transactionalId: null,
          transactionTimeoutMs: NO_TRANSACTION_TIMEOUT_MS,
          producerId: -1n,
          producerEpoch: -1,
        }));
        const error = kafkaError(response.errorCode, { api: 'InitProducerId' });
        if (error) throw error;
        return response;
      })
      .then(
        (response) => {
          this.sequences.setProducer(response.producerId, response.producerEpoch);
          this.lastInitError = null;
          this.initFailures = 0;
          this.initRetryAt = 0;
        },
        (err: unknown) => {
          this.lastInitError = err;
          // The cluster unreachable or its coordinator moving (chaos defect D2): the batches wait,
          // each up to its deliveryTimeoutMs (expire() rejects them then), and InitProducerId is
          // tried again after a backoff, as the Java producer does.
          const cause = err instanceof RetriesExhaustedError ? err.cause : err;
          if (isRetriable(cause)) {
            this.initRetryAt = Date.now() + backoffDelay(++this.initFailures, this.options.cluster.retry);
            return;
          }
          // A refusal retrying cannot change (authorization, a broker without idempotence): fail
          // what waits rather than hold it.
          for (const batch of this.accumulator.drainAll()) {
            for (const handle of batch.handles) handle.reject(err);
            release(batch);
          }
          this.hooks.spaceFreed();
        },
      )
      .finally(() => {
        this.initializing = null;
        this.wake();
      });
  }

  /** Leader of a partition from cached metadata, or null when unknown (a refresh is due). */
  private leaderOf(topic: string, partition: number): number | null {
    const metadata = this.cluster.metadata;
    const leader = metadata?.topics.get(topic)?.partitions[partition]?.leader;
    if (leader === undefined || leader < 0 || !metadata?.brokers.has(leader)) return null;
    return leader;
  }

  private topicNamesById(): Map<string, string> {
    const names = new Map<string, string>();
    for (const t of this.cluster.metadata?.topics.values() ?? []) names.set(t.topicId, t.name);
    return names;
  }

  /** Refreshes metadata of `topic` soon, at most once per `retry.initialBackoffMs`, then wakes. */
  private requestRefresh(topic: string): void {
    this.refreshTopics.add(topic);
    if (this.refreshing || this.stopped) return;
    this.refreshing = true;
    const wait = Math.max(0, this.lastRefreshAt + this.options.cluster.retry.initialBackoffMs - Date.now());
    setTimeout(() => {
      const topics = [...this.refreshTopics];
      this.refreshTopics.clear();
      this.lastRefreshAt = Date.now();
      this.cluster
        .refreshMetadata(topics)
        .catch(() => undefined) // the batches retry or expire; the next run asks again
        .finally(() => {
          this.refreshing = false;
          this.wake();
        });
    }, wait);
  }

  private schedule(at: number): void {
    if (!this.stopped) this.timer.armAt(at);
  }
}

/** Drops a settled batch's record bytes early: user code may hold on to the batch's promises long after. */
function release(batch: Batch): void {
  batch.encoded = null;
}

/** True for a batch already stamped under the current producer id and epoch (a retry). */
function isStampedRetry(batch: Batch | undefined, sequences: SequenceState): boolean {
  return batch !== undefined && sequences.isCurrent(batch);
}
