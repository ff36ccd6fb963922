/**
 * Options of the consumer (group and standalone): one frozen defaults object, one resolve() that
 * validates and throws InvalidOptionError naming the option. Every option says its unit, default and
 * the Java client's equivalent.
 */
import { clusterOptionsOf, resolveClusterOptions, CLUSTER_OPTION_KEYS, type ClusterOptions, type ResolvedClusterOptions } from '../cluster/options.js';
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf, checkOptionsObject, checkString, checkTopicName } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { resolveFailurePolicyOption, type FailurePolicyOption, type FailurePolicySource } from './failure-policy.js';

/** Where to start when a partition has no committed offset (Java `auto.offset.reset`). */
export type AutoOffsetReset = 'earliest' | 'latest' | 'none';

/** How acked offsets become commits. */
export type CommitStrategy = 'async' | 'sync' | 'none';

/** Partition assignment strategies (Java `partition.assignment.strategy`). */
export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky';

/** Commit options (the Elixir `commit_strategy`, `commit_interval`, `commit_threshold`). */
export interface CommitOptions {
  /**
   * `async`: commit the acked prefix every `intervalMs` or after `threshold` acks, in the background;
   * `sync`: every ack resolves once its offset is durably committed; `none`: only explicit
   * `commit(offset)` calls commit (the Elixir `trigger_commit`). Default `async`.
   */
  strategy?: CommitStrategy;
  /** `async`: commit at least this often while acks arrive, ms. Default 5000 (Java `auto.commit.interval.ms`). */
  intervalMs?: number;
  /**
   * `async`: commit as soon as this many acks are uncommitted. Default 100 000: every commit is a
   * write to the broker's offsets log, and a small threshold makes a fast consumer commit after
   * nearly every Fetch, which costs throughput. A crash re-delivers at most `intervalMs` or
   * `threshold` worth of acked records, whichever is less.
   */
  threshold?: number;
}

/** Bounds of what the consumer holds fetched but undelivered: a full buffer gets no fetch. */
export interface BufferOptions {
  /** Records held per partition. Default 2000. */
  maxRecordsPerPartition?: number;
  /** Bytes (decompressed) held per partition. Default 1 MiB (cf. Java `max.partition.fetch.bytes`). */
  maxBytesPerPartition?: number;
  /** Bytes held across the whole consumer, in-flight fetches included. Default 32 MiB (cf. Java `fetch.max.bytes` 50 MiB). */
  maxBytes?: number;
}

/** Fetch tuning. */
export interface FetchOptions {
  /** How long the broker may hold a Fetch waiting for `minBytes`, ms. Default 500 (Java `fetch.max.wait.ms`). */
  maxWaitMs?: number;
  /** Bytes the broker waits for before answering. Default 1 (Java `fetch.min.bytes`). */
  minBytes?: number;
  /** Smallest per-partition fetch worth sending, bytes. Default 16 KiB. */
  minPartitionBytes?: number;
  /** `read_committed` hides aborted transactions (Java `isolation.level`). Default `read_uncommitted`. */
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Verify record-batch CRCs. Default true (Java `check.crcs`). */
  verifyCrc?: boolean;
}

/** Options every consumer takes, group member or standalone. */
export interface ConsumerCommonOptions extends ClusterOptions {
  /** Where to start without a committed offset. Default `latest` (as Java). */
  autoOffsetReset?: AutoOffsetReset;
  /** Commit strategy and its knobs. */
  commit?: CommitOptions;
  /** On revoke and stop, how long to wait for in-flight records to be acked before committing, ms. Default 10_000. */
  drainTimeoutMs?: number;
  /** A handler holding records longer than this raises a `stuck` event, ms. Default 60_000; 0 disables. */
  maxProcessingMs?: number;
  /** Buffer bounds. */
  buffer?: BufferOptions;
  /** Fetch tuning. */
  fetch?: FetchOptions;
  /**
   * What happens when a subscriber fails (throws, rejects, or calls `nack`): by default its
   * partition's delivery rewinds to the first unacked record and tries again after a backoff
   * (200 ms doubling to 30 s, 10 deliveries in all), holding that partition's later records while
   * other partitions go on; then the partition stops (`error` event, `PartitionStoppedError`), or
   * with `deadLetter` the records go to a dead-letter topic and the partition goes on. A function
   * gives each partition its own policy. See {@link FailurePolicy}. (KafkaJS: `retry` of `run()`,
   * with `restartOnFailure`.)
   */
  onFailure?: FailurePolicyOption;
}

