/**
 * A one-broker Kafka for producer tests, on the fake broker: it answers Metadata, InitProducerId
 * and Produce, keeps a log per partition, and checks producer ids, epochs and sequence numbers as a
 * real broker does (duplicates of the last five batches answered with their original offset, gaps
 * refused with OUT_OF_ORDER_SEQUENCE_NUMBER). A test script injects faults per Produce request.
 */
import { InitProducerId } from '../../src/protocol/apis/init-producer-id.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { decodeRecordBatches } from '../../src/protocol/records/decode-batches.js';
import type { RecordBatch } from '../../src/protocol/records/types.js';
import type { ResponseIn } from '../../src/protocol/schema.js';
import { FakeBroker, type FakeReply } from '../helpers/fake-broker.js';

const NODE_ID = 1;

/** A record as the fake log keeps it. */
export interface LoggedRecord {
  offset: number;
  key: string | null;
  value: string | null;
  producerId: bigint;
  producerEpoch: number;
  sequence: number;
}

/** One partition's part of a Produce request, as a fault script sees it. */
export interface ProducedPartition {
  topic: string;
  partition: number;
  batch: RecordBatch;
}

/** What a fault script decides for one Produce request. */
export interface ProduceFault {
  /** Answer these partitions (`topic/partition`) with an error code instead of appending. */
  errors?: Record<string, number>;
  /** After appending: `close` the connection unanswered, or `ignore` the request (no answer ever). */
  thenDrop?: 'close' | 'ignore';
  /** Answer after this delay (requests behind it on the connection wait too). */
  delayMs?: number;
}

interface ProducerState {
  epoch: number;
  lastSequence: number;
  /** The last five batches: their sequence range and base offset, to answer duplicates. */
  recent: { first: number; last: number; baseOffset: number }[];
}

class PartitionLog {
  readonly records: LoggedRecord[] = [];
  private readonly producers = new Map<bigint, ProducerState>();

  /** Appends a batch after the idempotence checks; returns the error code and base offset. */
  append(batch: RecordBatch): { errorCode: number; baseOffset: number } {
    const count = batch.records.length;
    const first = batch.baseSequence;
    const last = first + count - 1;
    if (batch.producerId >= 0n) {
      const state = this.producers.get(batch.producerId);
      if (state && batch.producerEpoch < state.epoch) return { errorCode: 47, baseOffset: -1 };
      const newEpoch = !state || batch.producerEpoch > state.epoch;
      if (newEpoch) {
        // As Kafka's ProducerStateManager: a new epoch of a known producer starts at sequence 0, but
        // a producer the partition holds no state for is taken at any first sequence (its state may
        // have expired). A test double stricter than the broker hid a reordering defect once.
        if (state && first !== 0) return { errorCode: 45, baseOffset: -1 };
      } else {
        const duplicate = state.recent.find((r) => r.first === first && r.last === last);
        if (duplicate) return { errorCode: 0, baseOffset: duplicate.baseOffset };
        if (first !== state.lastSequence + 1) return { errorCode: 45, baseOffset: -1 };
      }
      const next: ProducerState = newEpoch ? { epoch: batch.producerEpoch, lastSequence: -1, recent: [] } : (state as ProducerState);
      next.lastSequence = last;
      next.recent.push({ first, last, baseOffset: this.records.length });
      if (next.recent.length > 5) next.recent.shift();
      this.producers.set(batch.producerId, next);
    }
    const baseOffset = this.records.length;
    batch.records.forEach((r, i) => {
      this.records.push({
        offset: baseOffset + i,
        key: r.key === null ? null : r.key.toString(),
        value: r.value === null ? null : r.value.toString(),
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        sequence: first + i,
      });
    });
    return { errorCode: 0, baseOffset };
  }
}

/** The fake cluster. */
export class FakeKafka {
  /** Produce requests seen, in order, with their partitions. */
  readonly produceRequests: ProducedPartition[][] = [];
  /** The error codes answered per Produce request (in the order of its partitions). */
  readonly produceErrors: number[][] = [];
  /** The most Produce requests ever received and not yet answered (the client's requests in flight). */
  maxOutstanding = 0;
  private answered = 0;
  /** Decides faults per Produce request (0-based index). */
  faults: (index: number, partitions: ProducedPartition[]) => ProduceFault | undefined = () => undefined;
  private readonly logs = new Map<string, PartitionLog>();
  private readonly topicIds = new Map<string, string>();
  private nextProducerId = 1000n;

  private constructor(
    readonly broker: FakeBroker,
    private readonly topics: Record<string, number>,
  ) {
    let n = 1;
    for (const topic of Object.keys(topics)) {
      const id = Buffer.alloc(16);
      id.writeUInt32BE(n++, 12);
      this.topicIds.set(topic, id.toString('base64url'));
    }
  }

