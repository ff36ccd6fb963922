/**
 * The producer: `send()` a record, get a promise of where it landed. Records are batched per
 * partition (lingerMs, batchSize), compressed, and sent by the {@link Sender}; keys pick partitions
 * as the Java client does; idempotence (on by default) lets retries neither duplicate nor reorder.
 */
import { Cluster } from '../cluster/cluster.js';
import type { TopicInfo } from '../cluster/metadata.js';
import { backoffDelay, isRetriable, RetriesExhaustedError } from '../cluster/retry.js';
import { KafkaError } from '../protocol/kafka-error.js';
import { checkTopicName } from '../options/validate.js';
import { InvalidOptionError, KafkaStageError } from '../errors.js';
import { DeliveryTimeoutError, RecordTooLargeError } from './errors.js';
import { RecordAccumulator } from './accumulator.js';
import type { QueuedRecord } from './batch.js';
import type { Delivery, RecordMetadata } from './delivery.js';
import { resolveProducerOptions, type ProducerOptions, type ResolvedProducerOptions } from './options.js';
import { DefaultPartitioner } from './partitioner.js';
import { Sender } from './sender.js';
import { SequenceState } from './sequences.js';
import { ErrorCode } from '../protocol/error-codes.js';

export type { RecordMetadata } from './delivery.js';
export type { Acks, ProducerOptions } from './options.js';

/** Bytes as a string (UTF-8) or a byte array. */
export type BytesLike = string | Uint8Array;

/** A record to send. */
export interface ProducerRecord {
  /** Key; records with equal keys go to the same partition (murmur2, as Java). Null/absent: sticky. */
  key?: BytesLike | null;
  /** Value; null is a tombstone. */
  value: BytesLike | null;
  /** Headers, as a list (duplicates and order kept) or an object. */
  headers?: ReadonlyArray<{ key: string; value: BytesLike | null }> | Readonly<Record<string, BytesLike | null>>;
  /** Explicit partition; overrides the partitioner. */
  partition?: number;
  /** Create time in ms since the epoch. Default: now. */
  timestamp?: number;
}

/** A send waiting for its topic's metadata or for buffer room, in arrival order. */
interface WaitingSend {
  record: QueuedRecord;
  partition: number | undefined;
  size: number;
  delivery: Delivery;
  /** Date.now() at send(): its deliveryTimeoutMs counts from here. */
  at: number;
}

/** A flush waiting for the sends made before it. */
interface FlushWaiter {
  /** Sends numbered below this were made before the flush. */
  before: number;
  /** How many of them are still unsettled. */
  remaining: number;
  resolve: () => void;
}

/** The per-record handle: settles the send's promise and reports it to the producer, without a closure per send. */
class TrackedDelivery implements Delivery {
  private done = false;

  constructor(
    private readonly sendNumber: number,
    private readonly onResolve: (metadata: RecordMetadata) => void,
    private readonly onReject: (error: unknown) => void,
    private readonly onSettled: (sendNumber: number) => void,
  ) {}

  resolve(metadata: RecordMetadata): void {
    if (this.done) return;
    this.done = true;
    this.onResolve(metadata);
    this.onSettled(this.sendNumber);
  }

  reject(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.onReject(error);
    this.onSettled(this.sendNumber);
  }
}


/** What {@link Producer.loadOrExpire} returns after expiring sends. */
const EXPIRED = Symbol('expired');

/**
 * True for a metadata failure sends should wait out (up to their deliveryTimeoutMs): the cluster
 * unreachable or answering a transient error. A topic the cluster says does not exist, or any
 * refusal retrying cannot change, fails the waiting sends at once.
 */
