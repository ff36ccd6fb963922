/**
 * The Kafka error codes the fake cluster answers with, looked up once by name in the protocol
 * layer's table, so that no handler writes a bare number.
 */
import { KAFKA_ERROR_CODES } from '../protocol/error-codes.js';

const NAMES = [
  'NONE',
  'OFFSET_OUT_OF_RANGE',
  'CORRUPT_MESSAGE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'MESSAGE_TOO_LARGE',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_REQUIRED_ACKS',
  'ILLEGAL_GENERATION',
  'INCONSISTENT_GROUP_PROTOCOL',
  'INVALID_GROUP_ID',
  'UNKNOWN_MEMBER_ID',
  'INVALID_SESSION_TIMEOUT',
  'REBALANCE_IN_PROGRESS',
  'UNSUPPORTED_VERSION',
  'TOPIC_ALREADY_EXISTS',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_REQUEST',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'NON_EMPTY_GROUP',
  'GROUP_ID_NOT_FOUND',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'MEMBER_ID_REQUIRED',
  'INVALID_RECORD',
  'UNKNOWN_TOPIC_ID',
] as const;

/** A Kafka error name the fake cluster uses. */
export type FakeErrorName = (typeof NAMES)[number];

function lookUp(): Readonly<Record<FakeErrorName, number>> {
  const table = {} as Record<FakeErrorName, number>;
  for (const name of NAMES) {
    const code = KAFKA_ERROR_CODES.get(name);
    if (code === undefined) throw new Error(`Kafka error ${name} is missing from the protocol error table`);
    table[name] = code;
  }
  return Object.freeze(table);
}

/** Codes by name, e.g. `ERR.NOT_LEADER_OR_FOLLOWER` (6). */
export const ERR = lookUp();

/**
 * The code of a fault given as a number or as Kafka's name of it (`'NOT_COORDINATOR'`).
 * @throws Error when the name is not one of Kafka's error names
 */
export function errorCodeOf(error: number | string): number {
  if (typeof error === 'number') return error;
  const code = KAFKA_ERROR_CODES.get(error);
  if (code === undefined) throw new Error(`unknown Kafka error name: ${error}`);
  return code;
}
