/**
 * `stage.batches()`: records in batches, as buffered. A batch never waits to fill up and holds at
 * most `maxDemand − minDemand` records (GenStage hands a consumer its events in chunks of that size,
 * so demand for the rest keeps the fetcher busy while the subscriber works on a batch).
 */
import type { ConsumerBatch } from '../types.js';
import type { DemandPolicy } from './demand.js';
import { PullIterator } from './pull-iterator.js';
import type { DeliverySource } from './source.js';

/** An async iterator of a stage's records in batches. */
export function createBatchIterator(source: DeliverySource, policy: DemandPolicy): PullIterator<ConsumerBatch> {
  return new PullIterator(source, policy, () => {
    const records = source.take(policy.chunk);
    const first = records[0];
    const last = records[records.length - 1];
    if (first === undefined || last === undefined) return undefined;
    return { topic: source.topic, partition: source.partition, records, firstOffset: first.offset, lastOffset: last.offset };
  });
}
