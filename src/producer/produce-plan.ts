/**
 * What the sender sends next, decided from facts it is handed: whether the idempotent producer's
 * sequence state lets anything go, which ready partitions go to which leader, which of them share
 * one Produce request, and that request's body. Pure: no I/O, no clock, nothing mutated.
 */
import type { Produce } from '../protocol/apis/produce.js';
import { ProtocolError } from '../protocol/errors.js';
import type { RequestIn } from '../protocol/schema.js';
import type { TopicPartition } from '../protocol/topic-partition.js';

/** The sequence facts of the producer, as the sender sees them before a send. */
export interface SequenceFacts {
  /** The producer is idempotent (without idempotence nothing below matters). */
  idempotent: boolean;
  /** A gap in some partition's sequence asks for a new epoch. */
  bumpNeeded: boolean;
  /** Produce requests not answered yet, to any broker. */
  requestsInFlight: number;
  /**
   * True when a batch waits for a retry stamped under the current epoch whose last attempt went
   * unanswered (it may be in the log). Asked only when a bump is due.
   */
  unknownFateRetryWaiting: () => boolean;
  /** A producer id (and epoch) is known. */
  hasProducerId: boolean;
}

/** The next step of the sender. */
export type SequenceStep =
  /** A bump is due and requests are in flight: their answers come first. */
  | 'wait-for-answers'
  /**
   * A bump is due, but batches whose fate is unknown go again under their old stamp first, where
   * the broker recognises a duplicate: restamped under a new epoch they would be written twice.
   */
  | 'resend-stamped-retries'
  /** Start a new epoch now (then look again). */
  | 'bump-epoch'
  /** No producer id: fetch one (or wait out the backoff of the last try); nothing is sent. */
  | 'get-producer-id'
  /** Send what is ready. */
  | 'send';

/** Decides the sender's next step from the producer's sequence facts. */
export function nextSequenceStep(facts: SequenceFacts): SequenceStep {
  if (!facts.idempotent) return 'send';
  if (facts.bumpNeeded) {
    if (facts.requestsInFlight > 0) return 'wait-for-answers';
    if (facts.unknownFateRetryWaiting()) return 'resend-stamped-retries';
    return 'bump-epoch';
  }
  return facts.hasProducerId ? 'send' : 'get-producer-id';
}

/** Ready partitions grouped by the broker leading them, and those whose leader is not known. */
export interface LeaderGroups<Q> {
  byLeader: Map<number, Q[]>;
  /** Their topics' metadata must be refreshed before they can go. */
  leaderless: Q[];
}

/** Groups ready partitions by leader (`leaderOf` null: unknown), in the order given. */
export function groupByLeader<Q>(queues: Iterable<Q>, leaderOf: (queue: Q) => number | null): LeaderGroups<Q> {
  const byLeader = new Map<number, Q[]>();
  const leaderless: Q[] = [];
  for (const queue of queues) {
    const leader = leaderOf(queue);
    if (leader === null) {
      leaderless.push(queue);
      continue;
    }
    const list = byLeader.get(leader);
    if (list) list.push(queue);
    else byLeader.set(leader, [queue]);
  }
  return { byLeader, leaderless };
}

/** Which partitions' next batches go in one request, and which wait for the next one. */
export interface RequestPlan<Q> {
  /** In the order given; never empty when some partition had a batch that may go. */
  into: Q[];
  /** Partitions whose batch did not fit: they go in a later request to the same broker. */
  left: Q[];
}

/**
 * Fills one Produce request to a broker: each partition gives at most one batch (its next, a retry
 * first), in the order given, while the request stays within `maxRequestSize` bytes counting
 * `overheadBytes` for the request itself. The first batch always goes, however large: the broker
 * judges it, and a batch that never fits must not wait for ever. `nextBatchBytes` is undefined for a
 * partition with nothing that may go now; such partitions are dropped from the plan.
 */
export function planRequest<Q>(queues: readonly Q[], nextBatchBytes: (queue: Q) => number | undefined, maxRequestSize: number, overheadBytes: number): RequestPlan<Q> {
  const into: Q[] = [];
  const left: Q[] = [];
  let bytes = overheadBytes;
  for (const queue of queues) {
    const size = nextBatchBytes(queue);
    if (size === undefined) continue;
    if (into.length > 0 && bytes + size > maxRequestSize) {
      left.push(queue);
      continue;
    }
    into.push(queue);
    bytes += size;
  }
  return { into, left };
}

/** The body of a Produce request. */
export type ProduceBody = RequestIn<typeof Produce>;

/** What a Produce body needs besides its batches. */
export interface ProduceBodySettings {
  /** The version spoken: from 13 topics go by id. */
  version: number;
  /** -1 (all), 0 or 1. */
  acks: -1 | 0 | 1;
  /** How long the broker may wait for replicas, ms (the producer's `requestTimeoutMs`). */
  timeoutMs: number;
  /** The topic's id from metadata, `''` when unknown. */
  topicIdOf: (topic: string) => string;
}

/**
 * The Produce body carrying `batches` (one per partition) with their encoded bytes, grouped by
 * topic in the order the batches come. Throws a {@link ProtocolError} when version 13 or later is
 * spoken and a topic's id is not known (the request cannot name it).
 */
export function produceBody(batches: readonly TopicPartition[], encoded: readonly Buffer[], settings: ProduceBodySettings): ProduceBody {
  const topics = new Map<string, { name: string; topicId: string; partitionData: { index: number; records: Buffer }[] }>();
  batches.forEach((batch, i) => {
    let topic = topics.get(batch.topic);
    if (!topic) {
      const topicId = settings.topicIdOf(batch.topic);
      if (settings.version >= 13 && !topicId) throw new ProtocolError(`no topic id known for ${batch.topic}`, { topic: batch.topic });
      topic = { name: batch.topic, topicId, partitionData: [] };
      topics.set(batch.topic, topic);
    }
    topic.partitionData.push({ index: batch.partition, records: encoded[i] as Buffer });
  });
  return { transactionalId: null, acks: settings.acks, timeoutMs: settings.timeoutMs, topicData: [...topics.values()] };
}
