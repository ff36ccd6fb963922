/**
 * What changes between the partitions a member owns and the ones a new generation assigns it. Under
 * the cooperative protocol only `revoked` is given up and only `added` is started; `kept` partitions
 * go on untouched. Pure.
 */
import { comparePartitions } from './assignors/member-order.js';
import type { TopicPartition } from '../protocol/consumer-protocol.js';

/** The three parts of a rebalance for one member. */
export interface AssignmentDiff {
  /** Owned before, not assigned now: to give up. */
  revoked: TopicPartition[];
  /** Assigned now, not owned before: to start. */
  added: TopicPartition[];
  /** Owned before and assigned now: untouched. */
  kept: TopicPartition[];
}

function key(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** `partitions` without duplicates, sorted by topic then partition. */
export function uniquePartitions(partitions: Iterable<TopicPartition>): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const tp of partitions) if (!seen.has(key(tp))) seen.set(key(tp), { topic: tp.topic, partition: tp.partition });
  return [...seen.values()].sort(comparePartitions);
}

/** Splits `owned` and `assigned` into revoked, added and kept partitions (each sorted, no duplicates). */
export function diffAssignment(owned: Iterable<TopicPartition>, assigned: Iterable<TopicPartition>): AssignmentDiff {
  const before = uniquePartitions(owned);
  const after = uniquePartitions(assigned);
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  return {
    revoked: before.filter((tp) => !afterKeys.has(key(tp))),
    added: after.filter((tp) => !beforeKeys.has(key(tp))),
    kept: after.filter((tp) => beforeKeys.has(key(tp))),
  };
}

/** `partitions` minus `removed`. */
export function withoutPartitions(partitions: readonly TopicPartition[], removed: Iterable<TopicPartition>): TopicPartition[] {
  const gone = new Set([...removed].map(key));
  return partitions.filter((tp) => !gone.has(key(tp)));
}
