/** The cluster metadata snapshot: brokers, topics, partitions and their leaders. Pure. */
import { KafkaStageError } from '../errors.js';

/** One broker as the cluster advertises it. */
export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

/** One partition of a topic. */
export interface PartitionInfo {
  partition: number;
  /** Node id of the leader, -1 when none. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** Kafka error code reported for the partition (0 when fine). */
  errorCode: number;
}

/** One topic. */
export interface TopicInfo {
  name: string;
  /** Topic id (Kafka UUID as URL-safe base64); all zeros when the broker does not report one. */
  topicId: string;
  isInternal: boolean;
  /**
   * Partitions by index: dense, `partitions[i].partition === i`, and its length is the number of
   * partitions the broker listed (an answer whose indexes are not exactly 0..count-1 is refused
   * with `ERR_PROTOCOL`).
   */
  partitions: PartitionInfo[];
  errorCode: number;
}

/** An immutable view of the cluster, replaced as a whole on every refresh. */
export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: ReadonlyMap<number, BrokerInfo>;
  topics: ReadonlyMap<string, TopicInfo>;
  /** Date.now() when it was fetched. */
  fetchedAt: number;
}

/** The subset of a Metadata response the snapshot is built from. */
export interface MetadataResponseLike {
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
  clusterId: string | null;
  controllerId: number;
  topics: {
    errorCode: number;
    name: string | null;
    topicId: string;
    isInternal: boolean;
    partitions: {
      errorCode: number;
      partitionIndex: number;
      leaderId: number;
      leaderEpoch: number;
      replicaNodes: number[];
      isrNodes: number[];
    }[];
  }[];
}

/**
 * Merges a Metadata response into the previous snapshot. Topics the response names replace their
 * old entry; topics it does not mention are kept (a refresh for some topics must not forget others).
 *
 * A topic's partition count is the number of partitions listed, never an index plus one: a broker
 * lists every partition of a topic, so the indexes must be exactly 0..count-1, in any order. An
 * index outside that range (negative, or 2³¹−2 among two entries) or listed twice is refused with
 * `ERR_PROTOCOL` naming the topic and `broker` (the answer's sender, when the caller knows it);
 * nothing is sized by an index. The previous snapshot is never changed.
 *
 * @throws KafkaStageError `ERR_PROTOCOL` (not retriable) for partition indexes that are not 0..count-1
 */
export function mergeMetadata(previous: ClusterMetadata | null, response: MetadataResponseLike, now: number, broker?: string | number): ClusterMetadata {
  const brokers = new Map<number, BrokerInfo>();
  for (const b of response.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
  const topics = new Map<string, TopicInfo>(previous?.topics ?? []);
  for (const t of response.topics) {
    if (t.name === null) continue;
    const partitions = partitionsByIndex(t.name, t.partitions, broker);
    topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions, errorCode: t.errorCode });
  }
  return {
    clusterId: response.clusterId,
    controllerId: response.controllerId,
    brokers,
    topics,
    fetchedAt: now,
  };
}

/** The listed partitions placed at their indexes, which must be exactly 0..listed-1. */
function partitionsByIndex(topic: string, listed: MetadataResponseLike['topics'][number]['partitions'], broker: string | number | undefined): PartitionInfo[] {
  const count = listed.length;
  // Sized by what was listed (already in memory), never by an index the broker sent.
  const partitions = new Array<PartitionInfo | undefined>(count).fill(undefined);
  for (const p of listed) {
    const index = p.partitionIndex;
    const where = `topic ${topic}${broker === undefined ? '' : ` from broker ${broker}`}`;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw malformed(`metadata of ${where} lists partition index ${index} among ${count} partitions (indexes must be 0..${count - 1})`, topic, broker);
    }
    if (partitions[index] !== undefined) throw malformed(`metadata of ${where} lists partition ${index} twice`, topic, broker);
    partitions[index] = {
      partition: index,
      leader: p.leaderId,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicaNodes,
      isr: p.isrNodes,
      errorCode: p.errorCode,
    };
  }
  // Every slot is filled: count distinct indexes in 0..count-1.
  return partitions as PartitionInfo[];
}

function malformed(message: string, topic: string, broker: string | number | undefined): KafkaStageError {
  return new KafkaStageError('ERR_PROTOCOL', message, {
    context: broker === undefined ? { topic, api: 'Metadata' } : { topic, broker, api: 'Metadata' },
    retriable: false,
  });
}
