/** The input of `Admin.alterGroupOffsets` and its synchronous check. */
import { checkInteger } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import { checkList, checkTopicName } from './requests.js';

/** A committed offset to set: the next offset the group will consume in that partition. */
export interface GroupOffsetUpdate {
  topic: string;
  partition: number;
  /** The next offset to consume (Kafka's convention: last processed + 1). */
  offset: number;
}

/** Validates `alterGroupOffsets` input: each partition once, offsets non-negative integers. */
export function checkGroupOffsets(items: unknown): GroupOffsetUpdate[] {
  const list = checkList<GroupOffsetUpdate>('offsets', items, (o) => `${String(o?.topic)}/${String(o?.partition)}`);
  list.forEach((o, i) => {
    const at = `offsets[${i}]`;
    if (o === null || typeof o !== 'object') throw new InvalidOptionError(at, 'expected { topic, partition, offset }');
    checkTopicName(`${at}.topic`, o.topic);
    checkInteger(`${at}.partition`, o.partition, 0, 2 ** 31 - 1);
    checkInteger(`${at}.offset`, o.offset, 0);
  });
  return list.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
}
