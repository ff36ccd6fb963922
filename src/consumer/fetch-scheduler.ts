/**
 * The fetch scheduler: turns the demand of partition stages into Fetch requests (design.md §2.3–2.5).
 *
 * - One Fetch per broker in flight at a time, covering every target that broker leads whose
 *   `fetchBytesWanted` is above 0. A target with a full buffer or no uncovered demand is left out;
 *   a broker with no such target gets no Fetch at all.
 * - Sizes come from demand and budget: each partition asks for what its stage wants out of what is
 *   left of the consumer-wide {@link ByteBudget} (at most a fair share of it per partition). The
 *   sum is reserved before sending; each partition's part is settled (`settle(reserved, 0)`) as its
 *   answer is handed to its stage, which accounts for what it buffers (`settle(0, bytes)`, then
 *   `release`). Stages count buffered (decompressed) bytes, brokers count wire bytes: the partition
 *   ask (`fetchBytesWanted`) is in wire bytes, and the reservation is that times the growth seen
 *   in earlier answers.
 * - Event-driven: a broker's next Fetch is built as soon as its previous response has been handed
 *   to the stages, so fetching overlaps the subscribers' processing; stages call {@link wake} when
 *   demand arrives or records leave. Nothing polls: an idle scheduler holds no timer, and a timer
 *   exists only while something waits out a backoff (or, once a second, while a batch waits for
 *   more free budget than there is to decompress into).
 * - Errors never move a position (design.md §3.6): stale-leader errors re-route the partition after
 *   a metadata refresh and retry with backoff; connection failures and timeouts back the broker off
 *   and re-route its partitions; OFFSET_OUT_OF_RANGE goes to `onOffsetOutOfRange`; anything else the
 *   stage must decide about goes to `target.onFetchError`, and the partition is parked at its
 *   offset (no refetching of a corrupt batch in a loop) until the stage moves it.
 *
 * Not done: fetch sessions (KIP-227; every Fetch is a full one, session id 0, epoch -1), log
 * truncation detection after an unclean leader change (KIP-320), follower fetching (KIP-392).
 */
import { channel } from 'node:diagnostics_channel';
import type { Cluster } from '../cluster/cluster.js';
import { backoffDelay } from '../cluster/retry.js';
import { Fetch } from '../protocol/apis/fetch.js';
import { KafkaError } from '../protocol/error-codes.js';
import { CompressionError, CorruptRecordError, KafkaStageError } from '../protocol/errors.js';
import type { DecodedRecordBatches } from '../protocol/records/decode-batches.js';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { ByteBudget } from '../stage/byte-budget.js';
import { tpKey, type FetchTarget, type FetchWaker } from './contracts.js';
import type { AbortedTransaction } from './fetch-aborted.js';
import { decodeFetched, firstBatchSize } from './fetch-decode.js';
import { buildFetchRequest, FetchPartIndex, type FetchPart, type FetchResponsePartition } from './fetch-request.js';
import type { ResolvedConsumerCommon } from './options.js';
import { recordSizeInBytes } from './partition-stage.js';

/** Name of the `node:diagnostics_channel` channel on which every Fetch the scheduler sends is published. */
export const FETCH_CHANNEL = 'kafka-stage:fetch';

/** Published on {@link FETCH_CHANNEL} when a Fetch is sent. */
export interface FetchSentEvent {
  /** Node id of the broker. */
  broker: number;
  /** The partitions the Fetch covers, in request order. */
  partitions: { topic: string; partition: number; fetchOffset: number; maxBytes: number }[];
  /** Bytes reserved in the budget for the response. */
  reservedBytes: number;
}

/** The log bounds an OFFSET_OUT_OF_RANGE answer carried (-1 where the broker did not say). */
export interface OutOfRangeInfo {
  /** The offset that was asked for. */
  offset: number;
  logStartOffset: number;
  highWatermark: number;
  /** Node id of the broker that answered. */
  broker: number;
}

/** Fetch settings the scheduler needs: the consumer's fetch options plus the per-partition cap. */
export type FetchSchedulerSettings = ResolvedConsumerCommon['fetch'] & {
  /** Most bytes one partition may ask for in one Fetch (the partition buffer's byte bound). */
  maxBytesPerPartition: number;
};

