/**
 * One fake broker serving one topic's partitions from in-memory logs, enough for a
 * StandaloneConsumer with or without a groupId and for a one-member ConsumerGroup: Metadata, Fetch
 * (whole batches from the one holding the fetch offset, as many as fit the partition's limit, at
 * least one; an idle Fetch waits `idleWaitMs` before answering empty, as a real broker waits
 * maxWaitMs), ListOffsets (earliest 0, latest the log end), FindCoordinator and OffsetCommit (recorded), OffsetFetch (from what was committed, or
 * a scripted error), and JoinGroup / SyncGroup / Heartbeat / LeaveGroup of a group whose only member
 * leads (its own assignment is echoed back; a scripted heartbeat code starts a rebalance).
 */
import { Cluster } from '../../src/cluster/cluster.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import { FakeBroker } from '../helpers/fake-broker.js';

export const LOG_TOPIC = 'lifecycle';
const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAw';

/** A partition's log: encoded batches with their base offsets and record counts. */
interface Log {
  batches: { base: number; count: number; bytes: Buffer }[];
  end: number;
}

/** The fake broker with its logs and what it was sent. */
export class FakeLogBroker {
  /** OffsetCommit requests, flattened: one entry per partition committed. */
  readonly commits: { partition: number; offset: number }[] = [];
  /** Last committed offset per partition. */
  readonly committed = new Map<number, number>();
  /** Number of Fetch requests answered. */
  fetches = 0;
  /** OffsetFetch requests received. */
  offsetFetches = 0;
  /** When set, OffsetFetch answers wait for it (to stop a consumer while it starts). */
  offsetFetchGate: Promise<void> | null = null;
  /** When set, OffsetCommit answers wait for it. */
  commitGate: Promise<void> | null = null;
  /** OffsetCommit requests received (answered or not). */
  commitsReceived = 0;
  /** Group-level error codes the next OffsetFetch answers carry (one per request). */
  offsetFetchErrors: number[] = [];
  /** Error codes the next heartbeats are answered with (27 REBALANCE_IN_PROGRESS starts a rebalance). */
  heartbeatCodes: number[] = [];
  /** The group's current generation (0 before the first join). */
  generation = 0;
  /** LeaveGroup requests received. */
  leaves = 0;

  private constructor(
    readonly broker: FakeBroker,
    private readonly logs: Map<number, Log>,
    private readonly idleWaitMs: number,
  ) {}

  /** Starts a broker whose partitions 0..partitions-1 each hold `records` records in batches of `batchSize`. */
  static async start(options: { partitions: number; records: number; batchSize?: number; idleWaitMs?: number }): Promise<FakeLogBroker> {
    const batchSize = options.batchSize ?? 50;
    const logs = new Map<number, Log>();
    for (let p = 0; p < options.partitions; p++) {
      const batches: Log['batches'] = [];
      for (let base = 0; base < options.records; base += batchSize) {
        const count = Math.min(batchSize, options.records - base);
        const records = Array.from({ length: count }, (_, i) => ({ value: `p${p}-${base + i}`, timestamp: 1_700_000_000_000 + base + i }));
        batches.push({ base, count, bytes: await encodeRecordBatch({ records, compression: 'none', baseOffset: base }) });
      }
      logs.set(p, { batches, end: options.records });
    }
    const fake = new FakeLogBroker(await FakeBroker.start(), logs, options.idleWaitMs ?? 20);
    fake.install();
    return fake;
  }

  /** Adds a partition holding `records` records (Metadata reports it from now on). */
  async addPartition(records: number, batchSize = 50): Promise<number> {
    const p = this.logs.size;
    const batches: Log['batches'] = [];
    for (let base = 0; base < records; base += batchSize) {
      const count = Math.min(batchSize, records - base);
      const values = Array.from({ length: count }, (_, i) => ({ value: `p${p}-${base + i}`, timestamp: 1_700_000_000_000 + base + i }));
      batches.push({ base, count, bytes: await encodeRecordBatch({ records: values, compression: 'none', baseOffset: base }) });
    }
    this.logs.set(p, { batches, end: records });
    return p;
  }

  /** Removes the highest partition (Metadata no longer reports it). */
  removeLastPartition(): void {
    this.logs.delete(this.logs.size - 1);
  }

  /** A cluster client pointed at this broker, with fast retries. */
  cluster(): { brokers: string; retry: { initialBackoffMs: number; maxBackoffMs: number }; requestTimeoutMs: number } {
    return { brokers: this.broker.address, retry: { initialBackoffMs: 5, maxBackoffMs: 20 }, requestTimeoutMs: 5_000 };
  }

  /** A connected-on-demand Cluster for direct use. */
  newCluster(): Cluster {
    return new Cluster(this.cluster());
  }

  async stop(): Promise<void> {
    await this.broker.stop();
  }

