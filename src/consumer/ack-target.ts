/**
 * What an ack names, read from whatever the caller passed: a record, a batch or an offset. Acks
 * come from user code, so anything may arrive (null, a plain object, NaN); each is checked here
 * once, for the stage and the consumer alike, and a bad one becomes an InvalidArgumentError
 * instead of a TypeError thrown from deep inside the ack path.
 */
import { InvalidArgumentError } from '../errors.js';

/** The offsets an ack covers, inclusive, and the partition it names (absent for a bare offset). */
export interface AckTarget {
  from: number;
  to: number;
  /** True for a batch: every delivered offset from `from` to `to` is acked. */
  batch: boolean;
  /** The partition the record or batch came from; undefined for a bare offset. */
  topic?: string;
  partition?: number;
}

/** Reads `item` as an ack (record, batch or offset), or returns the InvalidArgumentError saying why it is none. */
export function ackTargetOf(item: unknown): AckTarget | InvalidArgumentError {
  if (typeof item === 'number') {
    return isOffset(item) ? { from: item, to: item, batch: false } : notAckable(`offset ${String(item)} is not a non-negative integer`);
  }
  if (item === null || typeof item !== 'object') return notAckable(`expected a record, a batch or an offset, got ${item === null ? 'null' : typeof item}`);
  const o = item as Record<string, unknown>;
  if (typeof o.topic !== 'string' || typeof o.partition !== 'number') return notAckable('expected a record or a batch carrying its topic and partition');
  if (o.records !== undefined) {
    if (!isOffset(o.firstOffset) || !isOffset(o.lastOffset)) return notAckable('a batch needs integer firstOffset and lastOffset');
    return { from: o.firstOffset, to: o.lastOffset, batch: true, topic: o.topic, partition: o.partition };
  }
  if (!isOffset(o.offset)) return notAckable('a record needs an integer offset');
  return { from: o.offset, to: o.offset, batch: false, topic: o.topic, partition: o.partition };
}

/** The error of an ack of a record or batch of another partition than the stage's. */
export function foreignAck(target: AckTarget, topic: string, partition: number): InvalidArgumentError {
  const what = target.batch ? 'a batch' : 'a record';
  return new InvalidArgumentError('item', `${what} of ${target.topic}/${target.partition} was acked on the stage of ${topic}/${partition}`, { topic, partition });
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function notAckable(reason: string): InvalidArgumentError {
  return new InvalidArgumentError('item', `not something to ack: ${reason}`);
}