/** What a {@link FetchScheduler} is built with. */
export interface FetchSchedulerOptions {
  cluster: Cluster;
  budget: ByteBudget;
  options: FetchSchedulerSettings;
  /**
   * A target's offset is outside the log. The target is parked until its `fetchOffset` changes or
   * the returned promise resolves (then it is fetched again from wherever it is); a rejection (or a
   * throw) goes to `target.onFetchError` and the target stays parked.
   */
  onOffsetOutOfRange(target: FetchTarget, info: OutOfRangeInfo): void | Promise<void>;
  /** Failures not tied to one partition: a broker failing past the retry count (fetching goes on), a bug. */
  onError(error: Error): void;
}

/** Counters of a {@link FetchScheduler}, for tests and metrics. */
export interface FetchSchedulerStats {
  /** Fetch requests sent. */
  fetches: number;
  /** Fetch requests sent per broker node id. */
  fetchesByBroker: Map<number, number>;
  /** How many Fetch requests included each partition, by `topic:partition`. */
  fetchesByPartition: Map<string, number>;
  /** Fetch requests that failed as a whole (connection, timeout, top-level error). */
  failedFetches: number;
  /** Per-partition errors answered. */
  partitionErrors: number;
  /** Partitions currently parked after an error their stage must act on. */
  parked: number;
  /** Targets registered. */
  targets: number;
}

/** Errors after which the partition's leader must be looked up again (the position stays). */
const REROUTE_CODES = new Set([
  3, // UNKNOWN_TOPIC_OR_PARTITION
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  9, // REPLICA_NOT_AVAILABLE
  56, // KAFKA_STORAGE_ERROR
  74, // FENCED_LEADER_EPOCH
  75, // UNKNOWN_LEADER_EPOCH
  100, // UNKNOWN_TOPIC_ID
  103, // INCONSISTENT_TOPIC_ID
]);
const OFFSET_OUT_OF_RANGE = 1;
/** Cap of the growth estimate (decompressed and buffered size over wire size). */
const MAX_GROWTH = 1000;
const EMPTY = Buffer.alloc(0);

/** The scheduler's view of one target. */
interface TargetState {
  readonly target: FetchTarget;
  readonly key: string;
  /** Leader it is fetched from; null until routed (or after an error that re-routes it). */
  leader: number | null;
  topicId: string;
  /** Leader epoch metadata gave with the leader. */
  metadataEpoch: number;
  /** No fetch before this `Date.now()`; 0 when not backing off. */
  retryAt: number;
  /** Consecutive failures, for the backoff. */
  failures: number;
  /** Parked at this offset after an error its stage must act on; null when not parked. */
  parkedAt: number | null;
  /** Smallest size that brings the next batch whole (after a response held only part of it); 0 when none owed. */
  minBytes: number;
  /**
   * Bytes a fetched byte becomes once buffered (decompression, record objects), estimated from
   * earlier responses: stages ask in wire bytes, the budget counts buffered bytes.
   */
  growth: number;
  /** Free budget the next batch needs to decompress into (it did not fit before); 0 when none. */
  needFree: number;
  /** Wire size of the largest batch of the latest answer: a smaller ask brings only a cut batch. */
  batchBytes: number;
  /** Part of the Fetch in flight to its leader. */
  inFlight: boolean;
}

/** The scheduler's view of one broker. */
interface BrokerState {
  readonly id: number;
  inFlight: Promise<void> | null;
  controller: AbortController | null;
  failures: number;
  retryAt: number;
  /** Rotates the request order so no partition always comes last. */
  rotation: number;
}

/** One partition of a Fetch in flight. */
interface SentPart extends FetchPart {
  state: TargetState;
  /** Budget bytes reserved for this partition's answer and not yet settled. */
  reserved: number;
}

/** A Fetch in flight: its parts and the budget reservation they still hold together. */
interface SentFetch {
  parts: SentPart[];
  unsettled: number;
}

const fetchChannel = channel(FETCH_CHANNEL);

