/**
 * `stage.records()`: one record per `next()`, GenStage demand underneath (ask `maxDemand`, ask again
 * at `minDemand`). With records buffered, `next()` resolves at once: no timer, no waiting promise.
 */
import type { KafkaRecord } from '../../protocol/records/types.js';
import type { DemandPolicy } from './demand.js';
import { PullIterator } from './pull-iterator.js';
import type { DeliverySource } from './source.js';

/** An async iterator of a stage's records. */
export function createRecordIterator(source: DeliverySource, policy: DemandPolicy): PullIterator<KafkaRecord> {
  return new PullIterator(source, policy, () => source.takeOne());
}
