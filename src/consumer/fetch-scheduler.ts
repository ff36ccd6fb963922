/**
 * The fetch scheduler: turns the demand of partition stages into Fetch requests, one per broker at a
 * time, sized by demand and the memory budget, so that a stalled partition never slows another.
 *
 * - One Fetch per broker in flight at a time, covering every target that broker leads whose
 *   `fetchBytesWanted` is above 0. A target with a full buffer or no uncovered demand is left out;
 *   a broker with no such target gets no Fetch at all.
 * - Sizes come from demand and budget: each partition asks for what its stage wants out of what is
 *   left of the consumer-wide {@link ByteBudget} (at most a fair share of it per partition). The
 *   sum is reserved before sending; each partition's part is settled (`settle(reserved, 0)`) as its
 *   answer is handed to its stage, which accounts for what it buffers (`settle(0, bytes)`, then
 *   `release`). Stages count buffered (decompressed) bytes, brokers count wire bytes: the partition
 *   ask (`fetchBytesWanted`) is in wire bytes, and the reservation is what the part may bring:
 *   its `partitionMaxBytes` times the growth its stage has seen (the stage owns that estimate).
 * - Memory bound: held + reserved stays within the budget's limit plus one batch per broker. Only
 *   the first partition of a request may ask past its room (a whole batch it is owed, longest owed
 *   first), and an answer is cut before it is decoded and buffered: to whole
 *   batches within what each partition asked, then within its reservation plus the free budget,
 *   with one first batch per answer allowed past that (KIP-74's whole first batch), and within the
 *   partition's buffer bound plus one batch. What is cut off is dropped and fetched again later;
 *   the stage's position ends where the kept batches end.
 * - Liveness: a target passed over is asked `fetchBytesWanted(0)`, so that it wakes the scheduler
 *   once it wants bytes again (FetchTarget's wake-up rule).
 * - Event-driven and pipelined: a broker's next Fetch is built as soon as its previous response
 *   arrives, before that response is decoded: its partitions are planned from where their answers
 *   will leave them, read from the batch headers (fetch-ahead.ts), with those answers' records
 *   counted as buffered. Each partition asks for at most half its buffer (partition-buffer.ts), so
 *   there is room for the next ask while the last answer is decoded and taken: the round trip
 *   overlaps the decoding and the subscribers' work instead of following it. A guess that proves
 *   wrong (the stage ended elsewhere) costs one dropped answer, never a record. Answers are handled
 *   in the order they came. Stages call {@link wake} when demand arrives or records leave. Nothing polls: an idle scheduler holds no timer, and a timer
 *   exists only while something waits out a backoff (or, once a second, while a batch waits for
 *   more free budget than there is to decompress into).
 * - Errors never move a position (a transient error never resets an offset): stale-leader errors re-route the partition after
 *   a metadata refresh and retry with backoff; connection failures and timeouts back the broker off
 *   and re-route its partitions; OFFSET_OUT_OF_RANGE goes to `onOffsetOutOfRange`; anything else the
 *   stage must decide about goes to `target.onFetchError`, and the partition is parked at its
 *   offset (no refetching of a corrupt batch in a loop) until the stage moves it. Answers that make
 *   no progress end in a NoProgressError after a bounded number of rounds; CORRUPT_MESSAGE,
 *   KAFKA_STORAGE_ERROR and absurd throttle times are reported and bounded.
 *
 * Not done: fetch sessions (KIP-227; every Fetch is a full one, session id 0, epoch -1), log
 * truncation detection after an unclean leader change (KIP-320), follower fetching (KIP-392).
 */
import { channel } from 'node:diagnostics_channel';
import type { Cluster } from '../cluster/cluster.js';
import { backoffDelay } from '../cluster/retry.js';
import { Fetch } from '../protocol/apis/fetch.js';
import { kafkaErrorOf } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import type { ByteBudget } from '../stage/byte-budget.js';
import { tpKey } from './contracts.js';
import type { FetchSchedulerSettings, FetchTarget, FetchWaker, OutOfRangeInfo } from './fetch-target.js';
import { AnswerHandler } from './fetch-answer.js';
import { ReportLimiter } from '../cluster/report-limiter.js';
import { MAX_THROTTLE_MS, REPORT_INTERVAL_MS } from './fetch-error-policy.js';
import { passOver, planFetch } from './fetch-plan.js';
import { needsRefresh, placeTarget, planPass } from './fetch-routing.js';
import { buildFetchRequest, FetchPartIndex, type FetchResponsePartition } from './fetch-request.js';
import { readAhead, type AnswerAhead } from './fetch-ahead.js';
import { cutToAsked } from './fetch-bounds.js';
import { newTargetState, type BrokerState, type SentFetch, type SentPart, type TargetState } from './fetch-state.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { DeadlineTimer } from '../util/deadline-timer.js';