  private install(): void {
    const b = this.broker;
    b.handle(Metadata, () => ({
      body: {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: b.host, port: b.port, rack: null }],
        clusterId: 'fake',
        controllerId: 1,
        topics: [
          {
            errorCode: 0,
            name: LOG_TOPIC,
            topicId: TOPIC_ID,
            isInternal: false,
            partitions: [...this.logs.keys()].map((partitionIndex) => ({
              errorCode: 0,
              partitionIndex,
              leaderId: 1,
              leaderEpoch: 0,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            })),
          },
        ],
      },
    }));
    b.handle(Fetch, async (req) => {
      const body = req.decode();
      this.fetches++;
      const partitions = body.topics.flatMap((t) =>
        t.partitions.map((p) => {
          const log = this.logs.get(p.partition) as Log;
          const fetchOffset = Number(p.fetchOffset);
          const pieces: Buffer[] = [];
          let size = 0;
          for (const batch of log.batches) {
            if (batch.base + batch.count <= fetchOffset) continue;
            if (pieces.length > 0 && size + batch.bytes.length > p.partitionMaxBytes) break;
            pieces.push(batch.bytes);
            size += batch.bytes.length;
          }
          const end = BigInt(log.end);
          return { partitionIndex: p.partition, errorCode: 0, highWatermark: end, lastStableOffset: end, logStartOffset: 0n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.concat(pieces) };
        }),
      );
      if (partitions.every((p) => p.records.length === 0)) await new Promise((resolve) => setTimeout(resolve, this.idleWaitMs));
      return { body: { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: LOG_TOPIC, topicId: TOPIC_ID, partitions }] } };
    });
    b.handle(ListOffsets, (req) => {
      const body = req.decode();
      return {
        body: {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: 0,
              timestamp: -1n,
              // -2 earliest (0 here), -1 latest (the log end).
              offset: p.timestamp === -2n ? 0n : BigInt(this.logs.get(p.partitionIndex)?.end ?? 0),
              leaderEpoch: 0,
            })),
          })),
        },
      };
    });
    b.handle(FindCoordinator, (req) => {
      const key = req.version >= 4 ? (req.decode().coordinatorKeys[0] ?? '') : req.decode().key;
      const entry = { nodeId: 1, host: b.host, port: b.port, errorCode: 0, errorMessage: null };
      return { body: { throttleTimeMs: 0, ...entry, coordinators: [{ key, ...entry }] } };
    });
    b.handle(OffsetCommit, async (req) => {
      this.commitsReceived++;
      if (this.commitGate) await this.commitGate;
      const body = req.decode();
      for (const t of body.topics) {
        for (const p of t.partitions) {
          this.commits.push({ partition: p.partitionIndex, offset: Number(p.committedOffset) });
          this.committed.set(p.partitionIndex, Number(p.committedOffset));
        }
      }
      return {
        body: {
          throttleTimeMs: 0,
          topics: body.topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })) })),
        },
      };
    });
    b.handle(OffsetFetch, async (req) => {
      this.offsetFetches++;
      if (this.offsetFetchGate) await this.offsetFetchGate;
      const body = req.decode();
      const errorCode = this.offsetFetchErrors.shift() ?? 0;
      const partitions = (indexes: number[]) =>
        indexes.map((p) => ({ partitionIndex: p, committedOffset: BigInt(this.committed.get(p) ?? -1), committedLeaderEpoch: -1, metadata: '', errorCode: 0 }));
      const groups = body.groups.map((g) => ({
        groupId: g.groupId,
        errorCode,
        topics: (g.topics ?? []).map((t) => ({ name: t.name, topicId: t.topicId, partitions: partitions(t.partitionIndexes) })),
      }));
      const topics = (body.topics ?? []).map((t) => ({ name: t.name, partitions: partitions(t.partitionIndexes) }));
      return { body: { throttleTimeMs: 0, topics, errorCode, groups } };
    });
    this.installGroup();
  }

  private installGroup(): void {
    const b = this.broker;
    const member = 'member-1';
    b.handle(JoinGroup, (req) => {
      const body = req.decode();
      this.generation++;
      const [protocol] = body.protocols;
      return {
        body: {
          throttleTimeMs: 0,
          errorCode: 0,
          generationId: this.generation,
          protocolType: 'consumer',
          protocolName: protocol?.name ?? null,
          leader: member,
          skipAssignment: false,
          memberId: member,
          members: [{ memberId: member, groupInstanceId: null, metadata: protocol?.metadata ?? Buffer.alloc(0) }],
        },
      };
    });
    b.handle(SyncGroup, (req) => {
      const body = req.decode();
      const assignment = body.assignments.find((a) => a.memberId === body.memberId)?.assignment ?? Buffer.alloc(0);
      return { body: { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: body.protocolName, assignment } };
    });
    b.handle(Heartbeat, () => ({ body: { throttleTimeMs: 0, errorCode: this.heartbeatCodes.shift() ?? 0 } }));
    b.handle(LeaveGroup, () => {
      this.leaves++;
      return { body: { throttleTimeMs: 0, errorCode: 0, members: [] } };
    });
  }
}
