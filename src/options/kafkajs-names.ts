/**
 * KafkaJS option names and what kafka-stage calls them, so an options object carried over from
 * KafkaJS fails with the name to use instead of a bare "unknown option". One table for every role:
 * the key is the option's path as the unknown-key check sees it ('' scope for top-level options,
 * `retry.x` inside `retry`, `topics[].x` inside a createTopics entry, `options.x` in an admin
 * call's options). Values are either the kafka-stage name (`to`) or why there is none (`none`).
 */

/** What kafka-stage has in place of one KafkaJS option. */
export type KafkaJsMapping = { readonly to: string } | { readonly none: string };

const NO_AUTO_CREATE = 'the broker is never asked to create topics: create them with Admin.createTopics (a missing topic is logged and waited for)';

/** KafkaJS options (client, producer, consumer, subscribe/run, admin) by path. */
export const KAFKAJS_NAMES: Readonly<Record<string, KafkaJsMapping>> = Object.freeze({
  // new Kafka({ ... })
  ssl: { to: 'tls (true, or Node TLS options such as ca, cert, key)' },
  connectionTimeout: { to: 'connectTimeoutMs' },
  authenticationTimeout: { to: 'connectTimeoutMs (it bounds the whole connection setup, SASL included)' },
  reauthenticationThreshold: { none: 're-authentication (KIP-368) happens on its own at 85-95 % of the session lifetime' },
  requestTimeout: { to: 'requestTimeoutMs' },
  enforceRequestTimeout: { none: 'requestTimeoutMs is always enforced' },
  logLevel: { to: "logger (an object with debug, info, warn and error; NODE_DEBUG=kafka-stage turns on debug output of the default logger)" },
  logCreator: { to: 'logger (an object with debug, info, warn and error)' },
  socketFactory: { none: 'connections are plain TCP or TLS (tls option)' },
  'sasl.oauthBearerProvider': { to: 'sasl.token (a function returning { value, lifetimeMs? })' },
  'sasl.authorizationIdentity': { none: 'for AWS IAM or other mechanisms, pass your own SaslMechanism object as sasl' },
  'retry.maxRetryTime': { to: 'retry.maxBackoffMs (the longest wait between attempts; retry.deadlineMs bounds the whole operation)' },
  'retry.initialRetryTime': { to: 'retry.initialBackoffMs' },
  'retry.factor': { none: 'backoffs get a built-in jitter' },
  'retry.multiplier': { none: 'the backoff doubles after each attempt, up to retry.maxBackoffMs' },
  'retry.restartOnFailure': { none: 'a consumer reports failures as error events and keeps going' },
  // kafka.producer({ ... })
  createPartitioner: { to: 'partitioner (a function (input) => partition | undefined)' },
  metadataMaxAge: { to: 'metadataMaxAgeMs' },
  allowAutoTopicCreation: { none: NO_AUTO_CREATE },
  maxInFlightRequests: { to: 'maxInFlight (producer)' },
  transactionalId: { none: 'transactions are not supported' },
  transactionTimeout: { none: 'transactions are not supported' },
  // kafka.consumer({ ... }), consumer.subscribe({ ... }), consumer.run({ ... })
  sessionTimeout: { to: 'sessionTimeoutMs' },
  rebalanceTimeout: { to: 'rebalanceTimeoutMs' },
  heartbeatInterval: { to: 'heartbeatIntervalMs' },
  partitionAssigners: { to: "assignors (e.g. ['cooperative-sticky'] or ['range'])" },
  maxBytesPerPartition: { to: 'buffer.maxBytesPerPartition' },
  minBytes: { to: 'fetch.minBytes' },
  maxBytes: { to: 'buffer.maxBytes' },
  maxWaitTimeInMs: { to: 'fetch.maxWaitMs' },
  readUncommitted: { to: "fetch.isolationLevel ('read_uncommitted' or 'read_committed')" },
  rackId: { none: 'fetching from the closest replica is not supported' },
  topic: { to: 'topics (an array of topic names)' },
  fromBeginning: { to: "autoOffsetReset: 'earliest'" },
  autoCommit: { to: "commit.strategy ('none' turns automatic commits off)" },
  autoCommitInterval: { to: 'commit.intervalMs' },
  autoCommitThreshold: { to: 'commit.threshold' },
  eachMessage: { to: 'the subscriber argument of the constructor (called with each partition\'s stage) or consumer.stream()' },
  eachBatch: { to: 'the subscriber argument of the constructor (stage.batches() yields batches) or consumer.stream()' },
  eachBatchAutoResolve: { none: 'records count as processed when acked (stage.ack)' },
  partitionsConsumedConcurrently: { none: 'every partition has its own subscriber, all running concurrently' },
  // admin.createTopics({ topics: [...], ... })
  'topics[].numPartitions': { to: 'partitions' },
  'topics[].configEntries': { to: "configs (an object: { 'cleanup.policy': 'compact' })" },
  'topics[].replicaAssignment': { none: 'replicas are placed by the broker' },
  'options.waitForLeaders': { none: 'createTopics always waits for the new partitions to have leaders' },
  'options.timeout': { to: 'timeoutMs' },
});

/**
 * The message for a KafkaJS option kafka-stage calls differently, or undefined. `path` is where
 * the key was found ('' at the top level; array indexes are ignored: `topics[2]` is `topics[]`).
 */
export function kafkaJsHint(path: string, key: string): string | undefined {
  const scope = path.replace(/\[\d+\]/g, '[]');
  const name = scope === '' ? key : `${scope}.${key}`;
  // Own keys only: 'constructor' or 'toString' must not find Object.prototype's.
  if (!Object.hasOwn(KAFKAJS_NAMES, name)) return undefined;
  const mapping = KAFKAJS_NAMES[name] as KafkaJsMapping;
  return 'to' in mapping ? `for KafkaJS's '${key}' use ${mapping.to}` : `KafkaJS's '${key}' has no kafka-stage equivalent: ${mapping.none}`;
}