/** Fetches for partition stages; see the module documentation. */
export class FetchScheduler implements FetchWaker {
  private readonly cluster: Cluster;
  private readonly budget: ByteBudget;
  private readonly settings: FetchSchedulerSettings;
  private readonly onOffsetOutOfRange: FetchSchedulerOptions['onOffsetOutOfRange'];
  private readonly onError: FetchSchedulerOptions['onError'];
  private readonly targets = new Map<string, TargetState>();
  private readonly brokers = new Map<number, BrokerState>();
  private running = false;
  private pumpQueued = false;
  private routing: Promise<void> | null = null;
  /** Set after an error that says metadata is stale: the next routing refreshes it. */
  private metadataStale = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly counters = { fetches: 0, failedFetches: 0, partitionErrors: 0 };
  private readonly fetchesByBroker = new Map<number, number>();
  private readonly fetchesByPartition = new Map<string, number>();
  /**
   * Growth seen across all partitions: the first guess for a new one. It starts at 2, cautious:
   * record objects alone add about half to 100-byte records, and compression adds more.
   */
  private growth = 2;

  constructor(options: FetchSchedulerOptions) {
    this.cluster = options.cluster;
    this.budget = options.budget;
    this.settings = options.options;
    this.onOffsetOutOfRange = options.onOffsetOutOfRange;
    this.onError = options.onError;
  }

  /** Starts fetching for the targets added (before or after). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /**
   * Stops: no new Fetch is sent, Fetches in flight are aborted (their responses are dropped, their
   * reservations returned), and the promise resolves once they have ended. Targets stay registered;
   * `start()` resumes.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    const pending: Promise<void>[] = [];
    for (const broker of this.brokers.values()) {
      broker.controller?.abort();
      if (broker.inFlight) pending.push(broker.inFlight);
    }
    if (this.routing) pending.push(this.routing);
    await Promise.all(pending);
  }

  /** Registers a target (replacing one of the same partition). Fetching for it starts on the next pass. */
  add(target: FetchTarget): void {
    const key = tpKey(target.topic, target.partition);
    if (this.targets.get(key)?.target === target) return;
    this.targets.set(key, {
      target,
      key,
      leader: null,
      topicId: '',
      metadataEpoch: -1,
      retryAt: 0,
      failures: 0,
      parkedAt: null,
      minBytes: 0,
      growth: this.growth,
      needFree: 0,
      batchBytes: 0,
      inFlight: false,
    });
    this.wake();
  }

  /** Unregisters a target; a response in flight for it is dropped. */
  remove(target: FetchTarget): void {
    const key = tpKey(target.topic, target.partition);
    if (this.targets.get(key)?.target === target) this.targets.delete(key);
  }