/** Options of a consumer group member. */
export interface ConsumerGroupOptions extends ConsumerCommonOptions {
  /** The consumer group (Java `group.id`). Required. */
  groupId: string;
  /**
   * Topics to subscribe to. Required and non-empty unless `topicRegex` is given; each a legal Kafka topic name. A topic that does
   * not exist yet is not an error: it is logged as a warning once, and the group leader looks it up
   * again after 1 s, 2 s, 4 s, then every 5 s, and assigns it as soon as it exists (not only at the
   * next `metadataMaxAgeMs` refresh).
   */
  topics?: string[];
  /**
   * The group protocol (Java `group.protocol`). `'classic'` (the default, as in Java):
   * JoinGroup/SyncGroup/Heartbeat, the leader member assigns. `'consumer'`: the KIP-848 protocol
   * of Kafka 4.0+, one ConsumerGroupHeartbeat, the broker assigns and rebalances incrementally
   * without stopping the group. Both keep the same drain-and-commit contract on revocation. Under
   * `'consumer'` the session timeout and heartbeat interval are the broker's
   * (`group.consumer.session.timeout.ms`, `group.consumer.heartbeat.interval.ms`), so
   * `sessionTimeoutMs`, `heartbeatIntervalMs` and `assignors` are refused there; use
   * `serverAssignor` instead of `assignors`.
   */
  groupProtocol?: GroupProtocol;
  /**
   * The broker-side assignor of a `groupProtocol: 'consumer'` group (Java `group.remote.assignor`):
   * `'uniform'` or `'range'`. Default: the broker's (`group.consumer.assignors`, first is
   * `uniform`).
   */
  serverAssignor?: ServerAssignor;
  /**
   * Subscribes by a regular expression that the broker evaluates (RE2/J syntax, matched against the
   * whole topic name), instead of `topics`: topics created later that match are assigned without a
   * client-side metadata scan. Needs `groupProtocol: 'consumer'` and a Kafka 4.0+ broker.
   */
  topicRegex?: string;
  /** Static membership id (Java `group.instance.id`). Default none (dynamic member). */
  groupInstanceId?: string;
  /** Session timeout, ms (Java `session.timeout.ms`). Default 45_000. Classic protocol only. */
  sessionTimeoutMs?: number;
  /** How long the group waits for members to rejoin during a rebalance, ms (Java `max.poll.interval.ms`). Default 300_000. */
  rebalanceTimeoutMs?: number;
  /** Heartbeat period, ms (Java `heartbeat.interval.ms`; Elixir `heartbeat_interval`). Default 3000. Must be < sessionTimeoutMs. Classic protocol only. */
  heartbeatIntervalMs?: number;
  /**
   * Assignors in order of preference (Java `partition.assignment.strategy`). Default
   * `['cooperative-sticky']`: incremental rebalances, partitions that stay are never paused. As in
   * Java, rebalancing is cooperative only when every listed assignor is; add `'range'` to share a
   * group with Java consumers on their default and the group rebalances eagerly.
   */
  assignors?: AssignorName[];
}

/** The consumer group protocols: Kafka's classic one, and KIP-848's `consumer` protocol. */
export type GroupProtocol = 'classic' | 'consumer';

/** The broker-side assignors of a KIP-848 (`groupProtocol: 'consumer'`) group. */
export type ServerAssignor = 'uniform' | 'range';

/** A partition a standalone consumer reads, with an optional starting offset. */
export interface StandalonePartition extends TopicPartition {
  /** Where to start; else the committed offset, else the reset policy. */
  offset?: number;
}

/** A standalone consumer's partition after validation: `offset` null when none was given. */
export interface ResolvedStandalonePartition extends TopicPartition {
  offset: number | null;
}

