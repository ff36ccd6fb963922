/** The input of `Admin.alterGroupOffsets` and its synchronous check. */
import { checkInteger } from '../options/validate.js';
import { checkPartitionList } from './requests.js';

/** A committed offset to set: the next offset the group will consume in that partition. */
export interface GroupOffsetUpdate {
  topic: string;
  partition: number;
  /** The next offset to consume (Kafka's convention: last processed + 1). */
  offset: number;
}

/** Validates `alterGroupOffsets` input: each partition once, offsets non-negative integers. */
export function checkGroupOffsets(items: unknown): GroupOffsetUpdate[] {
  const list = checkPartitionList<GroupOffsetUpdate>('offsets', items, '{ topic, partition, offset }', (o, at) => checkInteger(`${at}.offset`, o.offset, 0));
  return list.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
}
