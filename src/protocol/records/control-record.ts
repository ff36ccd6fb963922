/**
 * Control records: the transaction markers a control batch holds. Their key is
 * `version int16, type int16`; type 0 marks an abort and 1 a commit of the producer's transaction.
 * (Kafka's own metadata log uses further types; a consumer of user topics sees only these two.)
 */
import { CorruptRecordError } from '../errors.js';

/** Control record type of a transaction abort marker. */
export const CONTROL_TYPE_ABORT = 0;
/** Control record type of a transaction commit marker. */
export const CONTROL_TYPE_COMMIT = 1;

/** A parsed control record key. */
export interface ControlRecordKey {
  version: number;
  /** {@link CONTROL_TYPE_ABORT}, {@link CONTROL_TYPE_COMMIT}, or another Kafka control type. */
  type: number;
}

const CONTROL_KEY_BYTES = 4;

/**
 * Parses the key of a record from a control batch.
 *
 * @throws CorruptRecordError when the key is null or shorter than four bytes, or its version is
 *   negative (the Java client's `ControlRecordType` refuses both as corruption; a newer
 *   non-negative version is read as version 0, as Java reads it)
 */
export function parseControlRecordKey(key: Buffer | null): ControlRecordKey {
  if (key === null || key.length < CONTROL_KEY_BYTES) {
    throw new CorruptRecordError(`control record key must hold ${CONTROL_KEY_BYTES} bytes, got ${key === null ? 'null' : key.length}`);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new CorruptRecordError(`control record key version ${version} is negative`);
  return { version, type: key.readInt16BE(2) };
}
