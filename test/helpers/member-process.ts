/**
 * One consumer-group member in a process of its own, for the reliability scenarios:
 *
 *   node --import tsx test/helpers/member-process.ts '<MemberConfig as JSON>'
 *
 * It joins the group, prints `ready` on stdout once `start()` resolved, and records everything it
 * sees through the recorder (recorder.ts) into `config.logFile`. SIGTERM stops it cleanly
 * (`group.stop()`: drain, commit, leave), then it logs `stopped` and exits 0. A SIGKILL leaves the
 * log intact up to the kill: every line is written synchronously.
 *
 * Behaviours (config): a handler delay per batch; acks in order or shuffled one record at a time
 * (so commits happen while gaps wait); a "late acker" that, when its partition's abort signal
 * fires, holds the unacked records beyond the drain timeout and acks them after the revoke; and a
 * "stall" mode that takes one batch and never asks again, sampling RSS and Fetch counts.
 */
import { subscribe } from 'node:diagnostics_channel';
import { setTimeout as delay } from 'node:timers/promises';
import { ConsumerGroup, type SubscriberFactory } from '../../src/consumer/consumer-group.js';
import { FETCH_CHANNEL, type FetchSentEvent } from '../../src/consumer/fetch-scheduler.js';
import { REQUEST_CHANNEL } from '../../src/network/request-report.js';
import type { RequestEvent } from '../../src/network/connection-options.js';
import type { AssignorName, BufferOptions, CommitOptions } from '../../src/consumer/options.js';
import type { ConsumerBatch } from '../../src/consumer/types.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { Recorder } from './recorder.js';

/** What a member process is told to be (passed as JSON in argv[2]). */
export interface MemberConfig {
  /** Name in the logs; unique per process of a run. */
  member: string;
  /** JSON-lines file this member appends to. */
  logFile: string;
  brokers: string[];
  groupId: string;
  /** The topic it subscribes to (and whose fetches `sample` lines count). */
  topic: string;
  /** `consumer`: the KIP-848 protocol (ConsumerGroupHeartbeat). Default: the group's (`classic`). */
  groupProtocol?: 'classic' | 'consumer';
  /** Under the consumer protocol: the broker-side assignor. Default: the broker's. */
  serverAssignor?: 'uniform' | 'range';
  /** Under the consumer protocol: subscribe by this regular expression (RE2/J) instead of `[topic]`. */
  topicRegex?: string;
  /** Static membership id (Java `group.instance.id`). */
  groupInstanceId?: string;
  assignors?: AssignorName[];
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  drainTimeoutMs?: number;
  maxProcessingMs?: number;
  commit?: CommitOptions;
  buffer?: BufferOptions;
  /** Demand of the batch iterator. Default 200. */
  maxDemand?: number;
  /** Its `minDemand` (a batch holds at most maxDemand − minDemand records). Default: the stage's. */
  minDemand?: number;
  /** Time the handler spends on each batch before acking it, ms. Default 0. */
  handlerDelayMs?: number;
  /** `in-order`: ack each batch whole. `shuffled`: ack its records one by one in random order. Default `in-order`. */
  ackOrder?: 'in-order' | 'shuffled';
  /**
   * When set, a batch whose partition's abort signal fired while it was being handled is held this
   * much longer (set it above drainTimeoutMs) and then acked anyway: acks after revoke.
   */
  lateAckMs?: number;
  /**
   * When set, once the member has been delivered this many records in all, each handler holds the
   * batch it has until its partition's abort signal fires (then `lateAckMs`, then acks): records are
   * surely in flight when a rebalance comes, however fast or slow the machine is. Only until the
   * first abort: partitions assigned after that rebalance are consumed normally.
   */
  holdAfterRecords?: number;
  /** `consume` (default) or `stall`: take one batch per partition, never ack, never ask again. */
  mode?: 'consume' | 'stall';
  /** Log a `sample` line this often, ms (0: never). Default 0. */
  sampleEveryMs?: number;
  /** Log record values in `deliver` lines (the checker compares them). Default true. */
  logValues?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as MemberConfig;
const rec = new Recorder(config.logFile, config.member);
rec.log({ t: 'start', pid: process.pid });

let fetches = 0;
let fetchRequests = 0;
let delivered = 0;
subscribe(FETCH_CHANNEL, (message) => {
  const event = message as FetchSentEvent;
  if (event.partitions.some((p) => p.topic === config.topic)) fetches++;
});
subscribe(REQUEST_CHANNEL, (message) => {
  if ((message as RequestEvent).api === 'Fetch') fetchRequests++;
});

const group = new ConsumerGroup(
  {
    brokers: config.brokers,
    groupId: config.groupId,
    ...(config.topicRegex === undefined ? { topics: [config.topic] } : { topicRegex: config.topicRegex }),
    autoOffsetReset: 'earliest',
    ...(config.groupProtocol && { groupProtocol: config.groupProtocol }),
    ...(config.serverAssignor && { serverAssignor: config.serverAssignor }),
    ...(config.groupInstanceId !== undefined && { groupInstanceId: config.groupInstanceId }),
    ...(config.assignors && { assignors: config.assignors }),
    ...(config.sessionTimeoutMs !== undefined && { sessionTimeoutMs: config.sessionTimeoutMs }),
    ...(config.heartbeatIntervalMs !== undefined && { heartbeatIntervalMs: config.heartbeatIntervalMs }),
    ...(config.rebalanceTimeoutMs !== undefined && { rebalanceTimeoutMs: config.rebalanceTimeoutMs }),
    ...(config.drainTimeoutMs !== undefined && { drainTimeoutMs: config.drainTimeoutMs }),
    ...(config.maxProcessingMs !== undefined && { maxProcessingMs: config.maxProcessingMs }),
    ...(config.commit && { commit: config.commit }),
    ...(config.buffer && { buffer: config.buffer }),
  },
  subscriberFor(config),
);

group.on('assign', ({ partitions, generationId }) => rec.log({ t: 'assign', generation: generationId, partitions }));
group.on('revoke', ({ partitions }) => rec.log({ t: 'revoke', generation: group.generationId, partitions }));
group.on('lost', ({ partitions, reason }) => rec.log({ t: 'lost', generation: group.generationId, partitions, reason }));
group.on('commit', ({ offsets, error }) =>
  rec.log({ t: 'commit', generation: group.generationId, offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })), error: error ? error.message : null }),
);
group.on('error', (error) => rec.log({ t: 'error', message: String(error) }));
group.on('stuck', ({ topic, partition, heldMs, inFlight }) => rec.log({ t: 'stuck', generation: group.generationId, topic, partition, heldMs, inFlight }));

