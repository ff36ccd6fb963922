/** The cluster metadata snapshot: brokers, topics, partitions and their leaders. Pure. */

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
  /** Partitions by index. */
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
 */
export function mergeMetadata(previous: ClusterMetadata | null, response: MetadataResponseLike, now: number): ClusterMetadata {
  const brokers = new Map<number, BrokerInfo>();
  for (const b of response.brokers) brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack });
  const topics = new Map<string, TopicInfo>(previous?.topics ?? []);
  for (const t of response.topics) {
    if (t.name === null) continue;
    const partitions: PartitionInfo[] = [];
    for (const p of t.partitions) {
      partitions[p.partitionIndex] = {
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        errorCode: p.errorCode,
      };
    }
    if (t.errorCode !== 0 && partitions.length === 0) {
      topics.delete(t.name);
    }
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
