/**
 * The admin client: topics, partitions, offsets, cluster description and configs. Each operation
 * validates its input synchronously (InvalidOptionError naming the field), routes its requests as
 * Kafka requires (controller, partition leaders, the broker described), retries transient errors with
 * the cluster's policy, and reports per-entity failures together in one {@link AdminOperationError}.
 */
import { Cluster } from '../cluster/cluster.js';
import type { BrokerInfo } from '../cluster/metadata.js';
import { IsolationLevel } from '../protocol/apis/fetch.js';
import { checkOneOf, checkString } from '../options/validate.js';
import { alterConfigs, checkAlterConfigsResources, type AlterConfigsOptions, type AlterConfigsResource } from './alter-configs.js';
import { describeConfigs, type ConfigResourceResult } from './configs.js';
import { describeTopics, listTopics, type TopicDescription, type TopicListing } from './describe-topics.js';
import { alterGroupOffsets, deleteGroups } from './group-admin.js';
import {
  describeGroup,
  describeGroupOffsets,
  fetchGroupOffsets,
  listGroups,
  type CommittedOffset,
  type GroupListing,
  type GroupOffsetsDescription,
} from './groups.js';
import type { GroupDescription } from './group-description.js';
import { listOffsets, type PartitionOffset } from './offsets.js';
import { checkGroupOffsets, type GroupOffsetUpdate } from './group-offset-input.js';
import { resolveAdminOptions, type AdminOptions, type ResolvedAdminOptions } from './options.js';
import {
  checkCallOptions,
  checkConfigResources,
  checkFlag,
  checkList,
  checkNewPartitions,
  checkNewTopics,
  checkOffsetQueries,
  checkTimeout,
  checkTopicName,
  type ConfigResource,
  type CreatePartitionsOptions,
  type CreateTopicsOptions,
  type DeleteTopicsOptions,
  type ListOffsetsOptions,
  type NewPartitions,
  type NewTopic,
  type OffsetQuery,
} from './requests.js';
import { createPartitions, createTopics, deleteTopics, type CreatedTopic } from './topics.js';

/** What `describeCluster` reports. */
export interface ClusterDescription {
  /** The cluster's id, null when the broker does not report one. */
  clusterId: string | null;
  /** Node id metadata gives as the controller (in KRaft: a broker that forwards to the active controller). */
  controllerId: number;
  /** Live brokers, by node id. */
  brokers: BrokerInfo[];
}

/** Admin client. Create one per application; `close()` it when done. */
export class Admin {
  /** The cluster client underneath, shareable with other roles. */
  readonly cluster: Cluster;
  private readonly options: Omit<ResolvedAdminOptions, 'cluster'>;

  /** Validates `options` (throws InvalidOptionError naming the option); connects lazily or on {@link Admin.connect}. */
  constructor(options: AdminOptions) {
    const { cluster, ...own } = resolveAdminOptions(options);
    this.cluster = new Cluster(cluster);
    // The cluster part is the Cluster's alone (its options keep TLS keys and SASL passwords out of
    // sight of inspect()).
    this.options = own;
  }

  /** Connects to a bootstrap broker and loads the broker list. */
  async connect(): Promise<void> {
    await this.cluster.connect();
  }

  /**
   * Creates topics. Unless `validateOnly`, resolves once metadata shows every partition with a
   * leader, so a produce right after it does not race the election.
   */
  async createTopics(topics: NewTopic[], options?: CreateTopicsOptions): Promise<CreatedTopic[]> {
    const list = checkNewTopics(topics);
    const o = checkCallOptions('options', options, ['validateOnly', 'timeoutMs', 'ignoreExisting']);
    return createTopics(this.cluster, list, {
      validateOnly: checkFlag('options.validateOnly', o.validateOnly),
      ignoreExisting: checkFlag('options.ignoreExisting', o.ignoreExisting),
      timeoutMs: checkTimeout('options.timeoutMs', o.timeoutMs, this.options.operationTimeoutMs),
    });
  }

  /** Deletes topics by name; resolves once the brokers no longer list them (up to operationTimeoutMs). */
  async deleteTopics(names: string[], options?: DeleteTopicsOptions): Promise<void> {
    const list = checkList<string>('names', names, String);
    list.forEach((n, i) => checkTopicName(`names[${i}]`, n));
    const o = checkCallOptions('options', options, ['timeoutMs']);
    await deleteTopics(this.cluster, list, { timeoutMs: checkTimeout('options.timeoutMs', o.timeoutMs, this.options.operationTimeoutMs) });
  }

  /** Raises partition counts (`count` is the new total); resolves once the new partitions have leaders. */
  async createPartitions(partitions: NewPartitions[], options?: CreatePartitionsOptions): Promise<void> {
    const list = checkNewPartitions(partitions);
    const o = checkCallOptions('options', options, ['validateOnly', 'timeoutMs']);
    await createPartitions(this.cluster, list, {
      validateOnly: checkFlag('options.validateOnly', o.validateOnly),
      timeoutMs: checkTimeout('options.timeoutMs', o.timeoutMs, this.options.operationTimeoutMs),
    });
  }

