/** A fault's error as the fake cluster's hooks accept it: a Kafka error code or Kafka's name of it. */
import { ErrorCode, type KafkaErrorName } from '../protocol/error-codes.js';

/**
 * The code of a fault given as a number or as Kafka's name of it (`'NOT_COORDINATOR'`).
 * @throws Error when the name is not one of Kafka's error names
 */
export function errorCodeOf(error: number | KafkaErrorName): number {
  if (typeof error === 'number') return error;
  const code: number | undefined = (ErrorCode as Readonly<Record<string, number>>)[error];
  if (code === undefined) throw new Error(`unknown Kafka error name: ${String(error)}`);
  return code;
}
