/**
 * A stateful in-process cluster for the model-based test: the part of `Cluster` that the stage
 * host, the fetch scheduler and the offset look-ups call (requestWithVersion / request for Fetch and
 * ListOffsets, metadata, refreshMetadata, leaderFor, withRetry, options).
 *
 * Fetches are not answered by themselves: each one waits in {@link ModelCluster.pending} until the
 * test answers it ({@link ModelCluster.answer}) or fails it ({@link ModelCluster.fail}), so the test
 * decides the order of everything. Answers are real record-batch bytes from the partition logs and
 * follow the broker's size rules: whole batches up to the partition's limit, the first batch of the
 * response even when larger (KIP-74, `minOneMessage`), and, as the broker's log slicing does, the
 * bytes of the next batch up to the limit (a cut tail) unless told otherwise.
 */
import type { Cluster } from '../../src/cluster/cluster.js';
import type { ClusterMetadata, PartitionInfo, TopicInfo } from '../../src/cluster/metadata.js';
import { resolveClusterOptions, type ResolvedClusterOptions } from '../../src/cluster/options.js';
import { withRetry } from '../../src/cluster/retry.js';
import { Fetch, IsolationLevel } from '../../src/protocol/apis/fetch.js';
import { ListOffsets, OffsetSpec } from '../../src/protocol/apis/list-offsets.js';
import { ConnectionError } from '../../src/network/errors.js';
import type { AnyApi, RequestIn, ResponseOut } from '../../src/protocol/schema.js';
import { PartitionLog } from './partition-log.js';

/** Fetch version the model speaks: topics by name (v12), flexible encoding is irrelevant in-process. */
const FETCH_VERSION = 12;
const OFFSET_OUT_OF_RANGE = 1;

type FetchResponse = ResponseOut<typeof Fetch>;
type FetchPartitionResponse = FetchResponse['responses'][number]['partitions'][number];

/** One partition of a Fetch waiting for its answer. */
export interface PendingPart {
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
}

/** A Fetch the model has not answered yet. */
export interface PendingFetch {
  readonly id: number;
  readonly broker: number;
  readonly parts: readonly PendingPart[];
  readonly maxBytes: number;
  readonly readCommitted: boolean;
  readonly signal: AbortSignal | undefined;
  resolve(answer: { response: FetchResponse; version: number }): void;
  reject(error: Error): void;
}

/** How to answer a Fetch. */
export interface FetchAnswer {
  /** Kafka error code per partition index of the request (absent: answer with data). */
  errors?: ReadonlyMap<number, number>;
  /** Answer no data at all (as after `maxWaitMs` with nothing new). */
  empty?: boolean;
  /** False: only whole batches (no cut tail). Default true, as the broker's log slicing. */
  cutTail?: boolean;
  /** Throttle time to send. */
  throttleTimeMs?: number;
}

/** Facts of one answered partition, for the oracle. */
export interface AnsweredPart {
  topic: string;
  partition: number;
  bytes: number;
  /** Whole batches sent. */
  batches: number;
  /** Largest buffered size of a whole batch sent. */
  largestBatchBuffered: number;
}

/** What the model cluster records, for the oracle's checks. */
export interface ClusterRecorder {
  /** A Fetch was sent while another to the same broker was unanswered (design.md §2.4). */
  onFetchSent(fetch: PendingFetch, concurrent: boolean): void;
}

/** See the module documentation. */
export class ModelCluster {
  readonly options: ResolvedClusterOptions;
  readonly logs = new Map<string, PartitionLog>();
  readonly pending: PendingFetch[] = [];
  private current: ClusterMetadata;
  private nextId = 1;
  /** Requests made, by API name. */
  readonly requests = new Map<string, number>();

  constructor(
    readonly topic: string,
    readonly partitions: number,
    readonly brokers: number,
    private readonly recorder: ClusterRecorder,
  ) {
    this.options = resolveClusterOptions({
      brokers: '127.0.0.1:9',
      requestTimeoutMs: 30_000,
      retry: { retries: 5, initialBackoffMs: 100, maxBackoffMs: 1000, deadlineMs: 30_000 },
    });
    for (let p = 0; p < partitions; p++) this.logs.set(`${topic}:${p}`, new PartitionLog());
    this.current = this.buildMetadata();
  }

  /** This object, typed as the cluster the consumer core takes (it implements the part they use). */
  asCluster(): Cluster {
    return this as unknown as Cluster;
  }

