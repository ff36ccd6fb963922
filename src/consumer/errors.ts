/** The consumer's errors about stages and subscribers: a second subscriber, no offset to start from, a subscriber that would not stop. */
import { KafkaStageError, type ErrorContext } from '../errors.js';
import type { TopicPartition } from '../protocol/topic-partition.js';

/**
 * A partition stage already has a subscriber: records go to exactly one way of taking them
 * (iterator, batches, manual `ask`, Readable or ReadableStream) at a time.
 */
export class StageBusyError extends KafkaStageError {
  static override readonly brand: string = 'StageBusyError';

  constructor(message: string, context: ErrorContext = {}) {
    super('ERR_STAGE_BUSY', message, { context, retriable: false });
  }
}

/**
 * Partitions have no committed offset and the reset policy is `none` (Java
 * `NoOffsetForPartitionException`): the consumer will not guess where to start. `partitions` names
 * every such partition; `context` names the first.
 */
export class NoOffsetError extends KafkaStageError {
  static override readonly brand: string = 'NoOffsetError';
  /** The partitions without a committed offset. */
  readonly partitions: readonly TopicPartition[];

  constructor(partitions: readonly TopicPartition[]) {
    const first = partitions[0];
    const names = partitions.map((p) => `${p.topic}/${p.partition}`).join(', ');
    super('ERR_NO_OFFSET', `no committed offset for ${names} and autoOffsetReset is 'none'`, {
      context: first ? { topic: first.topic, partition: first.partition } : {},
      retriable: false,
    });
    this.partitions = partitions;
  }
}

/**
 * `stop()` gave up waiting for subscribers (handlers) that did not return by the drain deadline
 * (`drainTimeoutMs` after stop() began, or a short grace after the drain when that passed): their
 * signal was aborted and their stage closed, so whatever they ack later is ignored. `partitions`
 * names every such subscriber's partition; `context` the first. The consumer closed anyway; the
 * handlers' promises are left running, since JavaScript cannot cancel them.
 */
export class SubscriberTimeoutError extends KafkaStageError {
  static override readonly brand: string = 'SubscriberTimeoutError';
  /** The partitions whose subscriber had not returned. */
  readonly partitions: readonly TopicPartition[];

  constructor(partitions: readonly TopicPartition[], waitedMs: number) {
    const first = partitions[0];
    const names = partitions.map((p) => `${p.topic}/${p.partition}`).join(', ');
    super('ERR_SUBSCRIBER_TIMEOUT', `stop() gave up after ${waitedMs} ms on the subscriber(s) of ${names}: they ignored their signal and did not return`, {
      context: { ...(first ? { topic: first.topic, partition: first.partition } : {}), partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })), waitedMs },
      retriable: false,
    });
    this.partitions = partitions;
  }
}
