/**
 * Kafka's error codes: one table, by name, with each code's number, whether retrying may succeed,
 * whether the client must refresh its metadata first, and a short explanation. Code that checks a
 * code names it (`ErrorCode.NOT_LEADER_OR_FOLLOWER`), never writes the number.
 *
 * `retriable` follows the Java client (true exactly where its exception class is a
 * RetriableException) and defaults to false: an error we do not know is not retried blindly.
 * `invalidMetadata` is true exactly where the Java exception is an InvalidMetadataException: the
 * answer says the client's view of leaders or topics is out of date, so it refreshes metadata before
 * the retry. (UNKNOWN_LEADER_EPOCH is not one: the broker is behind the client, not the reverse.)
 */

/** What the table says of one code. */
interface RowSpec {
  readonly code: number;
  readonly retriable?: true;
  readonly invalidMetadata?: true;
  readonly message: string;
}

// Codes, names, retriability and metadata invalidation as in Apache Kafka 4.4; the messages are ours.
const TABLE = {
  UNKNOWN_SERVER_ERROR: { code: -1, message: 'The broker hit an unexpected error it could not classify.' },
  NONE: { code: 0, message: 'No error.' },
  OFFSET_OUT_OF_RANGE: { code: 1, message: 'The requested offset lies outside the range the partition holds.' },
  CORRUPT_MESSAGE: { code: 2, retriable: true, message: 'A record failed its CRC check, is too small, or is otherwise malformed.' },
  UNKNOWN_TOPIC_OR_PARTITION: { code: 3, retriable: true, invalidMetadata: true, message: 'The broker does not host this topic or partition.' },
  INVALID_FETCH_SIZE: { code: 4, message: 'The requested fetch size is invalid.' },
  LEADER_NOT_AVAILABLE: { code: 5, retriable: true, invalidMetadata: true, message: 'The partition is electing a leader; no leader is available yet.' },
  NOT_LEADER_OR_FOLLOWER: { code: 6, retriable: true, invalidMetadata: true, message: 'This broker is not the leader (or a follower) for the partition; refresh metadata.' },
  REQUEST_TIMED_OUT: { code: 7, retriable: true, message: 'The request did not complete within its timeout.' },
  BROKER_NOT_AVAILABLE: { code: 8, message: 'The broker is not available.' },
  REPLICA_NOT_AVAILABLE: { code: 9, retriable: true, invalidMetadata: true, message: 'The replica is not available on this broker.' },
  MESSAGE_TOO_LARGE: { code: 10, message: 'The request carries a record larger than the broker accepts.' },
  STALE_CONTROLLER_EPOCH: { code: 11, message: 'The request came from an outdated controller epoch.' },
  OFFSET_METADATA_TOO_LARGE: { code: 12, message: 'The metadata string attached to the offset commit is too large.' },
  NETWORK_EXCEPTION: { code: 13, retriable: true, invalidMetadata: true, message: 'The broker\'s connection failed while handling the request.' },
  COORDINATOR_LOAD_IN_PROGRESS: { code: 14, retriable: true, message: 'The coordinator is still loading its state.' },
  COORDINATOR_NOT_AVAILABLE: { code: 15, retriable: true, message: 'The coordinator is not available.' },
  NOT_COORDINATOR: { code: 16, retriable: true, message: 'This broker is not the coordinator for the group or transaction.' },
  INVALID_TOPIC_EXCEPTION: { code: 17, message: 'The topic name is invalid or the request targets an internal topic.' },
  RECORD_LIST_TOO_LARGE: { code: 18, message: 'The record batch exceeds the broker\'s maximum batch size.' },
  NOT_ENOUGH_REPLICAS: { code: 19, retriable: true, message: 'Fewer in-sync replicas exist than the topic requires.' },
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: { code: 20, retriable: true, message: 'The records were written, but to fewer in-sync replicas than the topic requires.' },
  INVALID_REQUIRED_ACKS: { code: 21, message: 'The requested number of acknowledgements is invalid.' },
  ILLEGAL_GENERATION: { code: 22, message: 'The group generation in the request is not the current one.' },
  INCONSISTENT_GROUP_PROTOCOL: { code: 23, message: 'The member\'s protocol type or protocols do not match the group\'s.' },
  INVALID_GROUP_ID: { code: 24, message: 'The group id is empty or invalid.' },
  UNKNOWN_MEMBER_ID: { code: 25, message: 'The coordinator does not know this member id.' },
  INVALID_SESSION_TIMEOUT: { code: 26, message: 'The session timeout is outside the range the broker allows.' },
  REBALANCE_IN_PROGRESS: { code: 27, message: 'The group is rebalancing; rejoin.' },
  INVALID_COMMIT_OFFSET_SIZE: { code: 28, message: 'The committed offset metadata has an invalid size.' },
  TOPIC_AUTHORIZATION_FAILED: { code: 29, message: 'Not authorized to access the topic.' },
  GROUP_AUTHORIZATION_FAILED: { code: 30, message: 'Not authorized to access the group.' },
  CLUSTER_AUTHORIZATION_FAILED: { code: 31, message: 'Not authorized for this cluster operation.' },
  INVALID_TIMESTAMP: { code: 32, message: 'A record timestamp is outside the accepted range.' },
  UNSUPPORTED_SASL_MECHANISM: { code: 33, message: 'The broker does not support this SASL mechanism.' },
  ILLEGAL_SASL_STATE: { code: 34, message: 'The SASL request is not valid in the current authentication state.' },
  UNSUPPORTED_VERSION: { code: 35, message: 'The broker does not support this API version.' },
  TOPIC_ALREADY_EXISTS: { code: 36, message: 'A topic with this name already exists.' },
  INVALID_PARTITIONS: { code: 37, message: 'The number of partitions is invalid.' },
  INVALID_REPLICATION_FACTOR: { code: 38, message: 'The replication factor is invalid.' },
  INVALID_REPLICA_ASSIGNMENT: { code: 39, message: 'The replica assignment is invalid.' },
  INVALID_CONFIG: { code: 40, message: 'A configuration value is invalid.' },
  NOT_CONTROLLER: { code: 41, retriable: true, message: 'This broker is not the active controller.' },
  INVALID_REQUEST: { code: 42, message: 'The request is malformed or violates the protocol; see the broker log.' },
  UNSUPPORTED_FOR_MESSAGE_FORMAT: { code: 43, message: 'The partition\'s message format does not support this request.' },
  POLICY_VIOLATION: { code: 44, message: 'The request violates a broker-side policy.' },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { code: 45, message: 'The broker received a producer sequence number out of order.' },
  DUPLICATE_SEQUENCE_NUMBER: { code: 46, message: 'The broker received a duplicate producer sequence number.' },
  INVALID_PRODUCER_EPOCH: { code: 47, message: 'The producer epoch is stale or otherwise invalid.' },
  INVALID_TXN_STATE: { code: 48, message: 'The operation is not valid in the transaction\'s current state.' },
  INVALID_PRODUCER_ID_MAPPING: { code: 49, message: 'The producer id is not mapped to the transactional id, or is unknown.' },
  INVALID_TRANSACTION_TIMEOUT: { code: 50, message: 'The transaction timeout exceeds the broker\'s maximum.' },
  CONCURRENT_TRANSACTIONS: { code: 51, retriable: true, message: 'Another transaction operation for this producer is in progress.' },
  TRANSACTION_COORDINATOR_FENCED: { code: 52, message: 'A newer transaction coordinator has taken over.' },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { code: 53, message: 'Not authorized for this transactional id.' },
  SECURITY_DISABLED: { code: 54, message: 'Security features are disabled on the broker.' },
  OPERATION_NOT_ATTEMPTED: { code: 55, message: 'The operation was not attempted because a related operation failed.' },
  KAFKA_STORAGE_ERROR: { code: 56, retriable: true, invalidMetadata: true, message: 'A disk error occurred while accessing the log.' },
  LOG_DIR_NOT_FOUND: { code: 57, message: 'The requested log directory does not exist.' },
  SASL_AUTHENTICATION_FAILED: { code: 58, message: 'SASL authentication failed.' },
  UNKNOWN_PRODUCER_ID: { code: 59, message: 'The broker has no state for this producer id.' },
  REASSIGNMENT_IN_PROGRESS: { code: 60, message: 'A partition reassignment is in progress.' },
  DELEGATION_TOKEN_AUTH_DISABLED: { code: 61, message: 'Delegation tokens are not enabled.' },
  DELEGATION_TOKEN_NOT_FOUND: { code: 62, message: 'The delegation token was not found.' },
  DELEGATION_TOKEN_OWNER_MISMATCH: { code: 63, message: 'The principal does not own the delegation token.' },
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: { code: 64, message: 'Delegation token requests are not allowed on this connection\'s authentication.' },
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: { code: 65, message: 'Not authorized for the delegation token operation.' },
  DELEGATION_TOKEN_EXPIRED: { code: 66, message: 'The delegation token has expired.' },
  INVALID_PRINCIPAL_TYPE: { code: 67, message: 'The principal type is not supported.' },
  NON_EMPTY_GROUP: { code: 68, message: 'The group is not empty.' },
  GROUP_ID_NOT_FOUND: { code: 69, message: 'The group id does not exist.' },
  FETCH_SESSION_ID_NOT_FOUND: { code: 70, retriable: true, message: 'The fetch session id was not found.' },
  INVALID_FETCH_SESSION_EPOCH: { code: 71, retriable: true, message: 'The fetch session epoch is invalid.' },
  LISTENER_NOT_FOUND: { code: 72, retriable: true, message: 'The leader has no endpoint for the listener the request came in on.' },
  TOPIC_DELETION_DISABLED: { code: 73, message: 'Topic deletion is disabled.' },
  FENCED_LEADER_EPOCH: { code: 74, retriable: true, invalidMetadata: true, message: 'The request\'s leader epoch is older than the broker\'s.' },
  UNKNOWN_LEADER_EPOCH: { code: 75, retriable: true, message: 'The request\'s leader epoch is newer than the broker\'s.' },
  UNSUPPORTED_COMPRESSION_TYPE: { code: 76, message: 'The requesting client does not support the topic\'s compression type.' },
  STALE_BROKER_EPOCH: { code: 77, message: 'The broker epoch is stale.' },
  OFFSET_NOT_AVAILABLE: { code: 78, retriable: true, message: 'The leader\'s high watermark has not caught up with a recent election; the offset is not available yet.' },
  MEMBER_ID_REQUIRED: { code: 79, message: 'The group requires a member id; rejoin with the one given.' },
  PREFERRED_LEADER_NOT_AVAILABLE: { code: 80, retriable: true, message: 'The preferred leader is not available.' },
  GROUP_MAX_SIZE_REACHED: { code: 81, message: 'The group has reached its maximum size.' },
  FENCED_INSTANCE_ID: { code: 82, message: 'Another member with the same group instance id has taken over.' },
  ELIGIBLE_LEADERS_NOT_AVAILABLE: { code: 83, retriable: true, message: 'No eligible leader is available for the partition.' },
  ELECTION_NOT_NEEDED: { code: 84, retriable: true, message: 'The leader election is not needed.' },
  NO_REASSIGNMENT_IN_PROGRESS: { code: 85, message: 'No partition reassignment is in progress.' },
  GROUP_SUBSCRIBED_TO_TOPIC: { code: 86, message: 'A group offset cannot be deleted while the group is subscribed to the topic.' },
  INVALID_RECORD: { code: 87, message: 'A record failed broker-side validation.' },
  UNSTABLE_OFFSET_COMMIT: { code: 88, retriable: true, message: 'Offsets are pending from an unfinished transaction.' },
  THROTTLING_QUOTA_EXCEEDED: { code: 89, retriable: true, message: 'The request exceeded a throttling quota.' },
  PRODUCER_FENCED: { code: 90, message: 'A newer producer with the same transactional id has fenced this one.' },
  RESOURCE_NOT_FOUND: { code: 91, message: 'The requested resource does not exist.' },
  DUPLICATE_RESOURCE: { code: 92, message: 'The request names the same resource more than once.' },
  UNACCEPTABLE_CREDENTIAL: { code: 93, message: 'The credential does not meet the broker\'s requirements.' },
  INCONSISTENT_VOTER_SET: { code: 94, message: 'The voter set is inconsistent with the leader\'s.' },
  INVALID_UPDATE_VERSION: { code: 95, message: 'The update version is invalid.' },
  FEATURE_UPDATE_FAILED: { code: 96, message: 'The feature update failed.' },
  PRINCIPAL_DESERIALIZATION_FAILURE: { code: 97, message: 'The request principal could not be deserialized.' },
  SNAPSHOT_NOT_FOUND: { code: 98, message: 'The snapshot was not found.' },
  POSITION_OUT_OF_RANGE: { code: 99, message: 'The requested position is outside the snapshot.' },
  UNKNOWN_TOPIC_ID: { code: 100, retriable: true, invalidMetadata: true, message: 'The broker does not know this topic id.' },
  DUPLICATE_BROKER_REGISTRATION: { code: 101, message: 'This broker id is already registered.' },
  BROKER_ID_NOT_REGISTERED: { code: 102, message: 'The broker id is not registered.' },
  INCONSISTENT_TOPIC_ID: { code: 103, retriable: true, invalidMetadata: true, message: 'The topic id in the request does not match the topic\'s id in the log.' },
  INCONSISTENT_CLUSTER_ID: { code: 104, message: 'The cluster id does not match.' },
  TRANSACTIONAL_ID_NOT_FOUND: { code: 105, message: 'The transactional id was not found.' },
  FETCH_SESSION_TOPIC_ID_ERROR: { code: 106, retriable: true, message: 'The fetch session topic ids are inconsistent.' },
  INELIGIBLE_REPLICA: { code: 107, message: 'The replica is not eligible to join the in-sync set.' },
  NEW_LEADER_ELECTED: { code: 108, message: 'A new leader was elected while the request was handled.' },
  OFFSET_MOVED_TO_TIERED_STORAGE: { code: 109, message: 'The requested offset has moved to tiered storage.' },
  FENCED_MEMBER_EPOCH: { code: 110, message: 'The member epoch is fenced by the group coordinator.' },
  UNRELEASED_INSTANCE_ID: { code: 111, message: 'The group instance id has not been released yet.' },
  UNSUPPORTED_ASSIGNOR: { code: 112, message: 'The assignor is not supported by the consumer group.' },
  STALE_MEMBER_EPOCH: { code: 113, message: 'The member epoch is stale.' },
  MISMATCHED_ENDPOINT_TYPE: { code: 114, message: 'The request reached an endpoint of the wrong type.' },
  UNSUPPORTED_ENDPOINT_TYPE: { code: 115, message: 'This endpoint type does not support the request.' },
  UNKNOWN_CONTROLLER_ID: { code: 116, message: 'The controller id is not known.' },
  UNKNOWN_SUBSCRIPTION_ID: { code: 117, message: 'The client telemetry subscription id is unknown.' },
  TELEMETRY_TOO_LARGE: { code: 118, message: 'The client telemetry payload is too large.' },
  INVALID_REGISTRATION: { code: 119, message: 'The controller registration is invalid.' },
  TRANSACTION_ABORTABLE: { code: 120, message: 'The transaction can be aborted but not continued; abort it.' },
  INVALID_RECORD_STATE: { code: 121, message: 'The record is in a state that does not allow this share operation.' },
  SHARE_SESSION_NOT_FOUND: { code: 122, retriable: true, message: 'The share session was not found.' },
  INVALID_SHARE_SESSION_EPOCH: { code: 123, retriable: true, message: 'The share session epoch is invalid.' },
  FENCED_STATE_EPOCH: { code: 124, message: 'The share-group state epoch is fenced.' },
  INVALID_VOTER_KEY: { code: 125, message: 'The voter key does not match the receiving replica.' },
  DUPLICATE_VOTER: { code: 126, message: 'The voter is already part of the set of voters.' },
  VOTER_NOT_FOUND: { code: 127, message: 'The voter is not part of the set of voters.' },
  INVALID_REGULAR_EXPRESSION: { code: 128, message: 'The regular expression is invalid.' },
  REBOOTSTRAP_REQUIRED: { code: 129, message: 'The client must rebootstrap its metadata.' },
  STREAMS_INVALID_TOPOLOGY: { code: 130, message: 'The streams topology is invalid.' },
  STREAMS_INVALID_TOPOLOGY_EPOCH: { code: 131, message: 'The streams topology epoch is invalid.' },
  STREAMS_TOPOLOGY_FENCED: { code: 132, message: 'The streams topology was fenced by a newer one.' },
  SHARE_SESSION_LIMIT_REACHED: { code: 133, retriable: true, message: 'The broker\'s limit of share sessions is reached.' },
  GROUP_DELETION_FAILED: { code: 134, message: 'Deleting the group failed.' },
  STREAMS_TOPOLOGY_DESCRIPTION_UPDATE_FAILED: { code: 135, message: 'Updating the streams topology description failed.' },
  CONTROLLER_ID_NOT_REGISTERED: { code: 136, message: 'The controller id is not registered.' },
} as const satisfies Record<string, RowSpec>;