  /** Starts a fake cluster holding `topics` (name → partition count). */
  static async start(topics: Record<string, number>): Promise<FakeKafka> {
    const broker = await FakeBroker.start();
    const kafka = new FakeKafka(broker, topics);
    broker.handle(Metadata, (req) => ({ body: kafka.metadata(req.decode().topics?.map((t) => t.name ?? '') ?? null) }));
    broker.handle(InitProducerId, () => ({
      body: { throttleTimeMs: 0, errorCode: 0, producerId: kafka.nextProducerId++, producerEpoch: 0 },
    }));
    broker.handle(Produce, async (req) => kafka.produce(req.decode(), req.version));
    return kafka;
  }

  /** `host:port` of the broker. */
  get address(): string {
    return this.broker.address;
  }

  /** The records of a partition's log. */
  log(topic: string, partition: number): LoggedRecord[] {
    return this.logs.get(`${topic}/${partition}`)?.records ?? [];
  }

  /** Stops the broker. */
  stop(): Promise<void> {
    return this.broker.stop();
  }

  private metadata(names: string[] | null): ResponseIn<typeof Metadata> {
    const wanted = names ?? Object.keys(this.topics);
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: NODE_ID, host: this.broker.host, port: this.broker.port, rack: null }],
      clusterId: 'fake',
      controllerId: NODE_ID,
      topics: wanted.map((name) => {
        const count = this.topics[name];
        return {
          errorCode: count === undefined ? 3 : 0,
          name,
          topicId: this.topicIds.get(name) ?? 'AAAAAAAAAAAAAAAAAAAAAA',
          isInternal: false,
          partitions: Array.from({ length: count ?? 0 }, (_, partitionIndex) => ({
            errorCode: 0,
            partitionIndex,
            leaderId: NODE_ID,
            leaderEpoch: 0,
            replicaNodes: [NODE_ID],
            isrNodes: [NODE_ID],
            offlineReplicas: [],
          })),
          topicAuthorizedOperations: -2147483648,
        };
      }),
      errorCode: 0,
    };
  }

  private async produce(
    body: { acks: number; topicData: { name: string; topicId: string; partitionData: { index: number; records: Buffer | null }[] }[] },
    version: number,
  ): Promise<FakeReply<typeof Produce>> {
    const index = this.produceRequests.length;
    const parts: ProducedPartition[] = [];
    for (const t of body.topicData) {
      const topic = version >= 13 ? [...this.topicIds].find(([, id]) => id === t.topicId)?.[0] ?? '?' : t.name;
      for (const p of t.partitionData) {
        const decoded = await decodeRecordBatches(p.records ?? Buffer.alloc(0), { maxDecompressedBytes: 64 << 20, topic, partition: p.index });
        for (const batch of decoded.batches) parts.push({ topic, partition: p.index, batch });
      }
    }
    this.produceRequests.push(parts);
    const errors: number[] = [];
    this.produceErrors.push(errors);
    const fault = this.faults(index, parts) ?? {};
    const byTopic = new Map<string, { index: number; errorCode: number; baseOffset: bigint }[]>();
    for (const part of parts) {
      const key = `${part.topic}/${part.partition}`;
      let log = this.logs.get(key);
      if (!log) {
        log = new PartitionLog();
        this.logs.set(key, log);
      }
      const injected = fault.errors?.[key];
      const result = injected !== undefined ? { errorCode: injected, baseOffset: -1 } : log.append(part.batch);
      errors.push(result.errorCode);
      const list = byTopic.get(part.topic) ?? [];
      list.push({ index: part.partition, errorCode: result.errorCode, baseOffset: BigInt(result.baseOffset) });
      byTopic.set(part.topic, list);
    }
    const answer = (): FakeReply<typeof Produce> => {
      // Requests pipelined behind this one have arrived (the broker records them on receipt).
      const received = this.broker.requestsFor(Produce).length;
      this.maxOutstanding = Math.max(this.maxOutstanding, received - this.answered);
      this.answered++;
      if (body.acks === 0) return 'ignore';
      if (fault.thenDrop === 'close') return 'close';
      if (fault.thenDrop === 'ignore') return 'ignore';
      return {
        body: {
          responses: [...byTopic].map(([name, partitions]) => ({
            name,
            topicId: this.topicIds.get(name) ?? 'AAAAAAAAAAAAAAAAAAAAAA',
            partitionResponses: partitions.map((p) => ({ ...p, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null })),
          })),
          throttleTimeMs: 0,
        },
      };
    };
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    return answer();
  }
}
