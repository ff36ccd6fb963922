/** The admin client's aggregated failure: one error naming every entity (topic, partition, resource) that failed. */
import { KafkaStageError } from '../errors.js';

/** One entity of an admin operation that failed, with the error it failed with. */
export interface EntityFailure {
  /** What failed, as a user would name it: `orders`, `orders/3`, `broker:1`. */
  entity: string;
  /** The error of that entity: usually a KafkaError carrying the broker's error code and message. */
  error: KafkaStageError;
}

/**
 * Thrown by an admin operation when at least one of its entities failed. Entities that succeeded are
 * not lost: `succeeded` names them, so a caller can tell a partial failure from a total one.
 */
export class AdminOperationError extends KafkaStageError {
  static override readonly brand: string = 'AdminOperationError';
  /** Name of the operation, e.g. `createTopics`. */
  readonly operation: string;
  /** Every failed entity, in the order the caller listed them. */
  readonly failures: readonly EntityFailure[];
  /** Entities that succeeded. */
  readonly succeeded: readonly string[];

  constructor(operation: string, failures: EntityFailure[], succeeded: string[]) {
    const list = failures.map((f) => `${f.entity}: ${f.error.message}`).join('; ');
    const total = failures.length + succeeded.length;
    super('ERR_ADMIN_OPERATION', `${operation} failed for ${failures.length} of ${total}: ${list}`, {
      cause: failures[0]?.error,
      context: { api: operation, entities: failures.map((f) => f.entity) },
      // Worth repeating only when every failure was transient.
      retriable: failures.length > 0 && failures.every((f) => f.error.retriable),
    });
    this.operation = operation;
    this.failures = failures;
    this.succeeded = succeeded;
  }

  /** The failure of one entity, if it failed. */
  failureOf(entity: string): KafkaStageError | undefined {
    return this.failures.find((f) => f.entity === entity)?.error;
  }
}

/**
 * A group operation that needs a group without members (deleting it, changing its offsets from
 * outside) met a group that has some. Not retriable as such: stop the group's consumers first.
 */
export class GroupNotEmptyError extends KafkaStageError {
  static override readonly brand: string = 'GroupNotEmptyError';
  /** The group. */
  readonly groupId: string;
  /** The group's state when it was refused (`Stable`, `PreparingRebalance`, …), null when the broker refused without saying. */
  readonly state: string | null;

  constructor(groupId: string, operation: string, state: string | null, cause?: unknown) {
    const why = state === null ? 'it has active members' : `its state is ${state}`;
    super('ERR_GROUP_NOT_EMPTY', `${operation}: group '${groupId}' is not empty (${why}); stop its consumers first`, {
      cause,
      context: { group: groupId, api: operation },
    });
    this.groupId = groupId;
    this.state = state;
  }
}
