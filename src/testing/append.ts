/**
 * Writing records into a fake cluster's log without a producer: one batch, encoded as a
 * non-idempotent Java producer encodes it (no compression, no producer id), appended at the log
 * end as a Produce would append it. Tests use it to start from a log of known batches and offsets.
 */
import { decodeRecordBatches } from '../protocol/records/decode-batches.js';
import { encodeRecordBatch } from '../protocol/records/encode-batch.js';
import type { RecordInput } from '../protocol/records/types.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { ClusterState } from './cluster-state.js';
import type { FakePartition } from './topics.js';

/** Appends `records` to `partition`'s log as one batch; answers the offset of its first record. */
export async function appendBatch(state: ClusterState, partition: FakePartition, records: readonly RecordInput[]): Promise<number> {
  if (records.length === 0) throw new Error('append takes at least one record');
  const raw = await encodeRecordBatch({ records, compression: 'none' });
  // The log keeps each batch's decoded offsets and timestamps; uncompressed, nothing is decompressed.
  const [batch] = (await decodeRecordBatches(raw, { maxDecompressedBytes: raw.length })).batches;
  if (!batch) throw new Error('the encoded batch did not decode'); // cannot happen: the bytes are ours
  const { errorCode, baseOffset } = partition.log.append(raw, batch, partition.leaderEpoch);
  if (errorCode !== ErrorCode.NONE) throw new Error(`the log refused the batch (error ${errorCode})`);
  state.appended(); // a long-polling Fetch answers now, as after a Produce
  return baseOffset;
}
