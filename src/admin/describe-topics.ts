/**
 * describeTopics / listTopics: what Metadata says of topics, including what the client's cached
 * snapshot leaves out (offline replicas, internal flag of every topic). One Metadata request, asked
 * of any broker, retried with the cluster's policy.
 */
import type { Cluster } from '../cluster/cluster.js';
import { Metadata } from '../protocol/apis/metadata.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { ZERO_UUID } from '../protocol/schema.js';
import { AdminOperationError } from './errors.js';

/** One partition of a described topic. */
export interface PartitionDescription {
  partition: number;
  /** Node id of the leader, -1 when the partition has none. */
  leader: number;
  leaderEpoch: number;
  /** Node ids of the replicas, preferred leader first. */
  replicas: number[];
  /** Node ids of the in-sync replicas. */
  isr: number[];
  /** Replicas on brokers that are down (or whose log directory failed). */
  offlineReplicas: number[];
}

/** A topic as Metadata describes it. */
export interface TopicDescription {
  name: string;
  /** Topic id (URL-safe base64 UUID). */
  topicId: string;
  /** True for Kafka's own topics (`__consumer_offsets`, `__transaction_state`, …). */
  isInternal: boolean;
  /** By partition index. */
  partitions: PartitionDescription[];
}

/** One topic of the cluster's list. */
export interface TopicListing {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: number;
  /** Replicas of partition 0 (Kafka keeps the same count for every partition unless reassigned). */
  replicationFactor: number;
}

/**
 * Describes `names` (null: every topic), sorted by name. A topic that does not exist, or any other
 * per-topic error, fails the call with one {@link AdminOperationError} naming each such topic.
 */
export async function describeTopics(cluster: Cluster, names: string[] | null): Promise<TopicDescription[]> {
  const response = await cluster.withRetry('describeTopics', () =>
    cluster.request('any', Metadata, (version) => ({
      // v0 asks for every topic with an empty list; later versions with null.
      topics: names === null ? (version === 0 ? [] : null) : names.map((name) => ({ name, topicId: ZERO_UUID })),
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })),
  );
  const failures = [];
  const out: TopicDescription[] = [];
  for (const t of response.topics) {
    if (t.name === null) continue;
    const error = kafkaError(t.errorCode, { topic: t.name, api: 'Metadata' });
    if (error) {
      failures.push({ entity: t.name, error });
      continue;
    }
    out.push({
      name: t.name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
        }))
        .sort((a, b) => a.partition - b.partition),
    });
  }
  if (failures.length > 0) throw new AdminOperationError('describeTopics', failures, out.map((t) => t.name));
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Every topic, sorted by name; Kafka's internal topics only when `includeInternal`. */
export async function listTopics(cluster: Cluster, includeInternal: boolean): Promise<TopicListing[]> {
  const topics = await describeTopics(cluster, null);
  return topics
    .filter((t) => includeInternal || !t.isInternal)
    .map((t) => ({
      name: t.name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
    }));
}