export type { FetchSchedulerSettings, OutOfRangeInfo } from './fetch-target.js';

/** Name of the `node:diagnostics_channel` channel on which every Fetch the scheduler sends is published. */
export const FETCH_CHANNEL = 'kafka-stage:fetch';

/** One partition of a sent Fetch, as {@link FetchSentEvent} reports it. */
export interface FetchSentPartition extends TopicPartition {
  fetchOffset: number;
  maxBytes: number;
}

/** Published on {@link FETCH_CHANNEL} when a Fetch is sent. */
export interface FetchSentEvent {
  /** Node id of the broker. */
  broker: number;
  /** The partitions the Fetch covers, in request order. */
  partitions: FetchSentPartition[];
  /** Bytes reserved in the budget for the response. */
  reservedBytes: number;
}

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
  /**
   * Failures fetching goes on through, to report: a broker failing past the retry count, a partition
   * answered CORRUPT_MESSAGE or KAFKA_STORAGE_ERROR (rate-limited, naming partition and broker), a
   * throttle time past the cap, a bug.
   */
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
  private readonly timer = new DeadlineTimer(() => this.pump());
  private readonly counters = { fetches: 0, failedFetches: 0, partitionErrors: 0 };
  private readonly fetchesByBroker = new Map<number, number>();
  private readonly fetchesByPartition = new Map<string, number>();
  private readonly reports = new ReportLimiter(REPORT_INTERVAL_MS);
  /** Sequence of targets becoming owed a batch (TargetState.owedSince). */
  private owedCount = 0;

  private readonly answers: AnswerHandler;

  constructor(options: FetchSchedulerOptions) {
    this.cluster = options.cluster;
    this.budget = options.budget;
    this.settings = options.options;
    this.onOffsetOutOfRange = options.onOffsetOutOfRange;
    this.onError = options.onError;
    this.answers = new AnswerHandler({
      budget: this.budget,
      settings: this.settings,
      clusterOptions: this.cluster.options,
      reports: this.reports,
      isCurrent: (part) => this.isCurrent(part),
      owns: (s) => this.targets.get(s.key) === s && s.target.active,
      settle: (sent, part) => this.settle(sent, part),
      park: (s) => this.park(s),
      backOff: (s) => this.backOff(s),
      reroute: (s) => {
        // The position stays; only where it is fetched from changes.
        s.leader = null;
        this.metadataStale = true;
      },
      armTimer: (at) => this.armTimer(at),
      wake: () => this.wake(),
      nextOwedSeq: () => ++this.owedCount,
      countPartitionError: () => {
        this.counters.partitionErrors++;
      },
      onError: (error) => this.onError(error),
      onOffsetOutOfRange: (target, info) => this.onOffsetOutOfRange(target, info),
    });
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
    this.timer.disarm();
    const pending: Promise<void>[] = [];
    for (const broker of this.brokers.values()) {
      for (const [run, controller] of broker.running) {
        controller.abort();
        pending.push(run);
      }
    }
    if (this.routing) pending.push(this.routing);
    await Promise.all(pending);
  }

  /** Registers a target (replacing one of the same partition). Fetching for it starts on the next pass. */
  add(target: FetchTarget): void {
    const key = tpKey(target.topic, target.partition);
    if (this.targets.get(key)?.target === target) return;
    this.targets.set(key, newTargetState(target, key));
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
    const pass = planPass(this.targets.values(), now);
    for (const s of pass.inactive) this.targets.delete(s.key);
    for (const s of pass.unparked) s.parkedAt = null;
    let wakeAt = pass.wakeAt;
    if (pass.unrouted) this.route();
    for (const [id, states] of pass.ready) {
      const broker = this.broker(id);
      if (broker.requesting) continue;
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
      broker = { id, requesting: false, running: new Map(), handling: null, failures: 0, retryAt: 0, rotation: 0 };
      this.brokers.set(id, broker);
    }
    return broker;
  }

  /** Sends one Fetch to `broker` for those of `states` that want bytes, if any do. */
  private fetchFrom(broker: BrokerState, states: TargetState[]): void {
    const even = Math.floor(this.budget.limit / Math.max(1, this.targets.size));
    const share = Math.max(this.settings.minPartitionBytes, even);
    const contended = even < this.settings.minPartitionBytes;
    const plan = planFetch(states, broker.rotation, { budget: this.budget, share, maxBytesPerPartition: this.settings.maxBytesPerPartition, contended });
    if (plan.waitsForRoom) this.armTimer(Date.now() + this.cluster.options.retry.maxBackoffMs);
    // Not early when it would shrink: every part is planned again when the answer is handed over.
    if (plan.shrinking) return;
    const parts = plan.parts;
    let total = 0;
    for (const p of parts) total += p.reserved;
    if (parts.length === 0) return;
    // The order rotates by one per Fetch sent, not per plan: plans that send nothing would move the
    // first place (the only one where a batch larger than its room comes whole) by the number of
    // plans per round, and partitions larger than their share that are never first would starve.
    broker.rotation++;
    const reserved = this.budget.reserve(total);
    // Each part's share of what was granted (all of it, since every ask fitted what was free).
    let grant = reserved;
    for (const p of parts) {
      p.reserved = Math.min(p.reserved, grant);
      grant -= p.reserved;
    }
    const sent: SentFetch = { parts, unsettled: reserved, slack: true, answered: false };
    for (const p of parts) {
      p.state.inFlight = sent;
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
    broker.requesting = true;
    const run = this.runFetch(broker, sent, controller.signal)
      .catch((err: unknown) => this.onError(asError(err)))
      .finally(() => broker.running.delete(run));
    broker.running.set(run, controller);
  }

  /**
   * A Fetch has ended (answered and handed out, failed or aborted): its reservations end, its
   * partitions may be fetched again, and the broker's next Fetch is planned at once, in the same
   * turn: before the subscribers (woken by microtasks) start on what this one brought, so that its
   * round trip overlaps their work instead of following it.
   */
  private fetchEnded(broker: BrokerState, sent: SentFetch): void {
    for (const p of sent.parts) {
      this.settle(sent, p);
      const s = p.state;
      // A part read ahead may be in the broker's next Fetch already: that one owns it now.
      if (s.inFlight === sent) s.inFlight = null;
      if (s.ahead !== null && s.ahead.sent === sent) s.ahead = null;
    }
    if (!sent.answered) broker.requesting = false;
    this.pump();
  }

  /**
   * An answer has arrived: the broker may take the next Fetch now. Every part whose answer can be
   * read ahead (fetch-ahead.ts) is planned from where that answer will leave it, with its records
   * counted as held, and the next Fetch is sent at once: its round trip overlaps the decoding of
   * this answer and the subscribers' work on it. A guess that turns out wrong costs one wasted
   * part (its answer is dropped, as for any position the stage has left), never a record.
   */
  private answered(broker: BrokerState, sent: SentFetch, answers: readonly [SentPart, FetchResponsePartition][]): void {
    sent.answered = true;
    broker.requesting = false;
    const read: [SentPart, AnswerAhead][] = [];
    for (const [part, data] of answers) {
      if (data.errorCode !== ErrorCode.NONE || !data.records || data.records.length === 0 || !this.isCurrent(part)) continue;
      const wire = cutToAsked(data.records, part.partitionMaxBytes, part.keepBytes);
      const ahead = wire.oversizedFirst > 0 ? null : readAhead(wire.end === data.records.length ? data.records : data.records.subarray(0, wire.end), part.fetchOffset);
      // The memory bound allows one batch past the budget per broker. Read ahead, the next Fetch
      // reserves what is free before this answer is held, so this answer must hold no more than it
      // reserved: any part that may not (unreadable ahead, or larger than its reservation at the
      // growth seen) and nothing of the answer is read ahead.
      // The growth is an estimate: a partition whose answer read ahead was refused for holding more
      // than it reserved is not read ahead again until an answer of it is held.
      if (ahead === null || part.state.aheadRefused || Math.ceil(ahead.wireBytes * part.state.target.growth) > part.reserved) return;
      read.push([part, ahead]);
    }
    if (read.length === 0) return;
    // Held to its reservation plus what is free (no batch past it: the next Fetch has that licence).
    sent.slack = false;
    for (const [part, ahead] of read) {
      part.state.ahead = { ...ahead, sent };
      part.state.inFlight = null;
    }
    this.pump();
    if (broker.requesting) return;
    // No Fetch took the licence (nothing wanted bytes yet): the answer keeps it, and is handled as
    // one not read ahead. Else a batch larger than the budget, which only the licence admits, would
    // be refused again and again with no other Fetch to take it.
    sent.slack = true;
    for (const [part] of read) {
      if (part.state.ahead?.sent !== sent) continue;
      part.state.ahead = null;
      part.state.inFlight = sent;
    }
  }

  /** Ends the reservation of one part: what it brought is now held by its stage (or nothing was). */
  private settle(sent: SentFetch, part: SentPart): void {
    if (part.reserved === 0) return;
    this.budget.settle(part.reserved, 0);
    sent.unsettled -= part.reserved;
    part.reserved = 0;
  }

  /**
   * Sends the Fetch and deals with its answer. Written so that nothing yields between the answer's
   * arrival and the next Fetch being planned (fetchEnded) unless decompression or an earlier answer
   * must be waited for: a synchronous answer is handled whole before any subscriber runs.
   */
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
      if (answer.response.errorCode !== ErrorCode.NONE) throw kafkaErrorOf(answer.response.errorCode, { api: 'Fetch', broker: broker.id });
    } catch (err) {
      if (!signal.aborted && this.running) this.brokerFailed(broker, parts, err);
      this.fetchEnded(broker, sent);
      return;
    }
    broker.failures = 0;
    if (answer.response.throttleTimeMs > 0) this.throttle(broker, answer.response.throttleTimeMs);
    // Answers are handled in the order they came: wait for the previous one (still decompressing).
    const previous = broker.handling;
    let handled = (): void => undefined;
    const mine = new Promise<void>((resolve) => (handled = resolve));
    broker.handling = mine;
    try {
      // Each partition's answer paired with what was asked of it, once for read-ahead and handling.
      const index = new FetchPartIndex(answer.version, parts);
      const answers: [SentPart, FetchResponsePartition][] = [];
      for (const topic of answer.response.responses) {
        for (const data of topic.partitions) {
          const part = index.find(topic, data.partitionIndex);
          if (part) answers.push([part, data]);
        }
      }
      this.answered(broker, sent, answers);
      if (previous) await previous;
      for (const [part, data] of answers) {
        if (signal.aborted) break;
        // Awaited only when decompression is asynchronous.
        const pending = this.handlePart(broker, sent, part, data);
        if (pending) await pending;
      }
    } finally {
      handled();
      if (broker.handling === mine) broker.handling = null;
      this.fetchEnded(broker, sent);
    }
  }

  /** Hands one partition's answer over; settles its reservation whatever happens. */
  private handlePart(broker: BrokerState, sent: SentFetch, part: SentPart, data: FetchResponsePartition): void | Promise<void> {
    let pending: void | Promise<void> = undefined;
    try {
      pending = this.answers.handle(broker, part, data, sent);
    } catch (err) {
      // A stage that throws from onFetched has a bug; the other partitions must not pay for it.
      this.onError(asError(err));
    }
    if (!pending) {
      this.partHandled(sent, part);
      return;
    }
    return pending.then(
      () => this.partHandled(sent, part),
      (err: unknown) => {
        this.onError(asError(err));
        this.partHandled(sent, part);
      },
    );
  }

  /** Settled as each partition is dealt with, not when the whole response is; its read-ahead is over. */
  private partHandled(sent: SentFetch, part: SentPart): void {
    this.settle(sent, part);
    if (part.state.ahead?.sent === sent) part.state.ahead = null;
  }

  /** True while the response to `part` may still be given to its target. */
  private isCurrent(part: SentPart): boolean {
    const s = part.state;
    // Removed, revoked or re-added while the Fetch was out, or moved by a seek: the data is stale.
    return this.targets.get(s.key) === s && s.target.active && s.target.fetchOffset === part.fetchOffset;
  }

  /** KIP-219: the broker asks to be left alone for a while; honoured up to the cap, an absurd one reported. */
  private throttle(broker: BrokerState, ms: number): void {
    const cap = this.settings.maxThrottleMs ?? MAX_THROTTLE_MS;
    if (ms > cap && this.reports.allow(`throttle:${broker.id}`, Date.now())) {
      this.onError(
        new KafkaStageError('ERR_PROTOCOL', `broker ${broker.id} asked for a throttle time of ${ms} ms; waiting ${cap} ms (the most honoured) instead`, {
          context: { broker: broker.id, api: 'Fetch', throttleTimeMs: ms, honouredMs: cap },
          retriable: true,
        }),
      );
    }
    broker.retryAt = Date.now() + Math.min(ms, cap);
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
    s.owedFloor = 0;
    // Parked targets are not asked while parked: the stage must hear it was passed over, so that
    // a seek (which unparks it) wakes the scheduler again.
    passOver(s);
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
    if (needsRefresh(this.cluster.metadata, topics, this.metadataStale, now, this.cluster.options.metadataMaxAgeMs)) {
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
      const place = placeTarget(metadata, s.target.topic, s.target.partition);
      if (place === null) {
        this.metadataStale = true;
        this.backOff(s);
        continue;
      }
      s.leader = place.leader;
      s.topicId = place.topicId;
      s.metadataEpoch = place.leaderEpoch;
    }
  }

  private armTimer(at: number): void {
    if (this.running) this.timer.armAt(at);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
