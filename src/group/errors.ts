/**
 * Errors of group offsets and membership. Offset requests fail per partition: the failures of one
 * request are gathered into one error that is itself a {@link KafkaError} of the most telling code
 * (fencing first), so a caller can switch on `errorCode` and still see every partition.
 */
import { GroupAuthorizationError, KafkaError, TopicAuthorizationError, type AuthorizationError } from '../protocol/kafka-error.js';
import { KafkaStageError, type ErrorContext } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { TopicPartition } from '../protocol/topic-partition.js';


/**
 * Codes after which the member's assignment is gone (fencing): nothing may be committed
 * for it again, and the member rejoins (or, for FENCED_INSTANCE_ID, stops).
 */
export const FENCING_ERROR_CODES: ReadonlySet<number> = new Set([
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.FENCED_INSTANCE_ID,
  // KIP-848: a commit with an epoch newer than the member's (the member was fenced and rejoined).
  ErrorCode.FENCED_MEMBER_EPOCH,
]);

/**
 * True when `err` says the member was fenced: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * FENCED_INSTANCE_ID or FENCED_MEMBER_EPOCH. Offsets of the current assignment must not be committed again; the
 * membership reports the partitions lost and rejoins. REBALANCE_IN_PROGRESS is not fencing (see
 * {@link isRebalanceInProgressError}): the member may keep its partitions in the next generation.
 */
export function isFencingError(err: unknown): boolean {
  return err instanceof KafkaError && FENCING_ERROR_CODES.has(err.errorCode);
}

/**
 * True when a commit was refused because the group is rebalancing (REBALANCE_IN_PROGRESS). The
 * offsets are still the member's to commit if it keeps the partitions in the next generation.
 */
export function isRebalanceInProgressError(err: unknown): boolean {
  return err instanceof KafkaError && err.errorCode === ErrorCode.REBALANCE_IN_PROGRESS;
}

/** One partition's failure within an offset request. */
export interface PartitionFailure {
  topic: string;
  partition: number;
  error: KafkaError;
}

/** Picks the code that says most: a fencing code, else REBALANCE_IN_PROGRESS, else a non-retriable one, else the first. */
function primaryFailure(failures: readonly PartitionFailure[]): PartitionFailure {
  return (
    failures.find((f) => FENCING_ERROR_CODES.has(f.error.errorCode)) ??
    failures.find((f) => f.error.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) ??
    failures.find((f) => !f.error.retriable) ??
    (failures[0] as PartitionFailure)
  );
}

function describeFailures(failures: readonly PartitionFailure[]): string {
  const shown = failures.slice(0, 10).map((f) => `${f.topic}/${f.partition}: ${f.error.errorName}`);
  const more = failures.length > shown.length ? ` and ${failures.length - shown.length} more` : '';
  return shown.join(', ') + more;
}

/**
 * Base of the per-partition offset errors: a {@link KafkaError} carrying the primary code, and
 * `failures` with every partition that failed. Retriable exactly when the primary code is.
 */
export abstract class PartitionOffsetsError extends KafkaError {
  static override readonly brand: string = 'PartitionOffsetsError';
  /** Every partition that failed, with its own error. */
  readonly failures: readonly PartitionFailure[];

  protected constructor(api: string, groupId: string, failures: readonly PartitionFailure[]) {
    if (failures.length === 0) throw new RangeError(`${api} error without failures`);
    const primary = primaryFailure(failures);
    const context: ErrorContext = { api, group: groupId, topic: primary.topic, partition: primary.partition, failed: failures.length };
    super(primary.error.errorCode, context, { brokerMessage: primary.error.brokerMessage });
    this.failures = failures;
    this.message = `${api} of group ${groupId} failed for ${describeFailures(failures)}: ${primary.error.message}`;
  }
}

/**
 * The authorization error an offset request's failures amount to, or null when none was refused
 * for lack of an ACL: a {@link GroupAuthorizationError} when the group was refused, else a
 * {@link TopicAuthorizationError} naming every refused topic. Its `cause` is `aggregate` (every
 * partition's failure). Callers throw it instead of the aggregate so the caller of a commit or a
 * start sees the typed error, which no retry loop repeats.
 */
export function authorizationFailure(api: string, groupId: string, failures: readonly PartitionFailure[], aggregate: KafkaError): AuthorizationError | null {
  // Fencing and rebalancing say more about what the member must do next (see primaryFailure).
  if (failures.some((f) => FENCING_ERROR_CODES.has(f.error.errorCode) || f.error.errorCode === ErrorCode.REBALANCE_IN_PROGRESS)) return null;
  if (failures.some((f) => f.error instanceof GroupAuthorizationError)) {
    return new GroupAuthorizationError({ api, group: groupId }, { cause: aggregate });
  }
  const topics = [...new Set(failures.filter((f) => f.error instanceof TopicAuthorizationError).map((f) => f.topic))];
  return topics.length > 0 ? new TopicAuthorizationError({ api, group: groupId, topics }, { cause: aggregate }) : null;
}

/** OffsetCommit failed for some partitions (those not listed were committed). */
export class OffsetCommitError extends PartitionOffsetsError {
  static override readonly brand: string = 'OffsetCommitError';

  constructor(groupId: string, failures: readonly PartitionFailure[]) {
    super('OffsetCommit', groupId, failures);
  }
}

/** OffsetFetch failed for some partitions. */
export class OffsetFetchError extends PartitionOffsetsError {
  static override readonly brand: string = 'OffsetFetchError';

  constructor(groupId: string, failures: readonly PartitionFailure[]) {
    super('OffsetFetch', groupId, failures);
  }
}

/**
 * A commit named partitions this member does not own in its current generation (never assigned,
 * already revoked, or lost). Nothing of the commit was sent.
 */
export class PartitionNotOwnedError extends KafkaStageError {
  static override readonly brand: string = 'PartitionNotOwnedError';
  /** The partitions not owned. */
  readonly partitions: readonly TopicPartition[];

  constructor(groupId: string, partitions: readonly TopicPartition[]) {
    const first = partitions[0];
    const names = partitions.map((p) => `${p.topic}/${p.partition}`).join(', ');
    super('ERR_PARTITION_NOT_OWNED', `group ${groupId}: not committing ${names}: not owned by this member in its current generation`, {
      context: { group: groupId, ...(first ? { topic: first.topic, partition: first.partition } : {}) },
      retriable: false,
    });
    this.partitions = partitions;
  }
}