  /** The log of a partition. */
  log(partition: number): PartitionLog {
    return this.logs.get(`${this.topic}:${partition}`) as PartitionLog;
  }

  /** Node id of the partition's leader. */
  leaderOf(partition: number): number {
    return partition % this.brokers;
  }

  get metadata(): ClusterMetadata {
    return this.current;
  }

  async refreshMetadata(_topics: string[] | null): Promise<ClusterMetadata> {
    this.count('Metadata');
    this.current = this.buildMetadata();
    return this.current;
  }

  async leaderFor(topic: string, partition: number): Promise<number> {
    if (topic !== this.topic || partition >= this.partitions) throw new Error(`model cluster has no ${topic}/${partition}`);
    return this.leaderOf(partition);
  }

  withRetry<T>(what: string, operation: (attempt: number) => Promise<T>, _topics: string[] = [], signal?: AbortSignal): Promise<T> {
    return withRetry(what, operation, this.options.retry, { signal });
  }

  async request<A extends AnyApi>(target: number | 'any', api: A, build: (version: number) => RequestIn<A>): Promise<ResponseOut<A>> {
    if ((api as AnyApi) !== ListOffsets) throw new Error(`model cluster does not answer ${api.name}`);
    this.count('ListOffsets');
    const body = build(7) as RequestIn<typeof ListOffsets>;
    const response: ResponseOut<typeof ListOffsets> = {
      throttleTimeMs: 0,
      topics: body.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const log = this.log(p.partitionIndex);
          const offset = p.timestamp === OffsetSpec.EARLIEST ? log.logStartOffset : log.logEndOffset;
          const wrongLeader = typeof target === 'number' && target !== this.leaderOf(p.partitionIndex);
          return { partitionIndex: p.partitionIndex, errorCode: wrongLeader ? 6 : 0, oldStyleOffsets: [], timestamp: -1n, offset: BigInt(offset), leaderEpoch: 0 };
        }),
      })),
    };
    return response as ResponseOut<A>;
  }

  requestWithVersion<A extends AnyApi>(
    target: number | 'any',
    api: A,
    build: (version: number) => RequestIn<A>,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ response: ResponseOut<A>; version: number }> {
    if ((api as AnyApi) !== Fetch || typeof target !== 'number') throw new Error(`model cluster does not answer ${api.name} to ${target}`);
    this.count('Fetch');
    const body = build(FETCH_VERSION) as RequestIn<typeof Fetch>;
    return new Promise((resolve, reject) => {
      const parts: PendingPart[] = [];
      for (const t of body.topics) {
        for (const p of t.partitions) {
          parts.push({ topic: t.topic ?? '', partition: p.partition, fetchOffset: Number(p.fetchOffset), maxBytes: p.partitionMaxBytes });
        }
      }
      const fetch: PendingFetch = {
        id: this.nextId++,
        broker: target,
        parts,
        maxBytes: body.maxBytes ?? 0x7fffffff,
        readCommitted: body.isolationLevel === IsolationLevel.READ_COMMITTED,
        signal: options.signal,
        resolve: resolve as PendingFetch['resolve'],
        reject,
      };
      const concurrent = this.pending.some((f) => f.broker === target);
      this.pending.push(fetch);
      this.recorder.onFetchSent(fetch, concurrent);
      // An aborted request ends at once, as the connection ends it.
      options.signal?.addEventListener(
        'abort',
        () => {
          if (this.take(fetch)) reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
        },
        { once: true },
      );
    });
  }

  /** Answers a pending Fetch from the logs; returns what each partition got. */
  answer(fetch: PendingFetch, how: FetchAnswer = {}): AnsweredPart[] {
    if (!this.take(fetch)) return [];
    const answered: AnsweredPart[] = [];
    const byTopic = new Map<string, FetchPartitionResponse[]>();
    let budget = fetch.maxBytes;
    let minOneMessage = true;
    fetch.parts.forEach((part, index) => {
      const log = this.log(part.partition);
      const entry = this.emptyPartition(part.partition, log);
      const code = how.errors?.get(index) ?? 0;
      if (code !== 0) {
        entry.errorCode = code;
      } else if (part.fetchOffset < log.logStartOffset || part.fetchOffset > log.logEndOffset) {
        entry.errorCode = OFFSET_OUT_OF_RANGE;
      } else if (!how.empty) {
        const read = this.read(log, part.fetchOffset, Math.min(part.maxBytes, budget), minOneMessage, how.cutTail ?? true);
        entry.records = read.bytes;
        budget -= read.bytes.length;
        if (read.wholeBatches > 0) minOneMessage = false;
        if (fetch.readCommitted) entry.abortedTransactions = this.abortedIn(log, part.fetchOffset, read.lastOffset);
        answered.push({ topic: part.topic, partition: part.partition, bytes: read.bytes.length, batches: read.wholeBatches, largestBatchBuffered: read.largestBuffered });
      }
      const list = byTopic.get(part.topic) ?? [];
      list.push(entry);
      byTopic.set(part.topic, list);
    });
    const response: FetchResponse = {
      throttleTimeMs: how.throttleTimeMs ?? 0,
      errorCode: 0,
      sessionId: 0,
      responses: [...byTopic].map(([topic, partitions]) => ({ topic, topicId: '', partitions })),
      nodeEndpoints: [],
    };
    fetch.resolve({ response, version: FETCH_VERSION });
    return answered;
  }

  /** Fails a pending Fetch as a whole, as a dropped connection does. */
  fail(fetch: PendingFetch): void {
    if (this.take(fetch)) fetch.reject(new ConnectionError(`model: connection to broker ${fetch.broker} dropped`, { broker: fetch.broker }));
  }

  private take(fetch: PendingFetch): boolean {
    const i = this.pending.indexOf(fetch);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }

  private read(log: PartitionLog, from: number, limit: number, minOneMessage: boolean, cutTail: boolean) {
    const chunks: Buffer[] = [];
    let size = 0;
    let wholeBatches = 0;
    let largestBuffered = 0;
    let lastOffset = from - 1;
    for (let i = log.batchIndexFor(from); i < log.batches.length; i++) {
      const b = log.batches[i] as (typeof log.batches)[number];
      const fits = size + b.bytes.length <= limit;
      if (fits || (size === 0 && minOneMessage)) {
        chunks.push(b.bytes);
        size += b.bytes.length;
        wholeBatches++;
        largestBuffered = Math.max(largestBuffered, b.bufferedBytes);
        lastOffset = b.lastOffset;
        if (fits) continue;
        break;
      }
      // Kafka cuts a batch only after a whole one: a first batch past the limit (without the
      // response's licence) brings an empty answer.
      if (cutTail && size > 0 && limit > size) chunks.push(b.bytes.subarray(0, limit - size));
      break;
    }
    return { bytes: Buffer.concat(chunks), wholeBatches, largestBuffered, lastOffset };
  }

  private abortedIn(log: PartitionLog, from: number, upTo: number): { producerId: bigint; firstOffset: bigint }[] {
    return log.abortedTxns
      .filter((t) => t.markerOffset >= from && t.firstOffset <= upTo)
      .map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) }));
  }

  private emptyPartition(partition: number, log: PartitionLog): FetchPartitionResponse {
    return {
      partitionIndex: partition,
      errorCode: 0,
      highWatermark: BigInt(log.logEndOffset),
      lastStableOffset: BigInt(log.logEndOffset),
      logStartOffset: BigInt(log.logStartOffset),
      divergingEpoch: { epoch: -1, endOffset: -1n },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      snapshotId: { endOffset: -1n, epoch: -1 },
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: Buffer.alloc(0),
    };
  }

  private buildMetadata(): ClusterMetadata {
    const brokers = new Map<number, { nodeId: number; host: string; port: number; rack: string | null }>();
    for (let b = 0; b < this.brokers; b++) brokers.set(b, { nodeId: b, host: '127.0.0.1', port: 9 + b, rack: null });
    const partitions: PartitionInfo[] = [];
    for (let p = 0; p < this.partitions; p++) {
      const leader = this.leaderOf(p);
      partitions.push({ partition: p, leader, leaderEpoch: 0, replicas: [leader], isr: [leader], errorCode: 0 });
    }
    const topic: TopicInfo = { name: this.topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions, errorCode: 0 };
    return { clusterId: 'model', controllerId: 0, brokers, topics: new Map([[this.topic, topic]]), fetchedAt: Date.now() };
  }

  private count(api: string): void {
    this.requests.set(api, (this.requests.get(api) ?? 0) + 1);
  }
}
