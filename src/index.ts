/**
 * kafka-stage: a demand-driven Apache Kafka client for Node.js.
 *
 * The package root exports the roles a user builds with (cluster client, producer, admin, the
 * partition reader) and the typed errors they throw. The wire protocol is under `kafka-stage/protocol`.
 */
export { Cluster, type RequestOptions, type RequestTarget } from './cluster/cluster.js';
export { CLUSTER_DEFAULTS, type ClusterOptions, type ResolvedClusterOptions } from './cluster/options.js';
export type { MetadataRecoveryStrategy, ResolvedMetadataRecovery } from './cluster/rebootstrap.js';
export { createStderrLogger, loggerFromPino, type FieldsFirstLogger, type Logger, type LogFields, type LoggerOption, type StderrLoggerOptions } from './logger.js';
export { TLS_INSECURE_WARNING, type ClusterTlsOptions, type TlsSettings } from './cluster/tls-options.js';
export type { BrokerInfo, ClusterMetadata, PartitionInfo, TopicInfo } from './cluster/metadata.js';
export { DEFAULT_RETRY, RetriesExhaustedError, type RetryOptions } from './cluster/retry.js';
export { UnsupportedVersionError } from './protocol/versions.js';

export { Producer, type ProducerRecord, type RecordMetadata, type Acks, type ProducerOptions } from './producer/producer.js';
export { PRODUCER_DEFAULTS, type ResolvedProducerOptions } from './producer/options.js';
export type { BytesLike } from './producer/producer.js';
export { murmur2, partitionForKey, type PartitionerFunction, type PartitionerInput } from './producer/partitioner.js';

export * from './admin/index.js';

export {
  readPartition,
  readPartitionBatches,
  readAll,
  OffsetOutOfRangeError,
  READ_PARTITION_DEFAULTS,
  type ReadPartitionOptions,
  type FetchedBatch,
} from './consumer/partition-reader.js';

export { ConsumerGroup } from './consumer/consumer-group.js';
export { StandaloneConsumer } from './consumer/standalone-consumer.js';
export type { SubscriberFactory, SubscriberContext } from './consumer/stage-host.js';
export {
  CONSUMER_DEFAULTS,
  type ConsumerCommonOptions,
  type ConsumerGroupOptions,
  type StandaloneConsumerOptions,
  type AutoOffsetReset,
  type CommitStrategy,
  type AssignorName,
  type GroupProtocol,
  type ServerAssignor,
  type CommitOptions,
  type BufferOptions,
  type FetchOptions,
  type ResolvedConsumerCommon,
  type ResolvedConsumerGroupOptions,
  type ResolvedStandaloneOptions,
  type StandalonePartition,
  type ResolvedStandalonePartition,
} from './consumer/options.js';
export type { TopicPartition, TopicPartitionOffset } from './protocol/topic-partition.js';
export type {
  Ackable,
  ConsumerBatch,
  ConsumerEvents,
  ConsumerEventName,
  DemandOptions,
  ErrorHandler,
  PartitionFailureStats,
  PartitionStage,
  PartitionStats,
  RecordsHandler,
  StuckReport,
} from './consumer/types.js';

export { REQUEST_CHANNEL } from './network/request-report.js';
export type { RequestEvent } from './network/connection-options.js';
export type { SaslOptions, SaslPasswordOptions, SaslOAuthBearerOptions, SaslAuthenticator } from './network/sasl/options.js';
export type { SaslMechanism, SaslExchange, SaslMechanismContext } from './network/sasl/mechanism.js';
export type { OAuthBearerToken, OAuthBearerTokenProvider } from './network/sasl/oauthbearer.js';
export type { SecretSource } from './network/sasl/secret.js';
export { SaslAuthenticationError, UnsupportedSaslMechanismError, type SaslErrorContext } from './network/sasl/errors.js';
export { SASL_CHANNEL, type SaslEvent } from './network/sasl/authenticator.js';

export { NoOffsetError, StageBusyError, SubscriberTimeoutError } from './consumer/errors.js';
export { KafkaStageError, InvalidOptionError, InvalidArgumentError, AbortedError, type ErrorContext, type KafkaStageErrorCode } from './errors.js';
export { ConnectionClosedError, ResponseTooLargeError, ConnectionError, RequestTimeoutError } from './network/errors.js';
export { RecordTooLargeError, DeliveryTimeoutError } from './producer/errors.js';
export { ProtocolError, CorruptRecordError, CompressionError, CodecUnavailableError } from './protocol/errors.js';
export { ErrorCode, errorNameOf, isRetriable, isInvalidMetadata, type KafkaErrorName } from './protocol/error-codes.js';
export { KafkaError, AuthorizationError, TopicAuthorizationError, GroupAuthorizationError, ClusterAuthorizationError, TransactionalIdAuthorizationError, type AuthorizationResourceType } from './protocol/kafka-error.js';
export { CommitLostError } from './consumer/commit-errors.js';
export { PartitionStoppedError } from './consumer/failure-errors.js';
export {
  FAILURE_POLICY_DEFAULTS,
  type FailurePolicy,
  type FailurePolicyOption,
  type RetryPolicy,
  type DeadLetterOptions,
  type FailurePolicySource,
  type ResolvedFailurePolicy,
} from './consumer/failure-policy.js';
export { DEAD_LETTER_HEADERS, DEAD_LETTER_ERROR_MAX_CHARS } from './consumer/dead-letter.js';
export { NoProgressError, type NoProgressContext } from './consumer/fetch-errors.js';
export { PartitionOffsetsError, OffsetCommitError, OffsetFetchError, PartitionNotOwnedError, type PartitionFailure } from './group/errors.js';
export type { CompressionName, KafkaRecord, RecordBatch, RecordHeader, RecordInput } from './protocol/records/types.js';
