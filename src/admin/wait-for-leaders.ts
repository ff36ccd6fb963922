/**
 * Waits until metadata shows topics with the expected partition count, each partition led by a known
 * broker. A topic the controller has just created is not usable at once: its partitions get leaders
 * a moment later, and a produce sent in between fails. Waiting here keeps that race out of callers.
 */
import type { Cluster } from '../cluster/cluster.js';
import type { ClusterMetadata } from '../cluster/metadata.js';
import { KafkaError } from '../protocol/kafka-error.js';
import type { KafkaStageError } from '../errors.js';
import { ErrorCode } from '../protocol/error-codes.js';

const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 500;

/** Topics (by name) not yet ready in `metadata`, given the partition count each must reach. */
export function topicsNotReady(metadata: ClusterMetadata, expected: ReadonlyMap<string, number>): string[] {
  const waiting: string[] = [];
  for (const [name, count] of expected) {
    const info = metadata.topics.get(name);
    const ready =
      info !== undefined &&
      info.errorCode === ErrorCode.NONE &&
      info.partitions.length >= count &&
      info.partitions.slice(0, count).every((p) => p !== undefined && p.errorCode === ErrorCode.NONE && p.leader >= 0 && metadata.brokers.has(p.leader));
    if (!ready) waiting.push(name);
  }
  return waiting;
}

/**
 * Polls metadata until every topic in `expected` is ready or `timeoutMs` passes. Returns the topics
 * still not ready at the deadline, each with an error saying so (empty when all are ready).
 */
export async function waitForLeaders(cluster: Cluster, expected: ReadonlyMap<string, number>, timeoutMs: number): Promise<Map<string, KafkaStageError>> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...expected.keys()];
  let pause = FIRST_POLL_MS;
  while (waiting.length > 0) {
    const metadata = await cluster.refreshMetadata(waiting);
    waiting = topicsNotReady(metadata, new Map(waiting.map((t) => [t, expected.get(t) ?? 1])));
    if (waiting.length === 0 || Date.now() + pause > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(MAX_POLL_MS, pause * 2);
  }
  const late = new Map<string, KafkaStageError>();
  for (const topic of waiting) {
    late.set(
      topic,
      new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, { topic, api: 'Metadata' }, { brokerMessage: `partitions had no leader ${timeoutMs} ms after the change was accepted` }),
    );
  }
  return late;
}

/** True when `metadata` no longer lists `topic` (absent, or answered unknown by the broker). */
function topicGone(metadata: ClusterMetadata, topic: string): boolean {
  const info = metadata.topics.get(topic);
  return info === undefined || info.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || info.errorCode === ErrorCode.UNKNOWN_TOPIC_ID;
}


/**
 * Polls metadata until none of `topics` is listed any more, or `timeoutMs` passes. The controller
 * accepts a deletion before the brokers apply it: until they do, a broker still serves the topic
 * (a ListOffsets right after DeleteTopics answered with offsets, seen on Kafka 4.0.2), so a caller
 * that just deleted a topic would still find it.
 */
export async function waitForTopicsGone(cluster: Cluster, topics: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...topics];
  let pause = FIRST_POLL_MS;
  while (waiting.length > 0) {
    const metadata = await cluster.refreshMetadata(waiting);
    waiting = waiting.filter((t) => !topicGone(metadata, t));
    if (waiting.length === 0 || Date.now() + pause > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(MAX_POLL_MS, pause * 2);
  }
}
