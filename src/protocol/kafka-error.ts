/**
 * The error for a code a broker answered with: {@link KafkaError}, carrying the table's name and
 * retriability, and its typed authorization subclasses.
 */
import { KafkaStageError, type ErrorContext, type KafkaStageErrorCode } from '../errors.js';
import { ErrorCode, kafkaErrorInfo } from './error-codes.js';

/** Options of a {@link KafkaError} beyond its code and context. */
export interface KafkaErrorOptions {
  /** The error message the broker sent with the code, if any (many responses carry one). */
  brokerMessage?: string | null;
  /** Underlying cause. */
  cause?: unknown;
}

/** An error code returned by a broker, with the table's name and retriability and where it happened. */
export class KafkaError extends KafkaStageError {
  static override readonly brand: string = 'KafkaError';
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
  return errorCode === ErrorCode.NONE ? null : kafkaErrorOf(errorCode, context, options);
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
    case ErrorCode.TOPIC_AUTHORIZATION_FAILED:
      return new TopicAuthorizationError(context, options);
    case ErrorCode.GROUP_AUTHORIZATION_FAILED:
      return new GroupAuthorizationError(context, options);
    case ErrorCode.CLUSTER_AUTHORIZATION_FAILED:
      return new ClusterAuthorizationError(context, options);
    case ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return new TransactionalIdAuthorizationError(context, options);
    default:
      return new KafkaError(errorCode, context, options);
  }
}

// The authorization errors live here rather than in a file of their own: they extend KafkaError and
// kafkaErrorOf() builds them, and a module cycle between the two files would leave the base class
// uninitialised when the subclass file is evaluated first.

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
  static override readonly brand: string = 'AuthorizationError';
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
  static override readonly brand: string = 'TopicAuthorizationError';
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
  readonly resourceType = 'topic' as const;
  /** The topics refused (empty when the answer did not say which). */
  readonly topics: readonly string[];

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const topics = namesIn(context.topics ?? context.topic);
    super(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'ERR_TOPIC_AUTHORIZATION', topics.length > 0 ? `topic ${topics.join(', ')}` : 'a topic', context, options);
    this.topics = topics;
  }
}

/** GROUP_AUTHORIZATION_FAILED (30): no ACL for the consumer group `groupId` (from `context.group`). */
export class GroupAuthorizationError extends AuthorizationError {
  static override readonly brand: string = 'GroupAuthorizationError';
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = ErrorCode.GROUP_AUTHORIZATION_FAILED;
  readonly resourceType = 'group' as const;
  /** The group refused, or null when the answer did not say which. */
  readonly groupId: string | null;

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const group = context.group ?? context.groupId;
    const groupId = typeof group === 'string' ? group : null;
    super(ErrorCode.GROUP_AUTHORIZATION_FAILED, 'ERR_GROUP_AUTHORIZATION', groupId === null ? 'a group' : `group ${groupId}`, context, options);
    this.groupId = groupId;
  }
}

/** CLUSTER_AUTHORIZATION_FAILED (31): no ACL on the cluster resource for the operation (`context.api` names the request). */
export class ClusterAuthorizationError extends AuthorizationError {
  static override readonly brand: string = 'ClusterAuthorizationError';
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  readonly resourceType = 'cluster' as const;

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    super(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'ERR_CLUSTER_AUTHORIZATION', typeof context.api === 'string' ? `the cluster operation ${context.api}` : 'a cluster operation', context, options);
  }
}

/** TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53): no ACL for the transactional id `transactionalId` (from `context.transactionalId`). */
export class TransactionalIdAuthorizationError extends AuthorizationError {
  static override readonly brand: string = 'TransactionalIdAuthorizationError';
  /** Kafka's code for this error. */
  static readonly ERROR_CODE = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  readonly resourceType = 'transactionalId' as const;
  /** The transactional id refused, or null when the answer did not say which. */
  readonly transactionalId: string | null;

  constructor(context: ErrorContext = {}, options: KafkaErrorOptions = {}) {
    const id = typeof context.transactionalId === 'string' ? context.transactionalId : null;
    super(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'ERR_TRANSACTIONAL_ID_AUTHORIZATION', id === null ? 'a transactional id' : `transactional id ${id}`, context, options);
    this.transactionalId = id;
  }
}

/** A context's `topic` or `topics` as a list of names. */
function namesIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}
