/**
 * Hides the records of aborted transactions under read_committed, as the Java consumer does.
 *
 * A Fetch response lists, for the offsets it covers, the aborted transactions as (producer id, first
 * offset). Walking the batches in order: once a batch reaches an aborted transaction's first offset,
 * that producer's transactional batches are aborted until its ABORT marker (a control batch) ends
 * the transaction. State lives for one response, since each response lists its own aborts.
 */
import { CONTROL_TYPE_ABORT, parseControlRecordKey } from '../protocol/records/control-record.js';
import type { RecordBatch } from '../protocol/records/types.js';

/** One aborted transaction of a Fetch response. */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** Decides, batch by batch in log order, whether a batch belongs to an aborted transaction. */
export class AbortedTransactionFilter {
  /** Aborts not yet reached, by first offset ascending. */
  private readonly upcoming: AbortedTransaction[];
  /** Producers inside an aborted transaction at the current position. */
  private readonly aborting = new Set<bigint>();

  constructor(aborted: readonly AbortedTransaction[] | null) {
    this.upcoming = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  }

  /**
   * True when the user records of `batch` must be hidden. Call once per batch, in log order,
   * control batches included (they close aborted transactions).
   *
   * @throws CorruptRecordError when the marker of a control batch with a producer id cannot be read
   */
  isAborted(batch: RecordBatch): boolean {
    const last = BigInt(batch.lastOffset);
    while (this.upcoming.length > 0 && (this.upcoming[0] as AbortedTransaction).firstOffset <= last) {
      this.aborting.add((this.upcoming.shift() as AbortedTransaction).producerId);
    }
    if (batch.isControl) {
      // As the Java consumer: a batch without a producer id belongs to no transaction, so its
      // marker is not read (and an unreadable one cannot fail the partition).
      if (batch.producerId < 0n) return false;
      const marker = batch.records[0];
      if (marker && parseControlRecordKey(marker.key).type === CONTROL_TYPE_ABORT) this.aborting.delete(batch.producerId);
      return false;
    }
    return batch.isTransactional && this.aborting.has(batch.producerId);
  }
}
