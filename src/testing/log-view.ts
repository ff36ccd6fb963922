/**
 * Reading a fake partition's log back for assertions: its batches decoded, with the producer
 * fields a broker keeps per batch (id, epoch, first sequence) beside the records.
 */
import { decodeRecordBatches } from '../protocol/records/decode-batches.js';
import type { KafkaRecord } from '../protocol/records/types.js';
import type { PartitionLog } from './partition-log.js';

/** One batch of a partition's log, as {@link FakeKafkaCluster.batches} returns it. */
export interface FakeBatch {
  /** Offset of the batch's first record. */
  readonly baseOffset: number;
  /** -1 for a producer that is not idempotent. */
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** Sequence number of the first record; record `i` has `baseSequence + i`. */
  readonly baseSequence: number;
  readonly records: readonly KafkaRecord[];
}

/** Decompression bound while reading a log back: far above any batch a test writes, still bounded. */
const MAX_READ_BYTES = 256 * 1024 * 1024;

/** Every batch `log` still holds, decoded, oldest first. */
export async function readBatches(log: PartitionLog, topic: string, partition: number): Promise<FakeBatch[]> {
  const out: FakeBatch[] = [];
  for (const stored of log.storedBatches) {
    const decoded = await decodeRecordBatches(stored.bytes, { maxDecompressedBytes: MAX_READ_BYTES, topic, partition });
    for (const b of decoded.batches) {
      out.push({ baseOffset: b.baseOffset, producerId: b.producerId, producerEpoch: b.producerEpoch, baseSequence: b.baseSequence, records: b.records });
    }
  }
  return out;
}