/** Options of a standalone consumer: explicit partitions, no group. */
export interface StandaloneConsumerOptions extends ConsumerCommonOptions {
  /**
   * The partitions to read, each with an optional starting offset (else the committed one, else the
   * reset policy). A partition that does not exist yet is logged as a warning once per topic and
   * started as soon as it exists (looked up again after 1 s, 2 s, 4 s, then every 5 s).
   */
  partitions: StandalonePartition[];
  /** Group whose committed offsets are read and (unless commit strategy `none`) written. Optional. */
  groupId?: string;
}

/** Options after defaults and validation (shared parts). */
export interface ResolvedConsumerCommon {
  cluster: ResolvedClusterOptions;
  autoOffsetReset: AutoOffsetReset;
  commit: Required<CommitOptions>;
  drainTimeoutMs: number;
  maxProcessingMs: number;
  buffer: Required<BufferOptions>;
  fetch: Required<FetchOptions>;
  /** The `onFailure` policy of each partition. */
  onFailure: FailurePolicySource;
}

/** Group options after defaults and validation. */
export interface ResolvedConsumerGroupOptions extends ResolvedConsumerCommon {
  groupId: string;
  /** The subscribed topics; empty under a `topicRegex` subscription. */
  topics: string[];
  groupProtocol: GroupProtocol;
  /** Null: the broker's default assignor. */
  serverAssignor: ServerAssignor | null;
  /** Null: subscribed by `topics`. */
  topicRegex: string | null;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  assignors: AssignorName[];
}

/** Standalone options after defaults and validation. */
export interface ResolvedStandaloneOptions extends ResolvedConsumerCommon {
  partitions: ResolvedStandalonePartition[];
  groupId: string | null;
}

/** Defaults of the consumer options. */
export const CONSUMER_DEFAULTS = Object.freeze({
  sessionTimeoutMs: 45_000,
  rebalanceTimeoutMs: 300_000,
  heartbeatIntervalMs: 3_000,
  assignors: Object.freeze(['cooperative-sticky'] as AssignorName[]),
  autoOffsetReset: 'latest' as AutoOffsetReset,
  drainTimeoutMs: 10_000,
  maxProcessingMs: 60_000,
  commit: Object.freeze({ strategy: 'async' as CommitStrategy, intervalMs: 5_000, threshold: 100_000 }),
  buffer: Object.freeze({ maxRecordsPerPartition: 2_000, maxBytesPerPartition: 1024 * 1024, maxBytes: 32 * 1024 * 1024 }),
  fetch: Object.freeze({
    maxWaitMs: 500,
    minBytes: 1,
    minPartitionBytes: 16 * 1024,
    isolationLevel: 'read_uncommitted' as 'read_uncommitted' | 'read_committed',
    verifyCrc: true,
  }),
});

const COMMON_KEYS = ['autoOffsetReset', 'commit', 'drainTimeoutMs', 'maxProcessingMs', 'buffer', 'fetch', 'onFailure'] as const;
const GROUP_KEYS = [
  ...CLUSTER_OPTION_KEYS,
  ...COMMON_KEYS,
  'groupId',
  'topics',
  'groupProtocol',
  'serverAssignor',
  'topicRegex',
  'groupInstanceId',
  'sessionTimeoutMs',
  'rebalanceTimeoutMs',
  'heartbeatIntervalMs',
  'assignors',
] as const;
const STANDALONE_KEYS = [...CLUSTER_OPTION_KEYS, ...COMMON_KEYS, 'partitions', 'groupId'] as const;
const ASSIGNORS: readonly AssignorName[] = ['range', 'roundrobin', 'cooperative-sticky'];
const GROUP_PROTOCOLS: readonly GroupProtocol[] = ['classic', 'consumer'];
const SERVER_ASSIGNORS: readonly ServerAssignor[] = ['uniform', 'range'];

function objectOption<T extends object>(name: string, value: T | undefined, known: readonly string[]): Partial<T> {
  return checkOptionsObject(name, value, known, `consumer ${name}`);
}

