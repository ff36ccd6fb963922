/**
 * The fetch scheduler's tests' worlds. {@link clusterWorld}: the shipped FakeKafkaCluster holding
 * one topic of known batches, for tests of ordinary broker behaviour (its fault hooks and Fetch
 * log). {@link world}: scripted fake brokers (node ids 1..n) serving one topic from in-memory logs
 * of real record batches, as Kafka does (whole batches from the one holding the fetch offset, the
 * first batch of the first partition with data whole even past its limit, no bytes for another
 * whose first batch is past its limit), with hooks to answer as no broker would (hostile bytes, answers cut at chosen bytes) and
 * otherwise (errors, stalls, throttling), and a log of every Fetch received.
 */
import assert from 'node:assert/strict';
import { Cluster } from '../../src/cluster/cluster.js';
import { FetchScheduler, type FetchSchedulerOptions } from '../../src/consumer/fetch-scheduler.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { RequestOut, ResponseIn } from '../../src/protocol/schema.js';
import type { ByteBudget } from '../../src/stage/byte-budget.js';
import { FakeKafkaCluster, type FakeRequest as ClusterRequest } from '../../src/testing/index.js';
import type { RecordInput } from '../../src/protocol/records/types.js';
import { FakeBroker, type FakeRequest } from '../helpers/fake-broker.js';
import type { ObservedStage } from './fetch-scheduler-stages.js';

export const TOPIC = 'events';
export const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAg';
/** Records per batch in {@link makeLog}. */
export const BATCH = 5;

export type FetchBody = ResponseIn<typeof Fetch>;
/** One partition of a Fetch answer. */
export type PartitionAnswer = FetchBody['responses'][number]['partitions'][number];

/** One partition of one Fetch as a fake broker received it. */
export interface SeenPart {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  epoch: number;
}

/** One Fetch as a fake broker received it. */
export interface SeenFetch {
  broker: number;
  connection: number;
  parts: SeenPart[];
  /** Another Fetch from the client arrived at this broker before this one was answered. */
  overlapped: boolean;
}

/** What a test may do to one partition of one Fetch: an answer replacing the log's, or undefined. */
export type Override = (part: SeenPart, broker: number, request: FakeRequest) => Partial<PartitionAnswer> | undefined;

/** The fake cluster of one test. */
export interface World {
  brokers: Map<number, FakeBroker>;
  cluster: Cluster;
  /** Leader and leader epoch of each partition; tests change them to move leaders. */
  leaders: Map<number, { leader: number; epoch: number }>;
  fetches: SeenFetch[];
  override: Override | null;
  /** Per Fetch request: answer as a whole with this instead (e.g. 'stall'). */
  whole: ((broker: number, seq: number) => 'stall' | undefined) | null;
  /** When set, every Fetch waits for this promise before it is answered. */
  hold: Promise<void> | null;
  /** Throttle time each Fetch answer carries (per broker and request number); 0 when unset. */
  throttle: ((broker: number, seq: number) => number) | null;
}

/** A world on the shipped fake cluster: the cluster and a client of it. */
export interface ClusterWorld {
  fake: FakeKafkaCluster;
  cluster: Cluster;
}

/** What each test made, stopped after it: schedulers first, then clients, then brokers. */
const schedulers: FetchScheduler[] = [];
const worldsMade: (World | ClusterWorld)[] = [];

/** Stops every scheduler, cluster client and fake broker made since the last call (an afterEach hook). */
export async function cleanUpWorlds(): Promise<void> {
  for (const scheduler of schedulers.splice(0)) await scheduler.stop();
  for (const w of worldsMade.splice(0)) {
    await w.cluster.close();
    if ('fake' in w) await w.fake.stop();
    else await Promise.all([...w.brokers.values()].map((b) => b.stop()));
  }
}

/** Records `base`..`base + count - 1` of a partition's log: key `k<offset>`, value `p<partition>-<offset>` padded to `pad` bytes. */
function logRecords(partition: number, base: number, count: number, pad: number): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `k${base + i}`,
    value: `p${partition}-${base + i}`.padEnd(pad, '.'),
    timestamp: 1_700_000_000_000 + base + i,
  }));
}

/** The batches of a partition's log: `count` records in batches of BATCH, values `p<partition>-<offset>` padded to `pad` bytes. */
export async function makeLog(partition: number, count: number, pad = 40): Promise<Buffer[]> {
  const batches: Buffer[] = [];
  for (let base = 0; base < count; base += BATCH) {
    batches.push(await encodeRecordBatch({ records: logRecords(partition, base, Math.min(BATCH, count - base), pad), compression: 'none', baseOffset: base }));
  }
  return batches;
}