  /** Looks up the earliest, latest or by-time offset of each partition, in the order asked. */
  async listOffsets(partitions: OffsetQuery[], options?: ListOffsetsOptions): Promise<PartitionOffset[]> {
    const list = checkOffsetQueries(partitions);
    const o = checkCallOptions('options', options, ['isolationLevel']);
    const level =
      o.isolationLevel === undefined
        ? 'read_uncommitted'
        : checkOneOf('options.isolationLevel', o.isolationLevel, ['read_uncommitted', 'read_committed'] as const);
    return listOffsets(this.cluster, list, {
      isolationLevel: level === 'read_committed' ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED,
      timeoutMs: this.options.operationTimeoutMs,
    });
  }

  /** The cluster id, the controller metadata names, and the live brokers. */
  async describeCluster(): Promise<ClusterDescription> {
    const metadata = await this.cluster.refreshMetadata([]);
    return {
      clusterId: metadata.clusterId,
      controllerId: metadata.controllerId,
      brokers: [...metadata.brokers.values()].sort((a, b) => a.nodeId - b.nodeId),
    };
  }

  /** The configs of topics and brokers, in the order asked. */
  async describeConfigs(resources: ConfigResource[]): Promise<ConfigResourceResult[]> {
    return describeConfigs(this.cluster, checkConfigResources(resources));
  }

  /**
   * A group's type (`classic` or `consumer`, KIP-848), coordinator, state, assignor and members with
   * their assignments; for a consumer group also its epochs and each member's epoch, subscription
   * and target assignment. State `Dead`: no such group.
   */
  async describeGroup(groupId: string): Promise<GroupDescription> {
    return describeGroup(this.cluster, checkString('groupId', groupId));
  }

  /** A group's committed offsets: of every partition it committed, or only of `topics`. */
  async fetchGroupOffsets(groupId: string, topics?: string[]): Promise<CommittedOffset[]> {
    const list = topics === undefined ? null : checkList<string>('topics', topics, String);
    list?.forEach((t, i) => checkTopicName(`topics[${i}]`, t));
    return fetchGroupOffsets(this.cluster, checkString('groupId', groupId), list);
  }

  /** A group's description with committed offset, log-end offset and lag of every partition it committed or owns. */
  async describeGroupOffsets(groupId: string): Promise<GroupOffsetsDescription> {
    return describeGroupOffsets(this.cluster, checkString('groupId', groupId), (queries) => this.listOffsets(queries));
  }

  /**
   * Deletes consumer groups with their committed offsets. A group with members fails with
   * `GroupNotEmptyError`, one that does not exist with GROUP_ID_NOT_FOUND (one AdminOperationError for all failures).
   */
  async deleteGroups(groupIds: string[]): Promise<void> {
    const list = checkList<string>('groupIds', groupIds, String);
    list.forEach((g, i) => checkString(`groupIds[${i}]`, g));
    await deleteGroups(this.cluster, list);
  }

  /**
   * Sets a group's committed offsets (Kafka's `kafka-consumer-groups --reset-offsets --execute`).
   * The group must have no members: otherwise `GroupNotEmptyError` naming its state, and
   * nothing changes. Partitions not listed keep their offsets.
   */
  async alterGroupOffsets(groupId: string, offsets: GroupOffsetUpdate[]): Promise<void> {
    const id = checkString('groupId', groupId);
    await alterGroupOffsets(this.cluster, id, checkGroupOffsets(offsets));
  }

  /** Every topic's name, id, partition count and replication factor, by name; internal topics only with `includeInternal`. */
  async listTopics(options?: { includeInternal?: boolean }): Promise<TopicListing[]> {
    const o = checkCallOptions('options', options, ['includeInternal']);
    return listTopics(this.cluster, checkFlag('options.includeInternal', o.includeInternal));
  }

  /**
   * Partitions of topics as Metadata reports them: leader, replicas, in-sync and offline replicas.
   * Without `names`, every topic. A topic that does not exist fails the call (AdminOperationError naming it).
   */
  async describeTopics(names?: string[]): Promise<TopicDescription[]> {
    const list = names === undefined ? null : checkList<string>('names', names, String);
    list?.forEach((n, i) => checkTopicName(`names[${i}]`, n));
    return describeTopics(this.cluster, list);
  }

  /**
   * Changes single config entries of topics or brokers (IncrementalAlterConfigs): set, delete
   * (back to the default), append to or subtract from a list; the others keep their values.
   * It resolves once the controller accepted the change; each broker applies it from the cluster
   * metadata a moment later, so a describeConfigs at once may still show the old value.
   */
  async alterConfigs(resources: AlterConfigsResource[], options?: AlterConfigsOptions): Promise<void> {
    const list = checkAlterConfigsResources(resources);
    const o = checkCallOptions('options', options, ['validateOnly']);
    await alterConfigs(this.cluster, list, { validateOnly: checkFlag('options.validateOnly', o.validateOnly) });
  }

  /** Every group the cluster's brokers coordinate. */
  async listGroups(): Promise<GroupListing[]> {
    return listGroups(this.cluster);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await this.cluster.close();
  }
}