function resolveCommon(options: ConsumerGroupOptions | StandaloneConsumerOptions): ResolvedConsumerCommon {
  const d = CONSUMER_DEFAULTS;
  const commit = objectOption('commit', options.commit, ['strategy', 'intervalMs', 'threshold']);
  const buffer = objectOption('buffer', options.buffer, ['maxRecordsPerPartition', 'maxBytesPerPartition', 'maxBytes']);
  const fetch = objectOption('fetch', options.fetch, ['maxWaitMs', 'minBytes', 'minPartitionBytes', 'isolationLevel', 'verifyCrc']);
  const resolved: ResolvedConsumerCommon = {
    cluster: resolveClusterOptions(clusterOptionsOf(options)),
    autoOffsetReset: checkOneOf('autoOffsetReset', options.autoOffsetReset ?? d.autoOffsetReset, ['earliest', 'latest', 'none']),
    commit: {
      strategy: checkOneOf('commit.strategy', commit.strategy ?? d.commit.strategy, ['async', 'sync', 'none']),
      intervalMs: checkInteger('commit.intervalMs', commit.intervalMs ?? d.commit.intervalMs, 1, 86_400_000),
      threshold: checkInteger('commit.threshold', commit.threshold ?? d.commit.threshold, 1),
    },
    drainTimeoutMs: checkInteger('drainTimeoutMs', options.drainTimeoutMs ?? d.drainTimeoutMs, 0, 3_600_000),
    maxProcessingMs: checkInteger('maxProcessingMs', options.maxProcessingMs ?? d.maxProcessingMs, 0, 86_400_000),
    buffer: {
      maxRecordsPerPartition: checkInteger('buffer.maxRecordsPerPartition', buffer.maxRecordsPerPartition ?? d.buffer.maxRecordsPerPartition, 1),
      maxBytesPerPartition: checkInteger('buffer.maxBytesPerPartition', buffer.maxBytesPerPartition ?? d.buffer.maxBytesPerPartition, 1024, 2 ** 31 - 1),
      maxBytes: checkInteger('buffer.maxBytes', buffer.maxBytes ?? d.buffer.maxBytes, 1024, Number.MAX_SAFE_INTEGER),
    },
    fetch: {
      maxWaitMs: checkInteger('fetch.maxWaitMs', fetch.maxWaitMs ?? d.fetch.maxWaitMs, 0, 600_000),
      minBytes: checkInteger('fetch.minBytes', fetch.minBytes ?? d.fetch.minBytes, 0, 2 ** 31 - 1),
      minPartitionBytes: checkInteger('fetch.minPartitionBytes', fetch.minPartitionBytes ?? d.fetch.minPartitionBytes, 1, 2 ** 31 - 1),
      isolationLevel: checkOneOf('fetch.isolationLevel', fetch.isolationLevel ?? d.fetch.isolationLevel, ['read_uncommitted', 'read_committed']),
      verifyCrc: checkBoolean('fetch.verifyCrc', fetch.verifyCrc ?? d.fetch.verifyCrc),
    },
    onFailure: resolveFailurePolicyOption(options.onFailure),
  };
  if (resolved.buffer.maxBytes < resolved.buffer.maxBytesPerPartition) {
    throw new InvalidOptionError('buffer.maxBytes', 'must be ≥ buffer.maxBytesPerPartition');
  }
  return resolved;
}