/**
 * A FakeKafkaCluster of `brokers` brokers whose topic {@link TOPIC} holds, per partition of
 * `records` (partition → record count), the log {@link makeLog} encodes (same records, same
 * batches of BATCH, values padded to `pad` bytes, one number or per partition), and a client of
 * it with the scripted world's fast retries. As in
 * {@link world}, every partition is led by broker 1 unless `leaders` names another.
 */
export async function clusterWorld(options: { brokers?: number; records: Map<number, number>; leaders?: Map<number, number>; pad?: number | Map<number, number> }): Promise<ClusterWorld> {
  const fake = await FakeKafkaCluster.start({ brokers: options.brokers ?? 1, topics: [{ topic: TOPIC, partitions: Math.max(...options.records.keys()) + 1 }] });
  for (const [partition, count] of options.records) {
    // The fake spreads leaders over its brokers; placing each one where the test wants it raises every epoch alike (to 1).
    if ((options.brokers ?? 1) > 1) fake.moveLeader(TOPIC, partition, options.leaders?.get(partition) ?? 1);
    const pad = (options.pad instanceof Map ? options.pad.get(partition) : options.pad) ?? 40;
    for (let base = 0; base < count; base += BATCH) await fake.append(TOPIC, partition, logRecords(partition, base, Math.min(BATCH, count - base), pad));
  }
  const w: ClusterWorld = { fake, cluster: new Cluster({ brokers: fake.bootstrap, retry: { initialBackoffMs: 5, maxBackoffMs: 20 }, requestTimeoutMs: 5000 }) };
  worldsMade.push(w);
  return w;
}

/**
 * Fake brokers with node ids 1..brokerCount sharing one view of the cluster. Each serves, for the
 * partitions it leads, whole batches from the batch holding the fetch offset, as many as fit the
 * partition's limit; when not even one fits, the first batch whole if no partition before it in
 * the answer has data (KIP-74), else no bytes (Kafka never cuts a first batch). A Fetch
 * with nothing to return waits `idleWaitMs` (a real broker's maxWaitMs) before answering empty.
 */
export async function world(options: { brokers?: number; logs: Map<number, Buffer[]>; leaders?: Map<number, number>; idleWaitMs?: number; requestTimeoutMs?: number; maxResponseBytes?: number }): Promise<World> {
  const brokerCount = options.brokers ?? 1;
  const brokers = new Map<number, FakeBroker>();
  for (let id = 1; id <= brokerCount; id++) brokers.set(id, await FakeBroker.start());
  const leaders = new Map<number, { leader: number; epoch: number }>();
  for (const partition of options.logs.keys()) leaders.set(partition, { leader: options.leaders?.get(partition) ?? 1, epoch: 5 });
  const w: World = {
    brokers,
    cluster: new Cluster({
      brokers: (brokers.get(1) as FakeBroker).address,
      retry: { initialBackoffMs: 5, maxBackoffMs: 20 },
      requestTimeoutMs: options.requestTimeoutMs ?? 5000,
      ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
    }),
    leaders,
    fetches: [],
    override: null,
    whole: null,
    hold: null,
    throttle: null,
  };
  worldsMade.push(w);
  for (const [id, broker] of brokers) {
    broker.handle(Metadata, () => ({
      body: {
        throttleTimeMs: 0,
        brokers: [...brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port, rack: null })),
        clusterId: 'fake',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: TOPIC,
            topicId: TOPIC_ID,
            isInternal: false,
            partitions: [...leaders].map(([partitionIndex, l]) => ({
              errorCode: 0,
              partitionIndex,
              leaderId: l.leader,
              leaderEpoch: l.epoch,
              replicaNodes: [l.leader],
              isrNodes: [l.leader],
              offlineReplicas: [],
            })),
          },
        ],
      },
    }));
    broker.handle(Fetch, async (req) => {
      const body = req.decode();
      const parts: SeenPart[] = body.topics.flatMap((t) =>
        t.partitions.map((p) => ({ partition: p.partition, fetchOffset: Number(p.fetchOffset), maxBytes: p.partitionMaxBytes, epoch: p.currentLeaderEpoch })),
      );
      const seen: SeenFetch = { broker: id, connection: req.connection, parts, overlapped: false };
      w.fetches.push(seen);
      if (w.whole?.(id, req.seq) === 'stall') return 'stall';
      if (w.hold) await w.hold;
      let filled = false;
      const answers = parts.map((part) => {
        const a = answer(w, options.logs, part, id, req, !filled);
        if (a.records !== null && a.records.length > 0) filled = true;
        return a;
      });
      const empty = answers.every((a) => a.records === null || a.records.length === 0);
      if (empty) await new Promise((resolve) => setTimeout(resolve, options.idleWaitMs ?? 30));
      // Requests are answered in order per connection: a later Fetch already here was sent before this one was answered.
      seen.overlapped = broker.requestsFor(Fetch).length > req.seq + 1;
      return { body: { throttleTimeMs: w.throttle?.(id, req.seq) ?? 0, errorCode: 0, sessionId: 0, responses: [{ topic: TOPIC, topicId: TOPIC_ID, partitions: answers }] } };
    });
  }
  return w;
}