/** Kafka's name of an error code, e.g. `NOT_LEADER_OR_FOLLOWER`. */
export type KafkaErrorName = keyof typeof TABLE;

/**
 * Every Kafka error code by name, each typed as its literal number:
 * `ErrorCode.NOT_LEADER_OR_FOLLOWER` is `6`. Use it wherever a code is compared or built.
 */
export const ErrorCode: { readonly [N in KafkaErrorName]: (typeof TABLE)[N]['code'] } = Object.freeze(
  Object.fromEntries(Object.entries(TABLE).map(([name, row]) => [name, row.code])) as { [N in KafkaErrorName]: (typeof TABLE)[N]['code'] },
);

/** One row of the table. */
export interface KafkaErrorInfo {
  /** Kafka's name of the code, e.g. `NOT_LEADER_OR_FOLLOWER`. */
  readonly name: string;
  /** True when repeating the request (usually after a metadata refresh or a backoff) may succeed. */
  readonly retriable: boolean;
  /** True when the answer means the client's metadata (leaders, topics) is stale: refresh it before retrying. */
  readonly invalidMetadata: boolean;
  /** What the code means, in a sentence. */
  readonly message: string;
}

/** Every known Kafka error code, by code. */
export const KAFKA_ERRORS: ReadonlyMap<number, KafkaErrorInfo> = new Map(
  Object.entries(TABLE).map(([name, row]: [string, RowSpec]) => [
    row.code,
    Object.freeze({ name, retriable: row.retriable ?? false, invalidMetadata: row.invalidMetadata ?? false, message: row.message }),
  ]),
);

/** Error codes by name, e.g. `KAFKA_ERROR_CODES.get('NOT_COORDINATOR') === 16`. */
export const KAFKA_ERROR_CODES: ReadonlyMap<string, number> = new Map(Object.entries(ErrorCode));

/** The table row of `code`; unknown codes get the name `UNKNOWN_<code>`, are not retriable and do not invalidate metadata. */
export function kafkaErrorInfo(code: number): KafkaErrorInfo {
  return (
    KAFKA_ERRORS.get(code) ?? {
      name: `UNKNOWN_${code}`,
      retriable: false,
      invalidMetadata: false,
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

/** True when the code says the client's metadata is stale (Java's InvalidMetadataException); false for unknown codes. */
export function isInvalidMetadata(code: number): boolean {
  return kafkaErrorInfo(code).invalidMetadata;
}