function waitsOutOutage(failure: unknown): boolean {
  if (failure === EXPIRED) return true;
  if (failure instanceof KafkaError && failure.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return false;
  return isRetriable(failure instanceof RetriesExhaustedError ? failure.cause : failure);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A Kafka producer. Create, optionally `connect()`, `send()` many, `close()`. */
export class Producer {
  /** The cluster client underneath. */
  readonly cluster: Cluster;
  /** The options in force, defaults applied. */
  readonly options: ResolvedProducerOptions;
  private readonly accumulator: RecordAccumulator<Delivery>;
  private readonly sequences = new SequenceState();
  private readonly partitioner: DefaultPartitioner;
  private readonly sender: Sender;
  /** Sends waiting, per topic; while a topic has any, later sends of it wait behind them. */
  private readonly waiting = new Map<string, WaitingSend[]>();
  private readonly pumping = new Set<string>();
  /** The metadata load under way per topic (settles with null, or the failure); one at a time. */
  private readonly loading = new Map<string, Promise<unknown>>();
  private roomWaiters: (() => void)[] = [];
  /** Sends so far: each send's number orders it against flushes. */
  private sent = 0;
  /** Sends not settled yet. */
  private unsettled = 0;
  private flushWaiters: FlushWaiter[] = [];
  private closing: Promise<void> | null = null;
  /** The topic name last checked by send(): sends to it skip the check. */
  private checkedTopic: string | null = null;
  private lastBackgroundRefresh = 0;
  /** Topics the cluster said do not exist, warned about once until their metadata loads. */
  private readonly warnedMissing = new Set<string>();
  /**
   * Per topic, the last failure of an attempt to load its metadata (cleared once loaded): with the
   * cluster's last failed refresh, the cause of a DeliveryTimeoutError, even when the send expires
   * while a load is still retrying.
   */
  private readonly loadAttemptFailure = new Map<string, unknown>();

  /** Validates `options` synchronously (throws InvalidOptionError naming the option). Connects lazily. */
  constructor(options: ProducerOptions) {
    this.options = resolveProducerOptions(options);
    this.cluster = new Cluster(this.options.cluster);
    this.accumulator = new RecordAccumulator({
      batchSize: this.options.batchSize,
      lingerMs: this.options.lingerMs,
      maxRequestSize: this.options.maxRequestSize,
      compression: this.options.compression,
    });
    this.partitioner = new DefaultPartitioner(this.options.batchSize);
    this.sender = new Sender(this.cluster, this.options, this.accumulator, this.sequences, {
      spaceFreed: () => this.spaceFreed(),
    });
  }

  /** Producer id and epoch (idempotent producers; -1 before the first send or `connect()`). */
  get producerId(): { producerId: bigint; producerEpoch: number } {
    return { producerId: this.sequences.producerId, producerEpoch: this.sequences.producerEpoch };
  }

  /** Connects to the cluster and, when idempotent, obtains a producer id, so failures show here. */
  async connect(): Promise<void> {
    await this.cluster.connect();
    await this.sender.ensureProducerId();
  }

  /**
   * Sends a record. Resolves once the broker acknowledged it (per `acks`) with its partition and
   * offset; rejects with a typed error: KafkaError (with topic/partition context) for a broker
   * error that is not retriable, DeliveryTimeoutError when `deliveryTimeoutMs` passed,
   * RecordTooLargeError, InvalidOptionError for a malformed record or an illegal topic name (Kafka's
   * rule: 1-249 characters of `a-z A-Z 0-9 . _ -`, not `.` or `..`), ERR_CLOSED after close().
   * Records sent to one partition are written in the order of the `send()` calls.
   */
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata> {
    if (this.closing) return Promise.reject(new KafkaStageError('ERR_CLOSED', 'the producer is closed', { context: { topic } }));
    let queued: QueuedRecord;
    let size: number;
    // One clock read per send: the record's default timestamp, its delivery timeout and its batch's linger count from it.
    const now = Date.now();
    try {
      // A producer writes to few topics: the name is checked once, not on every send.
      // (Only a string that passed is remembered: a caller without types may pass anything.)
      if (topic !== this.checkedTopic || typeof topic !== 'string') {
        checkTopicName('topic', topic);
        this.checkedTopic = topic;
      }
      queued = toQueuedRecord(record, now);
      size = this.accumulator.sizeOf(queued, topic, record.partition);
      if (size > this.options.bufferMemory) throw new RecordTooLargeError(size, this.options.bufferMemory, 'bufferMemory', { topic });
    } catch (err) {
      return Promise.reject(err);
    }
    let delivery!: Delivery;
    const promise = new Promise<RecordMetadata>((resolve, reject) => {
      delivery = new TrackedDelivery(this.sent++, resolve, reject, this.settled);
    });
    this.unsettled++;
    // Only a send that must wait gets a WaitingSend: the common one goes straight to its batch.
    const queue = this.waiting.get(topic);
    if (queue) queue.push({ record: queued, partition: record.partition, size, delivery, at: now });
    else if (!this.tryAppend(topic, queued, record.partition, size, delivery, now)) {
      this.waiting.set(topic, [{ record: queued, partition: record.partition, size, delivery, at: now }]);
      void this.pump(topic);
    }
    return promise;
  }

  /** Sends many records to one topic; resolves when all are acknowledged, rejects on the first failure. */
  sendBatch(topic: string, records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(topic, r)));
  }

  /**
   * Sends every record sent so far without waiting for linger, and resolves when each of them is
   * settled (acknowledged or failed). Never rejects: failures reach each send's own promise (so
   * handle those: an unhandled rejected send is an unhandled rejection, as for any promise).
   */
  async flush(): Promise<void> {
    if (this.unsettled === 0) return;
    // Every unsettled send is older than this flush; count them down as they settle.
    const done = new Promise<void>((resolve) => this.flushWaiters.push({ before: this.sent, remaining: this.unsettled, resolve }));
    this.sender.beginFlush();
    try {
      await done;
    } finally {
      this.sender.endFlush();
    }
  }

  /** Called once per send when it settles (bound: handed to every TrackedDelivery). */
  private readonly settled = (sendNumber: number): void => {
    this.unsettled--;
    if (this.flushWaiters.length === 0) return;
    for (const waiter of this.flushWaiters) {
      if (sendNumber < waiter.before && --waiter.remaining === 0) waiter.resolve();
    }
    this.flushWaiters = this.flushWaiters.filter((w) => w.remaining > 0);
  };

  /** Refuses new sends, flushes, and closes the connections. Resolves when everything sent was settled. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Sends waiting for metadata or room are part of the flush: their promises are outstanding.
      await this.flush();
      this.sender.stop();
      await this.cluster.close();
    })();
    return this.closing;
  }

  /** Appends a send now if its topic's metadata is known and there is room; false when it must wait. */
  private tryAppend(topic: string, record: QueuedRecord, given: number | undefined, size: number, delivery: Delivery, now: number): boolean {
    const info = this.cluster.metadata?.topics.get(topic);
    if (!info || info.errorCode !== ErrorCode.NONE || info.partitions.length === 0) return false;
    if (this.accumulator.bufferedBytes + size > this.options.bufferMemory) return false;
    this.refreshIfOld(topic, now);
    const partition = this.choosePartition(topic, info, record, given, delivery);
    if (partition < 0) return true; // rejected
    const batch = this.accumulator.append(topic, partition, record, delivery, now, size);
    if (record.key === null && given === undefined) this.partitioner.recordAppended(topic, partition, this.accumulator.lastAppendedBytes);
    // A new batch needs a linger timer; a full one can go now. Other appends need no run.
    if (batch.count === 1 || batch.closed) this.sender.wake();
    return true;
  }

  private choosePartition(topic: string, info: TopicInfo, record: QueuedRecord, given: number | undefined, delivery: Delivery): number {
    const count = info.partitions.length;
    let partition = given;
    if (partition === undefined && this.options.partitioner) {
      partition = this.options.partitioner({ topic, key: record.key, numPartitions: count });
    }
    partition ??= this.partitioner.partition(topic, record.key, count);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      delivery.reject(
        new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { topic, partition, detail: `the topic has partitions 0..${count - 1}` }),
      );
      return -1;
    }
    return partition;
  }

  /** Moves a topic's waiting sends into the accumulator, in order, as metadata and room allow. */
  private async pump(topic: string): Promise<void> {
    if (this.pumping.has(topic)) return;
    this.pumping.add(topic);
    let loadFailures = 0;
    try {
      for (;;) {
        const queue = this.waiting.get(topic);
        if (!queue || queue.length === 0) break;
        const info = this.cluster.metadata?.topics.get(topic);
        if (!info || info.errorCode !== ErrorCode.NONE || info.partitions.length === 0) {
          const failure = await this.loadOrExpire(topic, queue);
          if (failure === null) {
            loadFailures = 0;
            continue;
          }
          if (!waitsOutOutage(failure)) {
            this.waiting.delete(topic);
            for (const item of queue) item.delivery.reject(failure);
            break;
          }
          // The cluster is unreachable for now (chaos defect D2): the sends wait, each up to its
          // deliveryTimeoutMs, and the metadata is asked for again after a backoff.
          if (failure !== EXPIRED) await delay(backoffDelay(++loadFailures, this.options.cluster.retry));
          continue;
        }
        // Append as many as fit now and drop them from the queue in one splice: a shift() per send
        // costs O(queue length) on large queues, which made 300k queued sends quadratic.
        let taken = 0;
        const now = Date.now();
        for (; taken < queue.length; taken++) {
          const item = queue[taken] as WaitingSend;
          if (!this.tryAppend(topic, item.record, item.partition, item.size, item.delivery, now)) break;
        }
        if (taken > 0) {
          queue.splice(0, taken);
          continue;
        }
        await this.room();
      }
    } finally {
      const queue = this.waiting.get(topic);
      if (queue && queue.length === 0) this.waiting.delete(topic);
      this.pumping.delete(topic);
      if (this.waiting.has(topic)) void this.pump(topic);
    }
  }

  /**
   * Waits for the topic's metadata load (started if none is under way) or for the oldest waiting
   * send's deliveryTimeoutMs, whichever comes first. Returns null once loaded, the load's failure,
   * or {@link EXPIRED} after rejecting the sends whose time ran out (with DeliveryTimeoutError,
   * the load's last failed attempt as the cause); the load then goes on for the others.
   */
  private async loadOrExpire(topic: string, queue: WaitingSend[]): Promise<unknown> {
    let load = this.loading.get(topic);
    if (!load) {
      const started = this.loadTopic(topic).then(
        () => null,
        (err: unknown) => err,
      );
      load = started.finally(() => {
        if (this.loading.get(topic) === load) this.loading.delete(topic);
      });
      this.loading.set(topic, load);
    }
    const head = queue[0] as WaitingSend;
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<typeof EXPIRED>((resolve) => {
      timer = setTimeout(() => resolve(EXPIRED), Math.max(0, head.at + this.options.deliveryTimeoutMs - Date.now()));
    });
    const outcome = await Promise.race([load, expiry]);
    clearTimeout(timer);
    if (outcome !== EXPIRED) return outcome;
    const now = Date.now();
    let expired = 0;
    while (expired < queue.length && now - (queue[expired] as WaitingSend).at >= this.options.deliveryTimeoutMs) expired++;
    for (const item of queue.splice(0, expired)) {
      item.delivery.reject(
        new DeliveryTimeoutError(
          `a record for ${topic} was not sent within deliveryTimeoutMs (${this.options.deliveryTimeoutMs} ms): the topic's metadata could not be loaded`,
          { topic },
          this.loadAttemptFailure.get(topic) ?? this.cluster.lastMetadataFailure,
        ),
      );
    }
    return EXPIRED;
  }

  /** Loads a topic's metadata, retrying while the broker says it is unknown, up to the retry deadline. */
  private async loadTopic(topic: string): Promise<void> {
    try {
      await this.cluster.withRetry(
        'metadata of topic ' + topic,
        (attempt) =>
          this.cluster.topic(topic, { refresh: attempt > 1 }).catch((err: unknown) => {
            this.loadAttemptFailure.set(topic, err);
            return this.warnMissing(topic, err);
          }),
        [topic],
      );
      this.warnedMissing.delete(topic);
      this.loadAttemptFailure.delete(topic);
    } catch (err) {
      // The broker's answer (e.g. UNKNOWN_TOPIC_OR_PARTITION for the topic) says more than "retries ran out".
      throw err instanceof RetriesExhaustedError && err.cause instanceof KafkaStageError ? err.cause : err;
    }
  }

  /**
   * Rethrows `err`; the first time the cluster says `topic` does not exist, logs it first: sends to
   * it wait (retried within the retry policy and deliveryTimeoutMs), which is silent otherwise.
   */
  private warnMissing(topic: string, err: unknown): never {
    if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !this.warnedMissing.has(topic)) {
      this.warnedMissing.add(topic);
      this.cluster.options.logger.warn('topic does not exist; sends to it wait for it to appear, within the retry policy and deliveryTimeoutMs', {
        topic,
      });
    }
    throw err;
  }

  /** Resolves when the sender frees buffer room; meanwhile every batch is sent without lingering. */
  private room(): Promise<void> {
    this.sender.beginFlush();
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve)).finally(() => this.sender.endFlush());
  }

  private spaceFreed(): void {
    if (this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Metadata older than metadataMaxAgeMs is refreshed in the background (new partitions, moved leaders). */
  private refreshIfOld(topic: string, now: number): void {
    const metadata = this.cluster.metadata;
    if (!metadata || now - metadata.fetchedAt <= this.options.cluster.metadataMaxAgeMs) return;
    if (now - this.lastBackgroundRefresh < this.options.cluster.retry.initialBackoffMs) return;
    this.lastBackgroundRefresh = now;
    void this.cluster.refreshMetadata([...(metadata.topics.has(topic) ? metadata.topics.keys() : [topic])]).catch(() => undefined);
  }
}

function bytesOf(name: string, value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new InvalidOptionError(name, 'expected a string, a Uint8Array or null');
}

/** The headers of every record sent without any (frozen: shared by all of them). */
const NO_HEADERS: QueuedRecord['headers'] = Object.freeze([]);

/** Validates a record and converts its fields to bytes once. */
function toQueuedRecord(record: ProducerRecord, now: number): QueuedRecord {
  if (record === null || typeof record !== 'object') throw new InvalidOptionError('record', 'expected an object');
  if (record.value === undefined) throw new InvalidOptionError('record.value', 'expected a string, a Uint8Array or null');
  const value = bytesOf('record.value', record.value);
  const key = bytesOf('record.key', record.key);
  const timestamp = record.timestamp ?? now;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new InvalidOptionError('record.timestamp', `expected ms since the epoch, got ${timestamp}`);
  if (record.partition !== undefined && (!Number.isInteger(record.partition) || record.partition < 0)) {
    throw new InvalidOptionError('record.partition', `expected a partition index, got ${String(record.partition)}`);
  }
  const given = record.headers;
  // Most records have no headers: they share one empty list instead of an array each.
  if (given === undefined || given === null) return { key, value, headers: NO_HEADERS, timestamp };
  const headers: { key: string; value: Buffer | null }[] = [];
  if (Array.isArray(given)) {
    given.forEach((h: { key: unknown; value: unknown }, i) => {
      if (typeof h?.key !== 'string') throw new InvalidOptionError(`record.headers[${i}].key`, 'expected a string');
      headers.push({ key: h.key, value: bytesOf(`record.headers[${i}].value`, h.value) });
    });
  } else if (given !== undefined && given !== null) {
    if (typeof given !== 'object') throw new InvalidOptionError('record.headers', 'expected a list or an object');
    for (const [k, v] of Object.entries(given)) headers.push({ key: k, value: bytesOf(`record.headers.${k}`, v) });
  }
  return { key, value, headers, timestamp };
}
