/**
 * The one builder of Metadata answers for tests that script a low-level {@link FakeBroker}: brokers
 * and topics in, the Metadata response body out, every field a real broker sends filled in, so a
 * test names only what it is about (an error code, a leader, an epoch, a topic id).
 *
 * ```ts
 * broker.handle(Metadata, () => ({ body: metadataAnswer([broker], { topics: [{ name: 't', partitions: 2 }] }) }));
 * ```
 *
 * {@link clusterMetadataOf} turns the same description into the client's parsed snapshot, for
 * tests of code that reads a `ClusterMetadata`.
 */
import { mergeMetadata, type ClusterMetadata } from '../../src/cluster/metadata.js';
import { AUTHORIZED_OPERATIONS_OMITTED, type Metadata } from '../../src/protocol/apis/metadata.js';
import type { ResponseOut } from '../../src/protocol/schema.js';
import type { FakeBroker } from './fake-broker.js';

/** The Metadata response body a handler answers with, every field given. */
export type MetadataAnswer = ResponseOut<typeof Metadata>;

/** A broker of the answer named by its address. */
export interface AnswerNode {
  nodeId: number;
  host: string;
  port: number;
  rack?: string | null;
}

/** A broker of the answer: a fake broker (node id: its place in the list, from 1) or a node spelt out. */
export type AnswerBroker = FakeBroker | AnswerNode;

/** One partition of a topic of the answer; what is left out takes a healthy default. */
export interface AnswerPartition {
  /** Leader node id; default: the answer's first broker (1 when it names none). */
  leader?: number;
  /** Default 0. */
  leaderEpoch?: number;
  /** Default `[leader]`. */
  replicas?: number[];
  /** In-sync replicas; default the replicas. */
  isr?: number[];
  /** Default 0 (NONE). */
  errorCode?: number;
}

/** One topic of the answer. */
export interface AnswerTopic {
  name: string;
  /** A count of healthy partitions, or each partition (index: its place in the list); default 1. */
  partitions?: number | AnswerPartition[];
  /** Default 0 (NONE). */
  errorCode?: number;
  /** Default `AAAAAAAAAAAAAAAAAAAAAQ`. */
  topicId?: string;
  /** Default false. */
  isInternal?: boolean;
}

/** What else the answer says. */
export interface MetadataAnswerOptions {
  /** Default none. */
  topics?: AnswerTopic[];
  /** Default `'fake'`. */
  clusterId?: string | null;
  /** Default: the first broker's node id (1 when none). */
  controllerId?: number;
  /** Default 0. */
  throttleTimeMs?: number;
  /** The top-level error code (Metadata v13+, e.g. REBOOTSTRAP_REQUIRED); default 0. */
  errorCode?: number;
}

/** The topic id of a topic the description gives none. */
export const ANSWER_TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** `broker` named as node `nodeId` of an answer. */
export function node(nodeId: number, broker: FakeBroker): AnswerNode {
  return { nodeId, host: broker.host, port: broker.port };
}

/** A Metadata answer naming `brokers` and `options.topics`; see the module documentation. */
export function metadataAnswer(brokers: readonly AnswerBroker[], options: MetadataAnswerOptions = {}): MetadataAnswer {
  const nodes = brokers.map((b, i) => ('nodeId' in b ? b : { nodeId: i + 1, host: b.host, port: b.port }));
  const firstNode = nodes[0]?.nodeId ?? 1;
  return {
    throttleTimeMs: options.throttleTimeMs ?? 0,
    brokers: nodes.map((n) => ({ nodeId: n.nodeId, host: n.host, port: n.port, rack: n.rack ?? null })),
    clusterId: options.clusterId === undefined ? 'fake' : options.clusterId,
    controllerId: options.controllerId ?? firstNode,
    topics: (options.topics ?? []).map((t) => {
      const partitions = typeof t.partitions === 'number' || t.partitions === undefined ? Array.from({ length: t.partitions ?? 1 }, () => ({})) : t.partitions;
      return {
        errorCode: t.errorCode ?? 0,
        name: t.name,
        topicId: t.topicId ?? ANSWER_TOPIC_ID,
        isInternal: t.isInternal ?? false,
        partitions: partitions.map((p: AnswerPartition, partitionIndex) => {
          const leader = p.leader ?? firstNode;
          const replicas = p.replicas ?? [leader];
          return {
            errorCode: p.errorCode ?? 0,
            partitionIndex,
            leaderId: leader,
            leaderEpoch: p.leaderEpoch ?? 0,
            replicaNodes: replicas,
            isrNodes: p.isr ?? replicas,
            offlineReplicas: [],
          };
        }),
        topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      };
    }),
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
    errorCode: options.errorCode ?? 0,
  };
}

/**
 * The client's snapshot of the same answer, as `Cluster` would hold it after a refresh at
 * `fetchedAt` (ms): for tests of code that reads a `ClusterMetadata`.
 */
export function clusterMetadataOf(brokers: readonly AnswerBroker[], options: MetadataAnswerOptions = {}, fetchedAt = 0): ClusterMetadata {
  return mergeMetadata(null, metadataAnswer(brokers, options), fetchedAt);
}