  /** Re-evaluates which partitions want a fetch, soon (once per turn, however often it is called). */
  wake(): void {
    if (this.pumpQueued || !this.running) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Counters since construction (copies). */
  stats(): FetchSchedulerStats {
    let parked = 0;
    for (const s of this.targets.values()) if (s.parkedAt !== null) parked++;
    return {
      ...this.counters,
      fetchesByBroker: new Map(this.fetchesByBroker),
      fetchesByPartition: new Map(this.fetchesByPartition),
      parked,
      targets: this.targets.size,
    };
  }

  /** One pass: drop inactive targets, route unrouted ones, send a Fetch to every idle broker with demand. */
  private pump(): void {
    if (!this.running) return;
    const now = Date.now();
    let wakeAt = Infinity;
    let unrouted = false;
    const ready = new Map<number, TargetState[]>();
    for (const s of this.targets.values()) {
      if (!s.target.active) {
        this.targets.delete(s.key);
        continue;
      }
      if (s.parkedAt !== null) {
        // The stage moved the position (seek, reset): the error was about the old one.
        if (s.target.fetchOffset === s.parkedAt) continue;
        s.parkedAt = null;
      }
      if (s.inFlight) continue;
      if (s.retryAt > now) {
        wakeAt = Math.min(wakeAt, s.retryAt);
        continue;
      }
      if (s.leader === null) {
        unrouted = true;
        continue;
      }
      const list = ready.get(s.leader);
      if (list) list.push(s);
      else ready.set(s.leader, [s]);
    }
    if (unrouted) this.route();
    for (const [id, states] of ready) {
      const broker = this.broker(id);
      if (broker.inFlight) continue;
      if (broker.retryAt > now) {
        wakeAt = Math.min(wakeAt, broker.retryAt);
        continue;
      }
      this.fetchFrom(broker, states);
    }
    if (wakeAt !== Infinity) this.armTimer(wakeAt);
  }

  private broker(id: number): BrokerState {
    let broker = this.brokers.get(id);
    if (!broker) {
      broker = { id, inFlight: null, controller: null, failures: 0, retryAt: 0, rotation: 0 };
      this.brokers.set(id, broker);
    }
    return broker;
  }

  /** Sends one Fetch to `broker` for those of `states` that want bytes, if any do. */
  private fetchFrom(broker: BrokerState, states: TargetState[]): void {
    // A partition owed a whole batch goes first: only the first partition the broker fills may
    // exceed its limit, so that is where an oversized batch can arrive whole.
    const owed = states.filter((s) => s.minBytes > 0);
    const rest = states.filter((s) => s.minBytes === 0);
    const turn = rest.length > 0 ? broker.rotation++ % rest.length : 0;
    const ordered = [...owed, ...rest.slice(turn), ...rest.slice(0, turn)];
    const parts: SentPart[] = [];
    let left = this.budget.free;
    let total = 0;
    // No partition may hold more than its share of the budget: partitions whose subscribers stall
    // must leave room for the others (design.md §2.5).
    const share = Math.max(this.settings.minPartitionBytes, Math.floor(this.budget.limit / Math.max(1, this.targets.size)));
    for (const s of ordered) {
      if (left <= 0) break;
      if (s.needFree > left) {
        // Its next batch needs more room than is free: look again once records have left (or after a while).
        this.armTimer(Date.now() + this.cluster.options.retry.maxBackoffMs);
        continue;
      }
      const room = Math.min(left, share - (s.target.bufferedBytes ?? 0));
      if (room <= 0) continue;
      // The stage sizes its ask in wire bytes; the budget counts what they grow into, estimated here
      // from the answers seen. Before a partition's first answer the stage cannot know its growth:
      // the estimate of all partitions (cautious at first) caps the ask.
      const asked = s.target.fetchBytesWanted(room);
      if (asked <= 0) continue;
      const wire = Math.min(asked, Math.ceil(room / s.growth), this.settings.maxBytesPerPartition);
      const wanted = Math.min(room, Math.ceil(wire * s.growth));
      // Never less than a batch: the broker cannot split one, and a cut batch costs a round trip.
      // The budget may be overshot by that batch (ByteBudget.settle).
      const bytes = Math.max(wire, s.minBytes, s.batchBytes);
      parts.push({
        state: s,
        topic: s.target.topic,
        topicId: s.topicId,
        partition: s.target.partition,
        fetchOffset: s.target.fetchOffset,
        currentLeaderEpoch: Math.max(s.target.leaderEpoch, s.metadataEpoch),
        partitionMaxBytes: bytes,
        reserved: wanted,
      });
      left -= wanted;
      total += wanted;
    }
    if (parts.length === 0) return;
    const reserved = this.budget.reserve(total);
    // Each part's share of what was granted (all of it, since every ask fitted what was free).
    let grant = reserved;
    for (const p of parts) {
      p.reserved = Math.min(p.reserved, grant);
      grant -= p.reserved;
    }
    const sent: SentFetch = { parts, unsettled: reserved };
    for (const p of parts) {
      p.state.inFlight = true;
      this.fetchesByPartition.set(p.state.key, (this.fetchesByPartition.get(p.state.key) ?? 0) + 1);
    }
    this.counters.fetches++;
    this.fetchesByBroker.set(broker.id, (this.fetchesByBroker.get(broker.id) ?? 0) + 1);
    if (fetchChannel.hasSubscribers) {
      const event: FetchSentEvent = {
        broker: broker.id,
        partitions: parts.map((p) => ({ topic: p.topic, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes })),
        reservedBytes: reserved,
      };
      fetchChannel.publish(event);
    }
    const controller = new AbortController();
    broker.controller = controller;
    broker.inFlight = this.runFetch(broker, sent, controller.signal).finally(() => {
      for (const p of parts) this.settle(sent, p);
      for (const p of parts) p.state.inFlight = false;
      broker.inFlight = null;
      broker.controller = null;
      // The next Fetch goes out now, while the subscribers work through what this one brought.
      this.wake();
    });
  }

  /** Ends the reservation of one part: what it brought is now held by its stage (or nothing was). */
  private settle(sent: SentFetch, part: SentPart): void {
    if (part.reserved === 0) return;
    this.budget.settle(part.reserved, 0);
    sent.unsettled -= part.reserved;
    part.reserved = 0;
  }

  private async runFetch(broker: BrokerState, sent: SentFetch, signal: AbortSignal): Promise<void> {
    const settings = this.settings;
    const parts = sent.parts;
    let answer;
    try {
      answer = await this.cluster.requestWithVersion(
        broker.id,
        Fetch,
        () => buildFetchRequest(parts, { maxWaitMs: settings.maxWaitMs, minBytes: settings.minBytes, readCommitted: settings.isolationLevel === 'read_committed' }),
        { timeoutMs: this.cluster.options.requestTimeoutMs + settings.maxWaitMs, signal },
      );
      if (answer.response.errorCode !== 0) throw new KafkaError(answer.response.errorCode, { api: 'Fetch', broker: broker.id });
    } catch (err) {
      if (!signal.aborted && this.running) this.brokerFailed(broker, parts, err);
      return;
    }
    broker.failures = 0;
    if (answer.response.throttleTimeMs > 0) broker.retryAt = Date.now() + answer.response.throttleTimeMs; // KIP-219: the broker asks us to wait
    const index = new FetchPartIndex(answer.version, parts);
    for (const topic of answer.response.responses) {
      for (const data of topic.partitions) {
        const part = index.find(topic, data.partitionIndex);
        if (!part || signal.aborted) continue;
        try {
          await this.deliver(broker, part, data, sent);
        } catch (err) {
          // A stage that throws from onFetched has a bug; the other partitions must not pay for it.
          this.onError(asError(err));
        } finally {
          // Settled as each partition is dealt with, not when the whole response is.
          this.settle(sent, part);
        }
      }
    }
  }

  /** True while the response to `part` may still be given to its target. */
  private isCurrent(part: SentPart): boolean {
    const s = part.state;
    // Removed, revoked or re-added while the Fetch was out, or moved by a seek: the data is stale.
    return this.targets.get(s.key) === s && s.target.active && s.target.fetchOffset === part.fetchOffset;
  }

  /** Hands one partition's answer to its target, or deals with its error. */
  private async deliver(broker: BrokerState, part: SentPart, data: FetchResponsePartition, sent: SentFetch): Promise<void> {
    if (!this.isCurrent(part)) return;
    const s = part.state;
    if (data.errorCode !== 0) {
      this.partitionFailed(broker, part, data);
      return;
    }
    const bytes = data.records ?? EMPTY;
    let decoded: DecodedRecordBatches;
    // The decompressed size may use what is free in the budget plus what this Fetch still has reserved.
    const allowance = this.budget.free + sent.unsettled;
    try {
      const result = this.decode(bytes, allowance);
      decoded = result instanceof Promise ? await result : result; // no microtask when decoding was synchronous
    } catch (err) {
      // The batches before a bad one are sound: hand them out, and the next Fetch starts at the bad one.
      const cut = badBatchAt(err);
      try {
        if (cut <= 0) throw err;
        decoded = await this.decode(bytes.subarray(0, cut), allowance);
      } catch {
        this.decodeFailed(broker, part, err, allowance);
        return;
      }
    }
    if (!this.isCurrent(part)) return;
    if (decoded.batches.length === 0 && decoded.truncatedTail) {
      if (!this.oweWholeBatch(broker, part, bytes)) return;
    } else {
      s.minBytes = 0;
    }
    this.learnGrowth(s, decoded);
    s.failures = 0;
    s.needFree = 0;
    // The reservation ends as the stage starts holding the records, so no byte is counted twice.
    this.settle(sent, part);
    s.target.onFetched(decoded.batches, {
      highWatermark: Number(data.highWatermark),
      lastStableOffset: Number(data.lastStableOffset),
      logStartOffset: Number(data.logStartOffset),
      abortedTransactions: data.abortedTransactions ? data.abortedTransactions.map(toAborted) : null,
      fetchOffset: part.fetchOffset,
    });
  }

  /** Updates the growth estimates from a decoded response: buffered size of its records over its bytes. */
  private learnGrowth(s: TargetState, decoded: DecodedRecordBatches): void {
    if (decoded.bytesRead === 0) return;
    let held = 0;
    let largest = 0;
    for (const batch of decoded.batches) {
      if (batch.sizeInBytes > largest) largest = batch.sizeInBytes;
      const records = batch.records;
      for (let i = 0; i < records.length; i++) held += recordSizeInBytes(records[i] as KafkaRecord);
    }
    s.batchBytes = Math.min(largest, this.cluster.options.maxResponseBytes);
    const seen = Math.min(MAX_GROWTH, Math.max(1, held / decoded.bytesRead));
    // Halfway to the latest figure: follows a change of codec or record size within a few responses.
    s.growth = (s.growth + seen) / 2;
    this.growth = (this.growth + seen) / 2;
  }

  private decode(bytes: Buffer, allowance: number): DecodedRecordBatches | Promise<DecodedRecordBatches> {
    return decodeFetched(bytes, { verifyCrc: this.settings.verifyCrc, maxDecompressedBytes: allowance });
  }

  /**
   * The answer held only part of the next batch: the next Fetch asks for at least all of it, first
   * in its request. False (and the target told) when the batch can never fit a response.
   */
  private oweWholeBatch(broker: BrokerState, part: SentPart, bytes: Buffer): boolean {
    const s = part.state;
    const needed = Math.max(firstBatchSize(bytes) ?? part.partitionMaxBytes * 2, part.partitionMaxBytes + 1);
    const ceiling = this.cluster.options.maxResponseBytes;
    if (needed > ceiling) {
      this.park(s);
      s.target.onFetchError(
        new KafkaStageError('ERR_PROTOCOL', `a record batch of ${part.topic}/${part.partition} (${needed} bytes) does not fit in ${ceiling} bytes (maxResponseBytes)`, {
          context: { topic: part.topic, partition: part.partition, broker: broker.id, api: 'Fetch', offset: part.fetchOffset },
        }),
      );
      return false;
    }
    s.minBytes = needed;
    return true;
  }

  private partitionFailed(broker: BrokerState, part: SentPart, data: FetchResponsePartition): void {
    const s = part.state;
    const code = data.errorCode;
    this.counters.partitionErrors++;
    const context = { topic: part.topic, partition: part.partition, api: 'Fetch', broker: broker.id, offset: part.fetchOffset };
    if (code === OFFSET_OUT_OF_RANGE) {
      this.park(s);
      const parkedAt = s.parkedAt;
      const info: OutOfRangeInfo = {
        offset: part.fetchOffset,
        logStartOffset: Number(data.logStartOffset),
        highWatermark: Number(data.highWatermark),
        broker: broker.id,
      };
      const unpark = (): void => {
        if (s.parkedAt === parkedAt) s.parkedAt = null;
        this.wake();
      };
      const failed = (err: unknown): void => s.target.onFetchError(asError(err));
      try {
        const outcome = this.onOffsetOutOfRange(s.target, info);
        if (outcome instanceof Promise) outcome.then(unpark, failed);
      } catch (err) {
        failed(err);
      }
      return;
    }
    const error = new KafkaError(code, context);
    if (REROUTE_CODES.has(code)) {
      // The position stays; only where it is fetched from changes.
      s.leader = null;
      this.metadataStale = true;
      this.backOff(s);
    } else if (error.retriable) {
      this.backOff(s);
    } else {
      this.park(s);
      s.target.onFetchError(error);
    }
  }

  private decodeFailed(broker: BrokerState, part: SentPart, err: unknown, allowance: number): void {
    const s = part.state;
    this.counters.partitionErrors++;
    const where = { topic: part.topic, partition: part.partition, broker: broker.id, api: 'Fetch', offset: part.fetchOffset };
    const overBound = err instanceof CompressionError && err.context.maxBytes !== undefined;
    if (overBound && allowance < this.budget.limit) {
      // Too big for the room left now, not for the budget: try again once there is more room.
      s.needFree = allowance + 1;
      this.backOff(s);
      return;
    }
    this.park(s);
    if (err instanceof CorruptRecordError) s.target.onFetchError(new CorruptRecordError(err.message, { ...err.context, ...where }, err));
    else if (err instanceof CompressionError) s.target.onFetchError(new CompressionError(err.message, { ...err.context, ...where }, err));
    else s.target.onFetchError(asError(err));
  }

  /** A whole Fetch failed: back the broker off, re-route its partitions after a metadata refresh. */
  private brokerFailed(broker: BrokerState, parts: SentPart[], err: unknown): void {
    this.counters.failedFetches++;
    broker.failures++;
    broker.retryAt = Date.now() + backoffDelay(broker.failures, this.cluster.options.retry);
    this.metadataStale = true;
    for (const p of parts) if (this.targets.get(p.state.key) === p.state) p.state.leader = null;
    const error = asError(err);
    // Fetching goes on whatever happens (positions are never given up). Say so once per run of
    // failures: at the first when retrying cannot help by itself, else when the retries run out.
    const retriable = error instanceof KafkaStageError && error.retriable;
    if ((!retriable && broker.failures === 1) || broker.failures === this.cluster.options.retry.retries + 1) this.onError(error);
    this.armTimer(broker.retryAt);
  }

  private park(s: TargetState): void {
    s.parkedAt = s.target.fetchOffset;
    s.minBytes = 0;
  }

  private backOff(s: TargetState): void {
    s.failures++;
    s.retryAt = Date.now() + backoffDelay(s.failures, this.cluster.options.retry);
    this.armTimer(s.retryAt);
  }

  /**
   * Finds the leader of every unrouted target, refreshing metadata when it is stale, old or lacks a
   * topic. One routing pass runs at a time; targets it cannot place back off and try again.
   */
  private route(): void {
    if (this.routing) return;
    this.routing = this.routeOnce()
      .catch((err: unknown) => this.onError(asError(err)))
      .finally(() => {
        this.routing = null;
        this.wake();
      });
  }

  private async routeOnce(): Promise<void> {
    const now = Date.now();
    const pending = [...this.targets.values()].filter((s) => s.leader === null && s.parkedAt === null && s.retryAt <= now);
    if (pending.length === 0) return;
    const topics = [...new Set(pending.map((s) => s.target.topic))];
    const known = this.cluster.metadata;
    const old = !known || now - known.fetchedAt > this.cluster.options.metadataMaxAgeMs;
    if (this.metadataStale || old || topics.some((t) => !known.topics.has(t))) {
      this.metadataStale = false;
      try {
        await this.cluster.refreshMetadata(topics);
      } catch {
        // The refresh retried already; the targets wait their backoff and ask again.
        for (const s of pending) this.backOff(s);
        this.metadataStale = true;
        return;
      }
    }
    const metadata = this.cluster.metadata;
    for (const s of pending) {
      if (this.targets.get(s.key) !== s) continue;
      const topic = metadata?.topics.get(s.target.topic);
      const p = topic?.partitions[s.target.partition];
      if (!topic || !p || p.leader < 0 || !metadata?.brokers.has(p.leader)) {
        // Unknown topic or no leader yet: transient as far as fetching can tell (the group rebalances deleted topics away).
        this.metadataStale = true;
        this.backOff(s);
        continue;
      }
      s.leader = p.leader;
      s.topicId = topic.topicId;
      s.metadataEpoch = p.leaderEpoch;
    }
  }

  private armTimer(at: number): void {
    if (!this.running || at >= this.timerAt) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(1, at - Date.now()),
    );
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}

function toAborted(a: AbortedTransaction): { producerId: bigint; firstOffset: number } {
  return { producerId: a.producerId, firstOffset: Number(a.firstOffset) };
}

/** Where the batch a decode error is about starts in the fetched bytes, or -1 when unknown. */
function badBatchAt(err: unknown): number {
  if (!(err instanceof CorruptRecordError || err instanceof CompressionError)) return -1;
  const at = err.context.batchAt ?? err.context.at;
  return typeof at === 'number' ? at : -1;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
