/**
 * What callers pass to the admin operations, and the checks that reject bad input synchronously with
 * an InvalidOptionError naming the offending field (`topics[2].partitions`), before anything is sent.
 */
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf, checkOptionsObject, checkTopicName } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import type { TopicPartition } from '../protocol/topic-partition.js';

/** A topic to create. */
export interface NewTopic {
  /** Topic name: 1-249 of `a-z A-Z 0-9 . _ -`. */
  topic: string;
  /** Partition count. */
  partitions: number;
  /** Replicas per partition; default: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  configs?: Record<string, string>;
}

/** Options of `createTopics`. */
export interface CreateTopicsOptions {
  /** Check the request without creating anything. Default false (Java `CreateTopicsOptions.validateOnly`). */
  validateOnly?: boolean;
  /** How long the broker may take, and how long to wait for leaders afterwards, ms. Default: `operationTimeoutMs`. */
  timeoutMs?: number;
  /** Treat TOPIC_ALREADY_EXISTS as success (the result says `created: false`). Default false. */
  ignoreExisting?: boolean;
}

/** New partition count of a topic. */
export interface NewPartitions {
  topic: string;
  /** The total partition count after the change (must exceed the current one). */
  count: number;
}

/** Options of `createPartitions`. */
export interface CreatePartitionsOptions {
  /** Check without changing anything. Default false. */
  validateOnly?: boolean;
  /** Broker timeout and wait for the new partitions' leaders, ms. Default: `operationTimeoutMs`. */
  timeoutMs?: number;
}

/** Options of `deleteTopics`. */
export interface DeleteTopicsOptions {
  /** How long the broker may take, ms. Default: `operationTimeoutMs`. */
  timeoutMs?: number;
}

/** Which offset to look up: the log start, the log end, or the first offset with a timestamp ≥ a time (ms since epoch). */
export type OffsetSpec = 'earliest' | 'latest' | number;

/** One partition whose offset to look up. */
export interface OffsetQuery {
  topic: string;
  partition: number;
  spec: OffsetSpec;
}

/** Options of `listOffsets`. */
export interface ListOffsetsOptions {
  /** `read_committed` makes `latest` the last stable offset. Default `read_uncommitted` (Java `isolation.level`). */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
}

/** Kinds of config resource. */
export type ConfigResourceType = 'topic' | 'broker';

/** A config resource to describe. */
export interface ConfigResource {
  type: ConfigResourceType;
  /** Topic name, or the broker's node id as a string. */
  name: string;
  /** Only these keys; default all. */
  keys?: string[];
}

export { checkTopicName };

/** A non-empty array with no entity listed twice. */
export function checkList<T>(path: string, value: unknown, keyOf: (item: T) => string): T[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidOptionError(path, 'expected a non-empty array');
  const seen = new Set<string>();
  value.forEach((item: T, i) => {
    const key = keyOf(item);
    if (seen.has(key)) throw new InvalidOptionError(`${path}[${i}]`, `${key} is listed twice`);
    seen.add(key);
  });
  return value as T[];
}

/** An admin call's options object (or undefined), with only known keys. */
export function checkCallOptions(path: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  return checkOptionsObject(path, value as Record<string, unknown> | undefined, known, 'admin call');
}

const NEW_TOPIC_KEYS = ['topic', 'partitions', 'replicationFactor', 'configs'] as const;

/** Validates `createTopics` input. */
export function checkNewTopics(topics: unknown): NewTopic[] {
  const list = checkList<NewTopic>('topics', topics, (t) => String((t as NewTopic | null)?.topic));
  list.forEach((t, i) => {
    const at = `topics[${i}]`;
    if (t === null || typeof t !== 'object') throw new InvalidOptionError(at, 'expected { topic, partitions }');
    checkKnownKeys('new topic', t, NEW_TOPIC_KEYS, at);
    checkTopicName(`${at}.topic`, t.topic);
    checkInteger(`${at}.partitions`, t.partitions, 1, 1_000_000);
    if (t.replicationFactor !== undefined) checkInteger(`${at}.replicationFactor`, t.replicationFactor, 1, 32_767);
    if (t.configs !== undefined) {
      if (t.configs === null || typeof t.configs !== 'object' || Array.isArray(t.configs)) {
        throw new InvalidOptionError(`${at}.configs`, 'expected an object of string values');
      }
      for (const [k, v] of Object.entries(t.configs)) {
        if (typeof v !== 'string') throw new InvalidOptionError(`${at}.configs.${k}`, 'expected a string value');
      }
    }
  });
  return list;
}

/** Validates `createPartitions` input. */
export function checkNewPartitions(items: unknown): NewPartitions[] {
  const list = checkList<NewPartitions>('partitions', items, (p) => String((p as NewPartitions | null)?.topic));
  list.forEach((p, i) => {
    if (p === null || typeof p !== 'object') throw new InvalidOptionError(`partitions[${i}]`, 'expected { topic, count }');
    checkTopicName(`partitions[${i}].topic`, p.topic);
    checkInteger(`partitions[${i}].count`, p.count, 1, 1_000_000);
  });
  return list;
}

/** Validates `listOffsets` input. */
export function checkOffsetQueries(items: unknown): OffsetQuery[] {
  return checkPartitionList<OffsetQuery>('partitions', items, '{ topic, partition, spec }', (q, at) => {
    if (q.spec !== 'earliest' && q.spec !== 'latest') checkInteger(`${at}.spec`, q.spec, 0);
  });
}

/**
 * Validates a list of `{ topic, partition, … }` items at `path`: a non-empty array naming each
 * partition once, each item an object (`shape` says which) with a topic name and a partition index;
 * `checkRest` checks the item's other fields, `at` naming the item (`offsets[2]`).
 */
export function checkPartitionList<T extends TopicPartition>(path: string, items: unknown, shape: string, checkRest: (item: T, at: string) => void): T[] {
  const list = checkList<T>(path, items, (o) => `${String(o?.topic)}/${String(o?.partition)}`);
  list.forEach((o, i) => {
    const at = `${path}[${i}]`;
    if (o === null || typeof o !== 'object') throw new InvalidOptionError(at, `expected ${shape}`);
    checkTopicName(`${at}.topic`, o.topic);
    checkInteger(`${at}.partition`, o.partition, 0, 2 ** 31 - 1);
    checkRest(o, at);
  });
  return list;
}

/** Validates `describeConfigs` input. */
export function checkConfigResources(items: unknown): ConfigResource[] {
  const list = checkList<ConfigResource>('resources', items, (r) => `${String(r?.type)}:${String(r?.name)}`);
  list.forEach((r, i) => {
    const at = `resources[${i}]`;
    if (r === null || typeof r !== 'object') throw new InvalidOptionError(at, 'expected { type, name }');
    checkOneOf(`${at}.type`, r.type, ['topic', 'broker'] as const);
    if (r.type === 'topic') checkTopicName(`${at}.name`, r.name);
    else if (typeof r.name !== 'string' || !/^\d+$/.test(r.name)) throw new InvalidOptionError(`${at}.name`, 'expected a broker node id such as "1"');
    if (r.keys !== undefined && (!Array.isArray(r.keys) || r.keys.some((k) => typeof k !== 'string'))) {
      throw new InvalidOptionError(`${at}.keys`, 'expected an array of config names');
    }
  });
  return list;
}

/** A call's `timeoutMs`, or the admin default. */
export function checkTimeout(path: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : checkInteger(path, value, 1, 2 ** 31 - 1);
}

/** A call's boolean flag, or false. */
export function checkFlag(path: string, value: unknown): boolean {
  return value === undefined ? false : checkBoolean(path, value);
}
