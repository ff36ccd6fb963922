/**
 * Kafka's error codes: one table with each code's name, whether retrying may succeed, and a short
 * explanation. `retriable` follows the Java client (true exactly where its exception class is a
 * RetriableException) and defaults to false: an error we do not know is not retried blindly.
 */
import { KafkaStageError, type ErrorContext, type KafkaStageErrorCode } from './errors.js';

/** One row of the table. */
export interface KafkaErrorInfo {
  /** Kafka's name of the code, e.g. `NOT_LEADER_OR_FOLLOWER`. */
  readonly name: string;
  /** True when repeating the request (usually after a metadata refresh or a backoff) may succeed. */
  readonly retriable: boolean;
  /** What the code means, in a sentence. */
  readonly message: string;
}

type Row = [code: number, info: { name: string; retriable?: boolean; message: string }];

// Codes, names and retriability as in Apache Kafka 4.4's protocol; the messages are ours.
const ROWS: Row[] = [
  [-1, { name: 'UNKNOWN_SERVER_ERROR', message: 'The broker hit an unexpected error it could not classify.' }],
  [0, { name: 'NONE', message: 'No error.' }],
  [1, { name: 'OFFSET_OUT_OF_RANGE', message: 'The requested offset lies outside the range the partition holds.' }],
  [2, { name: 'CORRUPT_MESSAGE', retriable: true, message: 'A record failed its CRC check, is too small, or is otherwise malformed.' }],
  [3, { name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, message: 'The broker does not host this topic or partition.' }],
  [4, { name: 'INVALID_FETCH_SIZE', message: 'The requested fetch size is invalid.' }],
  [5, { name: 'LEADER_NOT_AVAILABLE', retriable: true, message: 'The partition is electing a leader; no leader is available yet.' }],
  [6, { name: 'NOT_LEADER_OR_FOLLOWER', retriable: true, message: 'This broker is not the leader (or a follower) for the partition; refresh metadata.' }],
  [7, { name: 'REQUEST_TIMED_OUT', retriable: true, message: 'The request did not complete within its timeout.' }],
  [8, { name: 'BROKER_NOT_AVAILABLE', message: 'The broker is not available.' }],
  [9, { name: 'REPLICA_NOT_AVAILABLE', retriable: true, message: 'The replica is not available on this broker.' }],
  [10, { name: 'MESSAGE_TOO_LARGE', message: 'The request carries a record larger than the broker accepts.' }],
  [11, { name: 'STALE_CONTROLLER_EPOCH', message: 'The request came from an outdated controller epoch.' }],
  [12, { name: 'OFFSET_METADATA_TOO_LARGE', message: 'The metadata string attached to the offset commit is too large.' }],
  [13, { name: 'NETWORK_EXCEPTION', retriable: true, message: 'The broker\'s connection failed while handling the request.' }],
  [14, { name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true, message: 'The coordinator is still loading its state.' }],
  [15, { name: 'COORDINATOR_NOT_AVAILABLE', retriable: true, message: 'The coordinator is not available.' }],
  [16, { name: 'NOT_COORDINATOR', retriable: true, message: 'This broker is not the coordinator for the group or transaction.' }],
  [17, { name: 'INVALID_TOPIC_EXCEPTION', message: 'The topic name is invalid or the request targets an internal topic.' }],
  [18, { name: 'RECORD_LIST_TOO_LARGE', message: 'The record batch exceeds the broker\'s maximum batch size.' }],
  [19, { name: 'NOT_ENOUGH_REPLICAS', retriable: true, message: 'Fewer in-sync replicas exist than the topic requires.' }],
  [20, { name: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', retriable: true, message: 'The records were written, but to fewer in-sync replicas than the topic requires.' }],
  [21, { name: 'INVALID_REQUIRED_ACKS', message: 'The requested number of acknowledgements is invalid.' }],
  [22, { name: 'ILLEGAL_GENERATION', message: 'The group generation in the request is not the current one.' }],
  [23, { name: 'INCONSISTENT_GROUP_PROTOCOL', message: 'The member\'s protocol type or protocols do not match the group\'s.' }],
  [24, { name: 'INVALID_GROUP_ID', message: 'The group id is empty or invalid.' }],
  [25, { name: 'UNKNOWN_MEMBER_ID', message: 'The coordinator does not know this member id.' }],
  [26, { name: 'INVALID_SESSION_TIMEOUT', message: 'The session timeout is outside the range the broker allows.' }],
  [27, { name: 'REBALANCE_IN_PROGRESS', message: 'The group is rebalancing; rejoin.' }],
  [28, { name: 'INVALID_COMMIT_OFFSET_SIZE', message: 'The committed offset metadata has an invalid size.' }],
  [29, { name: 'TOPIC_AUTHORIZATION_FAILED', message: 'Not authorized to access the topic.' }],
  [30, { name: 'GROUP_AUTHORIZATION_FAILED', message: 'Not authorized to access the group.' }],
  [31, { name: 'CLUSTER_AUTHORIZATION_FAILED', message: 'Not authorized for this cluster operation.' }],
  [32, { name: 'INVALID_TIMESTAMP', message: 'A record timestamp is outside the accepted range.' }],
  [33, { name: 'UNSUPPORTED_SASL_MECHANISM', message: 'The broker does not support this SASL mechanism.' }],
  [34, { name: 'ILLEGAL_SASL_STATE', message: 'The SASL request is not valid in the current authentication state.' }],
  [35, { name: 'UNSUPPORTED_VERSION', message: 'The broker does not support this API version.' }],
  [36, { name: 'TOPIC_ALREADY_EXISTS', message: 'A topic with this name already exists.' }],
  [37, { name: 'INVALID_PARTITIONS', message: 'The number of partitions is invalid.' }],
  [38, { name: 'INVALID_REPLICATION_FACTOR', message: 'The replication factor is invalid.' }],
  [39, { name: 'INVALID_REPLICA_ASSIGNMENT', message: 'The replica assignment is invalid.' }],
  [40, { name: 'INVALID_CONFIG', message: 'A configuration value is invalid.' }],
  [41, { name: 'NOT_CONTROLLER', retriable: true, message: 'This broker is not the active controller.' }],
  [42, { name: 'INVALID_REQUEST', message: 'The request is malformed or violates the protocol; see the broker log.' }],
  [43, { name: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', message: 'The partition\'s message format does not support this request.' }],
  [44, { name: 'POLICY_VIOLATION', message: 'The request violates a broker-side policy.' }],
  [45, { name: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: 'The broker received a producer sequence number out of order.' }],
  [46, { name: 'DUPLICATE_SEQUENCE_NUMBER', message: 'The broker received a duplicate producer sequence number.' }],
  [47, { name: 'INVALID_PRODUCER_EPOCH', message: 'The producer epoch is stale or otherwise invalid.' }],
  [48, { name: 'INVALID_TXN_STATE', message: 'The operation is not valid in the transaction\'s current state.' }],
  [49, { name: 'INVALID_PRODUCER_ID_MAPPING', message: 'The producer id is not mapped to the transactional id, or is unknown.' }],
  [50, { name: 'INVALID_TRANSACTION_TIMEOUT', message: 'The transaction timeout exceeds the broker\'s maximum.' }],
  [51, { name: 'CONCURRENT_TRANSACTIONS', retriable: true, message: 'Another transaction operation for this producer is in progress.' }],
  [52, { name: 'TRANSACTION_COORDINATOR_FENCED', message: 'A newer transaction coordinator has taken over.' }],
  [53, { name: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', message: 'Not authorized for this transactional id.' }],
  [54, { name: 'SECURITY_DISABLED', message: 'Security features are disabled on the broker.' }],
  [55, { name: 'OPERATION_NOT_ATTEMPTED', message: 'The operation was not attempted because a related operation failed.' }],
  [56, { name: 'KAFKA_STORAGE_ERROR', retriable: true, message: 'A disk error occurred while accessing the log.' }],
  [57, { name: 'LOG_DIR_NOT_FOUND', message: 'The requested log directory does not exist.' }],
  [58, { name: 'SASL_AUTHENTICATION_FAILED', message: 'SASL authentication failed.' }],
  [59, { name: 'UNKNOWN_PRODUCER_ID', message: 'The broker has no state for this producer id.' }],
  [60, { name: 'REASSIGNMENT_IN_PROGRESS', message: 'A partition reassignment is in progress.' }],
  [61, { name: 'DELEGATION_TOKEN_AUTH_DISABLED', message: 'Delegation tokens are not enabled.' }],
  [62, { name: 'DELEGATION_TOKEN_NOT_FOUND', message: 'The delegation token was not found.' }],
  [63, { name: 'DELEGATION_TOKEN_OWNER_MISMATCH', message: 'The principal does not own the delegation token.' }],
  [64, { name: 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED', message: 'Delegation token requests are not allowed on this connection\'s authentication.' }],
  [65, { name: 'DELEGATION_TOKEN_AUTHORIZATION_FAILED', message: 'Not authorized for the delegation token operation.' }],
  [66, { name: 'DELEGATION_TOKEN_EXPIRED', message: 'The delegation token has expired.' }],
  [67, { name: 'INVALID_PRINCIPAL_TYPE', message: 'The principal type is not supported.' }],
  [68, { name: 'NON_EMPTY_GROUP', message: 'The group is not empty.' }],
  [69, { name: 'GROUP_ID_NOT_FOUND', message: 'The group id does not exist.' }],
  [70, { name: 'FETCH_SESSION_ID_NOT_FOUND', retriable: true, message: 'The fetch session id was not found.' }],
  [71, { name: 'INVALID_FETCH_SESSION_EPOCH', retriable: true, message: 'The fetch session epoch is invalid.' }],
  [72, { name: 'LISTENER_NOT_FOUND', retriable: true, message: 'The leader has no endpoint for the listener the request came in on.' }],
  [73, { name: 'TOPIC_DELETION_DISABLED', message: 'Topic deletion is disabled.' }],
  [74, { name: 'FENCED_LEADER_EPOCH', retriable: true, message: 'The request\'s leader epoch is older than the broker\'s.' }],
  [75, { name: 'UNKNOWN_LEADER_EPOCH', retriable: true, message: 'The request\'s leader epoch is newer than the broker\'s.' }],
  [76, { name: 'UNSUPPORTED_COMPRESSION_TYPE', message: 'The requesting client does not support the topic\'s compression type.' }],
  [77, { name: 'STALE_BROKER_EPOCH', message: 'The broker epoch is stale.' }],
  [78, { name: 'OFFSET_NOT_AVAILABLE', retriable: true, message: 'The leader\'s high watermark has not caught up with a recent election; the offset is not available yet.' }],
  [79, { name: 'MEMBER_ID_REQUIRED', message: 'The group requires a member id; rejoin with the one given.' }],
  [80, { name: 'PREFERRED_LEADER_NOT_AVAILABLE', retriable: true, message: 'The preferred leader is not available.' }],
  [81, { name: 'GROUP_MAX_SIZE_REACHED', message: 'The group has reached its maximum size.' }],
  [82, { name: 'FENCED_INSTANCE_ID', message: 'Another member with the same group instance id has taken over.' }],
  [83, { name: 'ELIGIBLE_LEADERS_NOT_AVAILABLE', retriable: true, message: 'No eligible leader is available for the partition.' }],
  [84, { name: 'ELECTION_NOT_NEEDED', retriable: true, message: 'The leader election is not needed.' }],
  [85, { name: 'NO_REASSIGNMENT_IN_PROGRESS', message: 'No partition reassignment is in progress.' }],
  [86, { name: 'GROUP_SUBSCRIBED_TO_TOPIC', message: 'A group offset cannot be deleted while the group is subscribed to the topic.' }],
  [87, { name: 'INVALID_RECORD', message: 'A record failed broker-side validation.' }],
  [88, { name: 'UNSTABLE_OFFSET_COMMIT', retriable: true, message: 'Offsets are pending from an unfinished transaction.' }],
  [89, { name: 'THROTTLING_QUOTA_EXCEEDED', retriable: true, message: 'The request exceeded a throttling quota.' }],
  [90, { name: 'PRODUCER_FENCED', message: 'A newer producer with the same transactional id has fenced this one.' }],
  [91, { name: 'RESOURCE_NOT_FOUND', message: 'The requested resource does not exist.' }],
  [92, { name: 'DUPLICATE_RESOURCE', message: 'The request names the same resource more than once.' }],
  [93, { name: 'UNACCEPTABLE_CREDENTIAL', message: 'The credential does not meet the broker\'s requirements.' }],
  [94, { name: 'INCONSISTENT_VOTER_SET', message: 'The voter set is inconsistent with the leader\'s.' }],
  [95, { name: 'INVALID_UPDATE_VERSION', message: 'The update version is invalid.' }],
  [96, { name: 'FEATURE_UPDATE_FAILED', message: 'The feature update failed.' }],
  [97, { name: 'PRINCIPAL_DESERIALIZATION_FAILURE', message: 'The request principal could not be deserialized.' }],
  [98, { name: 'SNAPSHOT_NOT_FOUND', message: 'The snapshot was not found.' }],
  [99, { name: 'POSITION_OUT_OF_RANGE', message: 'The requested position is outside the snapshot.' }],
  [100, { name: 'UNKNOWN_TOPIC_ID', retriable: true, message: 'The broker does not know this topic id.' }],
  [101, { name: 'DUPLICATE_BROKER_REGISTRATION', message: 'This broker id is already registered.' }],
  [102, { name: 'BROKER_ID_NOT_REGISTERED', message: 'The broker id is not registered.' }],
  [103, { name: 'INCONSISTENT_TOPIC_ID', retriable: true, message: 'The topic id in the request does not match the topic\'s id in the log.' }],
  [104, { name: 'INCONSISTENT_CLUSTER_ID', message: 'The cluster id does not match.' }],
  [105, { name: 'TRANSACTIONAL_ID_NOT_FOUND', message: 'The transactional id was not found.' }],
  [106, { name: 'FETCH_SESSION_TOPIC_ID_ERROR', retriable: true, message: 'The fetch session topic ids are inconsistent.' }],
  [107, { name: 'INELIGIBLE_REPLICA', message: 'The replica is not eligible to join the in-sync set.' }],
  [108, { name: 'NEW_LEADER_ELECTED', message: 'A new leader was elected while the request was handled.' }],
  [109, { name: 'OFFSET_MOVED_TO_TIERED_STORAGE', message: 'The requested offset has moved to tiered storage.' }],
  [110, { name: 'FENCED_MEMBER_EPOCH', message: 'The member epoch is fenced by the group coordinator.' }],
  [111, { name: 'UNRELEASED_INSTANCE_ID', message: 'The group instance id has not been released yet.' }],
  [112, { name: 'UNSUPPORTED_ASSIGNOR', message: 'The assignor is not supported by the consumer group.' }],
  [113, { name: 'STALE_MEMBER_EPOCH', message: 'The member epoch is stale.' }],
  [114, { name: 'MISMATCHED_ENDPOINT_TYPE', message: 'The request reached an endpoint of the wrong type.' }],
  [115, { name: 'UNSUPPORTED_ENDPOINT_TYPE', message: 'This endpoint type does not support the request.' }],
  [116, { name: 'UNKNOWN_CONTROLLER_ID', message: 'The controller id is not known.' }],
  [117, { name: 'UNKNOWN_SUBSCRIPTION_ID', message: 'The client telemetry subscription id is unknown.' }],
  [118, { name: 'TELEMETRY_TOO_LARGE', message: 'The client telemetry payload is too large.' }],
  [119, { name: 'INVALID_REGISTRATION', message: 'The controller registration is invalid.' }],
  [120, { name: 'TRANSACTION_ABORTABLE', message: 'The transaction can be aborted but not continued; abort it.' }],
  [121, { name: 'INVALID_RECORD_STATE', message: 'The record is in a state that does not allow this share operation.' }],
  [122, { name: 'SHARE_SESSION_NOT_FOUND', retriable: true, message: 'The share session was not found.' }],
  [123, { name: 'INVALID_SHARE_SESSION_EPOCH', retriable: true, message: 'The share session epoch is invalid.' }],
  [124, { name: 'FENCED_STATE_EPOCH', message: 'The share-group state epoch is fenced.' }],
  [125, { name: 'INVALID_VOTER_KEY', message: 'The voter key does not match the receiving replica.' }],
  [126, { name: 'DUPLICATE_VOTER', message: 'The voter is already part of the set of voters.' }],
  [127, { name: 'VOTER_NOT_FOUND', message: 'The voter is not part of the set of voters.' }],
  [128, { name: 'INVALID_REGULAR_EXPRESSION', message: 'The regular expression is invalid.' }],
  [129, { name: 'REBOOTSTRAP_REQUIRED', message: 'The client must rebootstrap its metadata.' }],
  [130, { name: 'STREAMS_INVALID_TOPOLOGY', message: 'The streams topology is invalid.' }],
  [131, { name: 'STREAMS_INVALID_TOPOLOGY_EPOCH', message: 'The streams topology epoch is invalid.' }],
  [132, { name: 'STREAMS_TOPOLOGY_FENCED', message: 'The streams topology was fenced by a newer one.' }],
  [133, { name: 'SHARE_SESSION_LIMIT_REACHED', retriable: true, message: 'The broker\'s limit of share sessions is reached.' }],
  [134, { name: 'GROUP_DELETION_FAILED', message: 'Deleting the group failed.' }],
  [135, { name: 'STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED', message: 'Updating the streams topology description failed.' }],
  [136, { name: 'CONTROLLER_ID_NOT_REGISTERED', message: 'The controller id is not registered.' }],
];

/** Every known Kafka error code, by code. */
export const KAFKA_ERRORS: ReadonlyMap<number, KafkaErrorInfo> = new Map(
  ROWS.map(([code, info]) => [code, Object.freeze({ name: info.name, retriable: info.retriable ?? false, message: info.message })]),
);

/** Error codes by name, e.g. `KAFKA_ERROR_CODES.get('NOT_COORDINATOR') === 16`. */
export const KAFKA_ERROR_CODES: ReadonlyMap<string, number> = new Map(ROWS.map(([code, info]) => [info.name, code]));

/** The table row of `code`; unknown codes get the name `UNKNOWN_<code>` and are not retriable. */
export function kafkaErrorInfo(code: number): KafkaErrorInfo {
  return (
    KAFKA_ERRORS.get(code) ?? {
      name: `UNKNOWN_${code}`,
      retriable: false,
      message: `Error code ${code} is not known to this client.`,
    }
  );
}

/** Kafka's name of an error code (`UNKNOWN_<code>` when unknown). */
export function errorNameOf(code: number): string {
  return kafkaErrorInfo(code).name;
}

/** True when Kafka marks the code retriable; false for unknown codes. */
export function isRetriable(code: number): boolean {
  return kafkaErrorInfo(code).retriable;
}

/** Options of a {@link KafkaError} beyond its code and context. */
export interface KafkaErrorOptions {
  /** The error message the broker sent with the code, if any (many responses carry one). */
  brokerMessage?: string | null;
  /** Underlying cause. */
  cause?: unknown;
}

/** An error code returned by a broker, with the table's name and retriability and where it happened. */
export class KafkaError extends KafkaStageError {
  /** Kafka's numeric error code. */
  readonly errorCode: number;
  /** Kafka's name of the code, e.g. `UNKNOWN_TOPIC_OR_PARTITION`. */
  readonly errorName: string;
  /** The message the broker sent with the code, if any. */
  readonly brokerMessage: string | null;

  constructor(errorCode: number, context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const info = kafkaErrorInfo(errorCode);
    const brokerMessage = options.brokerMessage ?? null;
    const where = describeContext(context);
    const detail = brokerMessage ? ` Broker says: ${brokerMessage}` : '';
    super('ERR_KAFKA', `${info.name} (${errorCode})${where}: ${info.message}${detail}`, {
      context,
      cause: options.cause,
      retriable: info.retriable,
    });
    this.errorCode = errorCode;
    this.errorName = info.name;
    this.brokerMessage = brokerMessage;
  }
}

function describeContext(context: ErrorContext): string {
  const parts: string[] = [];
  if (context.api !== undefined) parts.push(context.api);
  if (context.topic !== undefined) parts.push(context.partition !== undefined ? `${context.topic}/${context.partition}` : context.topic);
  else if (context.partition !== undefined) parts.push(`partition ${context.partition}`);
  if (context.broker !== undefined) parts.push(`broker ${context.broker}`);
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

/**
 * The error for a code from a response, or null for 0 (no error). The usual way to check a
 * response: `const err = kafkaError(p.errorCode, { topic, partition, api: 'Fetch' }); if (err) ...`.
 * Authorization codes give their typed subclass (see {@link kafkaErrorOf}).
 */
export function kafkaError(errorCode: number, context: ErrorContext = {}, options: KafkaErrorOptions = {}): KafkaError | null {
  return errorCode === 0 ? null : kafkaErrorOf(errorCode, context, options);
}

/**
 * The {@link KafkaError} for a non-zero code: a {@link TopicAuthorizationError},
 * {@link GroupAuthorizationError}, {@link ClusterAuthorizationError} or
 * {@link TransactionalIdAuthorizationError} for the authorization codes (29, 30, 31, 53), a plain
 * KafkaError otherwise. Use it wherever an error is built from a code the broker sent, so callers
 * can switch on the typed error's `code` whatever path the answer took.
 */
export function kafkaErrorOf(errorCode: number, context: ErrorContext = {}, options: KafkaErrorOptions = {}): KafkaError {
  switch (errorCode) {
    case TOPIC_AUTHORIZATION_FAILED:
      return new TopicAuthorizationError(context, options);
    case GROUP_AUTHORIZATION_FAILED:
      return new GroupAuthorizationError(context, options);
    case CLUSTER_AUTHORIZATION_FAILED:
      return new ClusterAuthorizationError(context, options);
    case TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return new TransactionalIdAuthorizationError(context, options);
    default:
      return new KafkaError(errorCode, context, options);
  }
}

// The authorization errors live here rather than in a file of their own: they extend KafkaError and
// kafkaErrorOf() builds them, and a module cycle between the two files would leave the base class
// uninitialised when the subclass file is evaluated first.

/** TOPIC_AUTHORIZATION_FAILED. */
const TOPIC_AUTHORIZATION_FAILED = 29;
/** GROUP_AUTHORIZATION_FAILED. */
const GROUP_AUTHORIZATION_FAILED = 30;
/** CLUSTER_AUTHORIZATION_FAILED. */
const CLUSTER_AUTHORIZATION_FAILED = 31;
/** TRANSACTIONAL_ID_AUTHORIZATION_FAILED. */
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;

/** Kinds of resource an ACL guards, as the authorization errors name them. */
export type AuthorizationResourceType = 'topic' | 'group' | 'cluster' | 'transactionalId';

/**
 * The broker refused an operation because the client's principal lacks an ACL. Never retriable:
 * the same request fails the same way until an operator grants the ACL, so every retry loop stops
 * at the first such answer and the error reaches the caller. `code` says which resource kind
 * (`ERR_TOPIC_AUTHORIZATION`, `ERR_GROUP_AUTHORIZATION`, `ERR_CLUSTER_AUTHORIZATION`,
 * `ERR_TRANSACTIONAL_ID_AUTHORIZATION`); `errorCode` is still Kafka's number, and the error is a
 * {@link KafkaError}, so code that checks `errorCode` keeps working.
 */
export abstract class AuthorizationError extends KafkaError {
  /** The kind of resource the principal may not use. */
  abstract readonly resourceType: AuthorizationResourceType;

  protected constructor(
    errorCode: number,
    code: KafkaStageErrorCode,
    resource: string,
    context: ErrorContext,
    options: KafkaErrorOptions,
  ) {
    super(errorCode, context, options);
    // KafkaError fixes 'ERR_KAFKA'; each subclass narrows it to a stable code of its own.
    (this as { code: KafkaStageErrorCode }).code = code;
    (this as { retriable: boolean }).retriable = false;
    const where = describeContext(context);
    const detail = this.brokerMessage ? ` Broker says: ${this.brokerMessage}` : '';
    this.message = `${this.errorName} (${errorCode}): not authorized for ${resource}${where}; an ACL must grant the client's principal access.${detail}`;
  }
}

/** TOPIC_AUTHORIZATION_FAILED (29): no ACL for the topic(s) in `topics` (from `context.topic` or `context.topics`). */
export class TopicAuthorizationError extends AuthorizationError {
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = TOPIC_AUTHORIZATION_FAILED;
  readonly resourceType = 'topic' as const;
  /** The topics refused (empty when the answer did not say which). */
  readonly topics: readonly string[];

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const topics = namesIn(context.topics ?? context.topic);
    super(TOPIC_AUTHORIZATION_FAILED, 'ERR_TOPIC_AUTHORIZATION', topics.length > 0 ? `topic ${topics.join(', ')}` : 'a topic', context, options);
    this.topics = topics;
  }
}

/** GROUP_AUTHORIZATION_FAILED (30): no ACL for the consumer group `groupId` (from `context.group`). */
export class GroupAuthorizationError extends AuthorizationError {
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = GROUP_AUTHORIZATION_FAILED;
  readonly resourceType = 'group' as const;
  /** The group refused, or null when the answer did not say which. */
  readonly groupId: string | null;

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const group = context.group ?? context.groupId;
    const groupId = typeof group === 'string' ? group : null;
    super(GROUP_AUTHORIZATION_FAILED, 'ERR_GROUP_AUTHORIZATION', groupId === null ? 'a group' : `group ${groupId}`, context, options);
    this.groupId = groupId;
  }
}

/** CLUSTER_AUTHORIZATION_FAILED (31): no ACL on the cluster resource for the operation (`context.api` names the request). */
export class ClusterAuthorizationError extends AuthorizationError {
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = CLUSTER_AUTHORIZATION_FAILED;
  readonly resourceType = 'cluster' as const;

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    super(CLUSTER_AUTHORIZATION_FAILED, 'ERR_CLUSTER_AUTHORIZATION', typeof context.api === 'string' ? `the cluster operation ${context.api}` : 'a cluster operation', context, options);
  }
}

/** TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53): no ACL for the transactional id `transactionalId` (from `context.transactionalId`). */
export class TransactionalIdAuthorizationError extends AuthorizationError {
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  readonly resourceType = 'transactionalId' as const;
  /** The transactional id refused, or null when the answer did not say which. */
  readonly transactionalId: string | null;

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const id = typeof context.transactionalId === 'string' ? context.transactionalId : null;
    super(TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'ERR_TRANSACTIONAL_ID_AUTHORIZATION', id === null ? 'a transactional id' : `transactional id ${id}`, context, options);
    this.transactionalId = id;
  }
}

/** A context's `topic` or `topics` as a list of names. */
function namesIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}