/** True once any partition's abort signal fired (ends `holdAfterRecords`). */
let sawAbort = false;

/** Subscriber calls so far: each call's lines carry its number, so a revoked subscriber's late lines are told apart. */
let subscriberCalls = 0;

function subscriberFor(c: MemberConfig): SubscriberFactory {
  return async (stage, { topic, partition, signal }) => {
    const generation = group.generationId;
    const sub = ++subscriberCalls;
    rec.log({ t: 'subscribe', sub, generation, topic, partition });
    signal.addEventListener(
      'abort',
      () => {
        sawAbort = true;
        rec.log({ t: 'abort', sub, generation, topic, partition });
      },
      { once: true },
    );
    const batches = stage.batches({ maxDemand: c.maxDemand ?? 200, ...(c.minDemand !== undefined && { minDemand: c.minDemand }) });
    if (c.mode === 'stall') {
      // Ask once (the iterator's first next() asks maxDemand), take one batch, then never again.
      // Returning would end the subscription; a stalled subscriber stays, holding its demand.
      const first = await batches[Symbol.asyncIterator]().next();
      if (!first.done) logDelivery(sub, first.value);
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return;
    }
    for await (const batch of batches) {
      logDelivery(sub, batch);
      if (c.holdAfterRecords !== undefined && delivered >= c.holdAfterRecords && !signal.aborted && !sawAbort) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      }
      if (c.handlerDelayMs) await delay(c.handlerDelayMs);
      if (signal.aborted && c.lateAckMs !== undefined) await delay(c.lateAckMs);
      if (c.ackOrder === 'shuffled') await ackShuffled(sub, batch, (r) => stage.ack(r), signal);
      else await ackLogged(sub, batch.topic, batch.partition, batch.records.map((r) => r.offset), signal, () => stage.ack(batch));
    }
  };
}

function logDelivery(sub: number, batch: ConsumerBatch): void {
  delivered += batch.records.length;
  rec.log({
    t: 'deliver',
    sub,
    generation: group.generationId,
    topic: batch.topic,
    partition: batch.partition,
    offsets: batch.records.map((r) => r.offset),
    values: config.logValues === false ? [] : batch.records.map((r) => r.value?.toString('utf8') ?? ''),
  });
}

/** Logs the ack and makes it in the same tick, so no abort can fall between the two. */
async function ackLogged(sub: number, topic: string, partition: number, offsets: number[], signal: AbortSignal, ack: () => Promise<void>): Promise<void> {
  rec.log({ t: 'ack', sub, generation: group.generationId, topic, partition, offsets, afterAbort: signal.aborted });
  try {
    await ack();
  } catch (err) {
    // An ack of a revoked partition may be refused; it must then simply never be committed.
    if (!signal.aborted) throw err;
  }
}

/** Acks a batch's records one at a time in random order, pausing between them so commits happen mid-gap. */
async function ackShuffled(sub: number, batch: ConsumerBatch, ack: (r: KafkaRecord) => Promise<void>, signal: AbortSignal): Promise<void> {
  const records = [...batch.records];
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [records[i], records[j]] = [records[j] as KafkaRecord, records[i] as KafkaRecord];
  }
  for (const r of records) {
    await ackLogged(sub, batch.topic, batch.partition, [r.offset], signal, () => ack(r));
    // Longer than a local commit round trip, so a commit sent mid-gap is still mid-gap when its
    // outcome is logged (the checker compares commits with the acks logged before the outcome).
    await delay(3);
  }
}

function sample(): void {
  rec.log({
    t: 'sample',
    rss: process.memoryUsage.rss(),
    maxRss: process.resourceUsage().maxRSS * 1024,
    fetches,
    fetchRequests,
    delivered,
    partitions: group.stats().map((s) => ({
      partition: s.partition,
      bufferedBytes: s.bufferedBytes,
      bufferedRecords: s.bufferedRecords,
      fetchedOffset: s.fetchedOffset,
      outstandingDemand: s.outstandingDemand,
    })),
  });
}

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  rec.log({ t: 'stopping' });
  group.stop().then(
    () => {
      rec.log({ t: 'stopped' });
      rec.close();
      process.exit(0);
    },
    (err: unknown) => {
      rec.log({ t: 'error', message: `stop failed: ${String(err)}` });
      rec.close();
      process.exit(1);
    },
  );
});

try {
  await group.start();
} catch (err) {
  rec.log({ t: 'error', message: `start failed: ${String(err)}` });
  rec.close();
  process.exit(1);
}
if (config.sampleEveryMs) setInterval(sample, config.sampleEveryMs).unref();
if (config.sampleEveryMs) sample();
process.stdout.write('ready\n');