function answer(w: World, logs: Map<number, Buffer[]>, part: SeenPart, broker: number, req: FakeRequest, firstWithData: boolean): PartitionAnswer {
  const log = logs.get(part.partition) ?? [];
  const highWatermark = BigInt(Math.max(0, (log.length - 1) * BATCH) + (log.length > 0 ? recordsIn(log[log.length - 1] as Buffer) : 0));
  const base: PartitionAnswer = {
    partitionIndex: part.partition,
    errorCode: 0,
    highWatermark,
    lastStableOffset: highWatermark,
    logStartOffset: 0n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
  };
  const custom = w.override?.(part, broker, req);
  if (custom) return { ...base, ...custom };
  if (w.leaders.get(part.partition)?.leader !== broker) return { ...base, errorCode: 6 };
  const pieces: Buffer[] = [];
  let size = 0;
  for (let i = Math.floor(part.fetchOffset / BATCH); i < log.length; i++) {
    const batch = log[i] as Buffer;
    if (size + batch.length > part.maxBytes) {
      // A first batch past the limit: whole on the response's licence (KIP-74), else nothing, as Kafka answers.
      if (pieces.length === 0 && firstWithData) pieces.push(batch);
      break;
    }
    pieces.push(batch);
    size += batch.length;
  }
  return { ...base, records: Buffer.concat(pieces) };
}

/** Records in an encoded batch (its header's count). */
export function recordsIn(batch: Buffer): number {
  return batch.readInt32BE(57);
}

/** A scheduler on the world's cluster with fast test settings; failing on any unexpected callback unless overridden. */
export function schedulerFor(w: World | ClusterWorld, budget: ByteBudget, overrides: Partial<FetchSchedulerOptions> = {}): FetchScheduler {
  const scheduler = new FetchScheduler({
    cluster: w.cluster,
    budget,
    options: { maxWaitMs: 30, minBytes: 1, minPartitionBytes: 4096, isolationLevel: 'read_uncommitted', verifyCrc: true, maxBytesPerPartition: 256 * 1024 },
    onOffsetOutOfRange: () => assert.fail('unexpected OFFSET_OUT_OF_RANGE'),
    onError: (err) => assert.fail(`unexpected scheduler error: ${err.message}`),
    ...overrides,
  });
  schedulers.push(scheduler);
  return scheduler;
}

/** Offsets the stage's subscriber received, in order. */
export function offsets(t: ObservedStage): number[] {
  return t.delivered.map((r) => r.offset);
}

/** `[from, to)` as an array. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** One partition of a Fetch as the fake cluster received it. */
export interface AskedPart {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
}

/** The fake cluster's Fetches, oldest first: the broker asked, and what each asked of {@link TOPIC}'s partitions. */
export function fetchesSeen(w: ClusterWorld): { broker: number; partitions: AskedPart[] }[] {
  const id = w.fake.topicId(TOPIC);
  return w.fake.requests<RequestOut<typeof Fetch>>('Fetch').map((r) => ({
    broker: r.broker,
    partitions: r.body.topics
      .filter((t) => t.topic === TOPIC || t.topicId === id)
      .flatMap((t) => t.partitions.map((p) => ({ partition: p.partition, fetchOffset: Number(p.fetchOffset), maxBytes: p.partitionMaxBytes, currentLeaderEpoch: p.currentLeaderEpoch }))),
  }));
}

/** The fake cluster's Fetches that covered `partition`, in order: what each asked of it, and the broker asked. */
export function askedOf(w: ClusterWorld, partition: number): (AskedPart & { broker: number })[] {
  return fetchesSeen(w).flatMap((f) => f.partitions.filter((p) => p.partition === partition).map((p) => ({ ...p, broker: f.broker })));
}

/** True when a Fetch the fake cluster received asks for `partition` from `offset` (for a fault rule's `when`). */
export function asksFrom(request: ClusterRequest, partition: number, offset: number): boolean {
  return (request.body as RequestOut<typeof Fetch>).topics.some((t) => t.partitions.some((p) => p.partition === partition && Number(p.fetchOffset) === offset));
}

/** Fetches that covered `partition`, in order. */
export function fetchesOf(w: World, partition: number): SeenPart[] {
  return w.fetches.flatMap((f) => f.parts.filter((p) => p.partition === partition));
}