/** Resolves and validates consumer group options. */
export function resolveConsumerGroupOptions(options: ConsumerGroupOptions): ResolvedConsumerGroupOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object');
  checkKnownKeys('consumer group', options, GROUP_KEYS);
  const d = CONSUMER_DEFAULTS;
  const common = resolveCommon(options);
  const groupProtocol = checkOneOf('groupProtocol', options.groupProtocol ?? 'classic', GROUP_PROTOCOLS);
  const subscription = resolveSubscription(options, groupProtocol);
  if (groupProtocol === 'consumer') {
    // The broker owns these under KIP-848 (as Java refuses them with group.protocol=consumer).
    for (const name of ['sessionTimeoutMs', 'heartbeatIntervalMs', 'assignors'] as const) {
      if (options[name] !== undefined) {
        const instead = name === 'assignors' ? "use serverAssignor ('uniform' or 'range')" : `set the broker's group.consumer.${name === 'sessionTimeoutMs' ? 'session.timeout.ms' : 'heartbeat.interval.ms'}`;
        throw new InvalidOptionError(name, `is not used by groupProtocol 'consumer' (the broker decides it): ${instead}`);
      }
    }
  } else if (options.serverAssignor !== undefined) {
    throw new InvalidOptionError('serverAssignor', "needs groupProtocol 'consumer' (the classic protocol assigns in the client: use assignors)");
  }
  const serverAssignor = options.serverAssignor === undefined ? null : checkOneOf('serverAssignor', options.serverAssignor, SERVER_ASSIGNORS);
  const assignors = options.assignors ?? [...d.assignors];
  if (!Array.isArray(assignors) || assignors.length === 0) throw new InvalidOptionError('assignors', 'expected a non-empty array');
  assignors.forEach((a, i) => checkOneOf(`assignors[${i}]`, a, ASSIGNORS));
  const sessionTimeoutMs = checkInteger('sessionTimeoutMs', options.sessionTimeoutMs ?? d.sessionTimeoutMs, 1, 3_600_000);
  const heartbeatIntervalMs = checkInteger('heartbeatIntervalMs', options.heartbeatIntervalMs ?? d.heartbeatIntervalMs, 1, 3_600_000);
  if (heartbeatIntervalMs >= sessionTimeoutMs) {
    throw new InvalidOptionError('heartbeatIntervalMs', `must be < sessionTimeoutMs (${sessionTimeoutMs})`);
  }
  return {
    ...common,
    groupId: checkString('groupId', options.groupId),
    ...subscription,
    groupProtocol,
    serverAssignor,
    groupInstanceId: options.groupInstanceId === undefined ? null : checkString('groupInstanceId', options.groupInstanceId),
    sessionTimeoutMs,
    rebalanceTimeoutMs: checkInteger('rebalanceTimeoutMs', options.rebalanceTimeoutMs ?? d.rebalanceTimeoutMs, 1, 86_400_000),
    heartbeatIntervalMs,
    assignors,
  };
}

/** `topics` or `topicRegex` (exactly one; a regex only under the consumer protocol). */
function resolveSubscription(options: ConsumerGroupOptions, protocol: GroupProtocol): { topics: string[]; topicRegex: string | null } {
  if (options.topicRegex !== undefined) {
    if (options.topics !== undefined) throw new InvalidOptionError('topicRegex', 'give topics or topicRegex, not both');
    if (protocol !== 'consumer') throw new InvalidOptionError('topicRegex', "needs groupProtocol 'consumer' (the broker evaluates the regex)");
    const topicRegex = checkString('topicRegex', options.topicRegex);
    if (topicRegex === '') throw new InvalidOptionError('topicRegex', 'expected a non-empty regular expression');
    return { topics: [], topicRegex };
  }
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw new InvalidOptionError('topics', 'expected a non-empty array of topic names (or a topicRegex)');
  }
  const topics = options.topics.map((t, i) => checkTopicName(`topics[${i}]`, t));
  return { topics: [...new Set(topics)], topicRegex: null };
}

/** One `partitions` entry: an object with only topic, partition and offset. */
function checkPartitionEntry(i: number, entry: unknown): { topic?: unknown } {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new InvalidOptionError(`partitions[${i}]`, 'expected { topic, partition, offset? }');
  checkKnownKeys('partition', entry, ['topic', 'partition', 'offset'], `partitions[${i}]`);
  return entry;
}

/** Resolves and validates standalone consumer options. */
export function resolveStandaloneOptions(options: StandaloneConsumerOptions): ResolvedStandaloneOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object');
  checkKnownKeys('standalone consumer', options, STANDALONE_KEYS);
  const common = resolveCommon(options);
  if (!Array.isArray(options.partitions) || options.partitions.length === 0) {
    throw new InvalidOptionError('partitions', 'expected a non-empty array of {topic, partition, offset?}');
  }
  const partitions = options.partitions.map((p, i) => ({
    topic: checkTopicName(`partitions[${i}].topic`, checkPartitionEntry(i, p).topic),
    partition: checkInteger(`partitions[${i}].partition`, p?.partition, 0, 2 ** 31 - 1),
    offset: p?.offset === undefined ? null : checkInteger(`partitions[${i}].offset`, p.offset, 0),
  }));
  const groupId = options.groupId === undefined ? null : checkString('groupId', options.groupId);
  if (groupId === null && common.commit.strategy !== 'none' && options.commit?.strategy !== undefined) {
    throw new InvalidOptionError('commit.strategy', `'${common.commit.strategy}' needs a groupId to commit to`);
  }
  return { ...common, partitions, groupId };
}
