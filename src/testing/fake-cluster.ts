/**
 * `FakeKafkaCluster`: an in-process Kafka for tests. Each broker listens on a loopback port and
 * speaks the wire protocol with the project's own schemas; the cluster keeps topics, partition
 * logs, committed offsets and group state (classic and KIP-848 consumer groups) as a broker does,
 * and offers fault hooks and read-side helpers for assertions. It imports nothing of the clients: any Kafka client can use it.
 */
import { ALL_APIS } from '../protocol/apis/index.js';
import type { KafkaErrorName } from '../protocol/error-codes.js';
import type { KafkaRecord, RecordInput } from '../protocol/records/types.js';
import { appendBatch } from './append.js';
import { BrokerServer } from './broker-server.js';
import { ClusterState, type FakeBrokerNode, type FakeClusterSettings } from './cluster-state.js';
import { createDispatcher } from './dispatcher.js';
import { errorCodeOf } from './error-codes.js';
import type { FailOptions, FaultRuleOptions, LoseAnswerOptions } from './faults.js';
import { ROUTES } from './handlers/index.js';
import { offsetKey } from './handlers/offsets.js';
import { readBatches, type FakeBatch } from './log-view.js';
import type { FakeRequest } from './request-log.js';
import { deleteTopic } from './handlers/topic-admin.js';
import { topicNameProblem, type FakePartition, type TopicSpec } from './topics.js';
import type { GroupState } from './classic-group.js';
import { describeConsumerGroup, type FakeConsumerGroupView } from './consumer-group-view.js';

/** Options of {@link FakeKafkaCluster.start}. */
export interface FakeKafkaClusterOptions extends Partial<FakeClusterSettings> {
  /** Number of brokers, each on its own loopback port (default 1). Node ids are 1..n. */
  brokers?: number;
  /** Topics that exist from the start. */
  topics?: TopicSpec[];
}

/** An API of the fake, by Kafka's name of it (`'Fetch'`) or by its definition (`{ apiKey: 1 }`). */
export type FakeApi = string | { readonly apiKey: number };

/** A group as the coordinator sees it, for assertions. */
export interface FakeGroupView {
  state: GroupState;
  generation: number;
  /** The chosen assignor, once a generation has one. */
  protocol: string | null;
  leader: string | null;
  members: string[];
}

const DEFAULTS: FakeClusterSettings = {
  defaultPartitions: 1,
  autoCreateTopics: false,
  messageMaxBytes: 1048588,
  maxRequestBytes: 100 * 1024 * 1024,
  retentionBytes: 64 * 1024 * 1024,
  initialRebalanceDelayMs: 0,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1800000,
  consumerHeartbeatIntervalMs: 5000,
  consumerSessionTimeoutMs: 45000,
};
const HOST = '127.0.0.1';

/**
 * An in-process Kafka cluster for tests; see the module documentation.
 *
 * ```ts
 * const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 3 }] });
 * const producer = new Producer({ brokers: cluster.bootstrap });
 * // ... produce, consume, assert with cluster.records('orders', 0) and cluster.committed('billing', 'orders', 0)
 * await cluster.stop();
 * ```
 */
export class FakeKafkaCluster {
  private readonly servers = new Map<number, BrokerServer>();

  private constructor(private readonly state: ClusterState) {}

  /**
   * Starts a cluster: every broker listening on 127.0.0.1 before this resolves.
   * @throws Error when a topic given in `options.topics` cannot be created
   */
  static async start(options: FakeKafkaClusterOptions = {}): Promise<FakeKafkaCluster> {
    const { brokers = 1, topics = [], ...settings } = options;
    if (!Number.isInteger(brokers) || brokers < 1) throw new Error(`brokers must be a whole number of at least 1, got ${brokers}`);
    const nodes: FakeBrokerNode[] = Array.from({ length: brokers }, (_, i) => ({ nodeId: i + 1, host: HOST, port: 0, up: true }));
    const state = new ClusterState(nodes, { ...DEFAULTS, ...settings });
    const cluster = new FakeKafkaCluster(state);
    for (const node of nodes) {
      const server = new BrokerServer(HOST, state.settings.maxRequestBytes, createDispatcher(state, node, ROUTES));
      await server.listen(0);
      node.port = server.port;
      cluster.servers.set(node.nodeId, server);
    }
    for (const topic of topics) cluster.createTopic(topic);
    return cluster;
  }

  /** The brokers as a client's bootstrap list: `127.0.0.1:port`, one per broker. */
  get bootstrap(): string[] {
    return this.state.brokers.map((b) => `${b.host}:${b.port}`);
  }

  /** The cluster id Metadata reports. */
  get clusterId(): string {
    return this.state.clusterId;
  }

  /**
   * Creates a topic at once, as an admin's CreateTopics would.
   * @throws Error when the name is illegal, the topic exists or the partition count is not positive
   */
  createTopic(spec: TopicSpec): void {
    const problem = topicNameProblem(spec.topic);
    if (problem !== null) throw new Error(problem);
    if (this.state.topics.byTopicName(spec.topic)) throw new Error(`topic ${spec.topic} already exists`);
    const partitions = spec.partitions ?? this.state.settings.defaultPartitions;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a whole number of at least 1, got ${partitions}`);
    this.state.topics.create(spec.topic, partitions, 1, spec.configs ?? {});
  }

  /** Deletes a topic and its committed offsets; false when there is no such topic. */
  deleteTopic(topic: string): boolean {
    const found = this.state.topics.byTopicName(topic);
    if (found) deleteTopic(this.state, found);
    return found !== undefined;
  }

  /** Names of every topic. */
  topicNames(): string[] {
    return this.state.topics.all().map((t) => t.name);
  }

  /**
   * Answers the next `options.times` (default 1) requests of `api` with `error` instead of doing
   * the work: on the partitions (of `options.topic` / `options.partition` when given) of APIs that
   * answer per partition or per topic, on the whole answer of the others.
   * @throws Error for an API the fake does not speak or an unknown error name
   */
  fail(api: FakeApi, error: number | KafkaErrorName, options: FailOptions = {}): void {
    this.state.faults.fail(apiKeyOf(api), errorCodeOf(error), options);
  }

  /**
   * Delays the answers to the next `options.times` (default: every) requests of `api` (accepted by
   * `options.when`) by `ms`; 0 removes every delay of `api`. A newer delay takes the requests it
   * accepts before older ones do. `when` sees the request before its handler has read it: its
   * `index`, not yet its `partitions` or `batches`.
   */
  delay(api: FakeApi, ms: number, options: FaultRuleOptions = {}): void {
    this.state.faults.delay(apiKeyOf(api), ms, { times: Infinity, ...options });
  }

  /**
   * Holds the answers to `api`: requests of it arriving from now on wait, unanswered, until the
   * returned function is called (which lifts the hold), e.g. to stop a consumer while its
   * OffsetFetch is under way. {@link FakeKafkaCluster.clearFaults} and `stop` release holds too.
   * @throws Error for an API the fake does not speak
   */
  hold(api: FakeApi): () => void {
    return this.state.faults.hold(apiKeyOf(api));
  }

  /**
   * Does the work of the next `options.times` (default 1) requests of `api` (accepted by
   * `options.when`), then loses the answer: `how: 'close'` (default) closes the connection instead,
   * `'ignore'` never answers. A Produce is written but its producer never hears so, as when a
   * connection dies after the broker appended.
   * @throws Error for an API the fake does not speak
   */
  loseAnswer(api: FakeApi, options: LoseAnswerOptions = {}): void {
    this.state.faults.loseAnswer(apiKeyOf(api), options);
  }

  /** Removes every injected error, delay and lost answer, and releases every hold. */
  clearFaults(): void {
    this.state.faults.clear();
  }

  /**
   * The requests of `api` the brokers handled, oldest first: the decoded body (typed by `Body`
   * for the caller, unchecked), which partitions each named, the batches of a Produce with their
   * producer fields and answered error codes, the requests in flight on its connection, and
   * whether its answer was sent. A snapshot; entries of pending requests fill in as they are answered.
   * @throws Error for an API the fake does not speak
   */
  requests<Body = unknown>(api: FakeApi): readonly FakeRequest<Body>[] {
    return this.state.requests.of(apiKeyOf(api)) as readonly FakeRequest<Body>[];
  }

  /**
   * Takes broker `nodeId` down: its connections close, new ones are refused, and the partitions it
   * led move to the brokers still up (leader epochs rise). Groups it coordinated move too, and their
   * new coordinator starts the members' session clocks over; with no broker up, the clocks stop
   * until one comes back.
   */
  async dropBroker(nodeId: number): Promise<void> {
    const node = this.node(nodeId);
    this.state.changeCoordinators(() => {
      node.up = false;
    });
    this.state.topics.electLeaders();
    await this.server(nodeId).close();
  }

  /** Brings broker `nodeId` back on its old port; partitions it preferred return to it. */
  async restoreBroker(nodeId: number): Promise<void> {
    const node = this.node(nodeId);
    if (node.up) return;
    await this.server(nodeId).listen(node.port);
    this.state.changeCoordinators(() => {
      node.up = true;
    });
    this.state.topics.electLeaders();
  }

  /**
   * Moves the partition's leadership to broker `nodeId`, as a reassignment would: its leader epoch
   * rises, the old leader answers NOT_LEADER_OR_FOLLOWER (and FENCED_LEADER_EPOCH to the old epoch)
   * and Metadata names the new one. Answers the new leader epoch.
   * Leaders are placed afresh when a broker is dropped or restored.
   * @throws Error when there is no such partition, or the broker does not exist or is down
   */
  moveLeader(topic: string, partition: number, nodeId: number): number {
    const target = this.partition(topic, partition);
    if (!this.node(nodeId).up) throw new Error(`broker ${nodeId} is down; a partition can only move to a broker that is up`);
    return this.state.topics.moveLeader(target, nodeId);
  }

  /**
   * Starts a rebalance of `groupId`, as a member joining would. A classic group's members must
   * rejoin; a consumer (KIP-848) group gets a new group epoch, a target assignment computed afresh
   * at the next heartbeat and every member reconciled to that epoch.
   */
  forceRebalance(groupId: string): void {
    this.state.group(groupId, false)?.forceRebalance();
    this.state.consumerGroups.get(groupId)?.forceRebalance();
  }

  /**
   * Ends member `memberId`'s session now, as its session timeout passing would: it leaves the group
   * (a classic group's others must rejoin; a consumer group's get a new group epoch and its
   * partitions) and its next request is answered UNKNOWN_MEMBER_ID.
   * @returns false when the group has no such member
   */
  expireMember(groupId: string, memberId: string): boolean {
    return (this.state.group(groupId, false) ?? this.state.consumerGroups.get(groupId))?.expire(memberId) ?? false;
  }

  /**
   * Moves the coordination of `groupId` to broker `nodeId` (while it is up), as a leader change of
   * its `__consumer_offsets` partition would: the old coordinator answers NOT_COORDINATOR, the new
   * one has the group's members and offsets and starts their session clocks over.
   * @throws Error when there is no broker `nodeId`
   */
  moveCoordinator(groupId: string, nodeId: number): void {
    this.node(nodeId);
    this.state.changeCoordinators(() => this.state.pinnedCoordinators.set(groupId, nodeId));
  }

  /**
   * Plays an older broker for `api`: ApiVersions advertises it up to `version` only, and a request
   * above it closes the connection, as a broker does with a version it does not know.
   * @throws Error for an API the fake does not speak
   */
  maxVersion(api: FakeApi, version: number): void {
    this.state.maxVersions.set(apiKeyOf(api), version);
  }

  /** Damages (one byte inside the CRC's range) the next batch a Fetch returns from this partition. */
  corruptNextBatch(topic: string, partition: number): void {
    this.state.corruptNext.add(offsetKey(topic, partition));
  }

  /** The offset `groupId` committed for the partition, or undefined when it has none. */
  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.state.offsetsOf(groupId)?.get(offsetKey(topic, partition))?.offset;
  }

  /**
   * A consumer (KIP-848) group as its coordinator sees it, or undefined when there is no such
   * group (or `groupId` is a classic group's; see {@link FakeKafkaCluster.group}).
   */
  consumerGroup(groupId: string): FakeConsumerGroupView | undefined {
    const group = this.state.consumerGroups.get(groupId);
    return group ? describeConsumerGroup(group, (id) => this.state.topics.byTopicId(id)?.name) : undefined;
  }

  /** A classic group as its coordinator sees it, or undefined when there is no such group. */
  group(groupId: string): FakeGroupView | undefined {
    const group = this.state.group(groupId, false);
    if (!group) return undefined;
    return { state: group.state, generation: group.generation, protocol: group.protocolName, leader: group.leader, members: [...group.members.keys()] };
  }

  /**
   * Writes `records` at the end of the partition's log as one batch, as a producer's Produce
   * would (no compression, no producer id); a waiting Fetch answers with them. Resolves with the
   * offset of the first. For a log of known batch boundaries without a producer.
   * @throws Error when there is no such partition or `records` is empty
   */
  async append(topic: string, partition: number, records: readonly RecordInput[]): Promise<number> {
    return appendBatch(this.state, this.partition(topic, partition), records);
  }

  /**
   * The topic's id, as Metadata reports it.
   * @throws Error when there is no such topic
   */
  topicId(topic: string): string {
    const found = this.state.topics.byTopicName(topic);
    if (!found) throw new Error(`no topic ${topic}`);
    return found.id;
  }

  /** The offset the next record of the partition gets. */
  endOffset(topic: string, partition: number): number {
    return this.partition(topic, partition).log.logEndOffset;
  }

  /** Every record the partition still holds, decoded, oldest first. */
  async records(topic: string, partition: number): Promise<KafkaRecord[]> {
    return (await this.batches(topic, partition)).flatMap((b) => b.records);
  }

  /** Every batch the partition still holds, decoded, oldest first, with its producer id, epoch and first sequence. */
  batches(topic: string, partition: number): Promise<FakeBatch[]> {
    return readBatches(this.partition(topic, partition).log, topic, partition);
  }

  /** Closes every connection and listener and cancels every timer. */
  async stop(): Promise<void> {
    this.state.shutdown();
    await Promise.all([...this.servers.values()].map((s) => s.close()));
  }

  private node(nodeId: number): FakeBrokerNode {
    const node = this.state.broker(nodeId);
    if (!node) throw new Error(`no broker ${nodeId}; brokers are 1..${this.state.brokers.length}`);
    return node;
  }

  private server(nodeId: number): BrokerServer {
    return this.servers.get(nodeId) as BrokerServer;
  }

  private partition(topic: string, index: number): FakePartition {
    const partition = this.state.topics.byTopicName(topic)?.partitions[index];
    if (!partition) throw new Error(`no partition ${topic}/${index}`);
    return partition;
  }
}

/** The key of an API given by name or definition, if the fake speaks it. */
function apiKeyOf(api: FakeApi): number {
  const key = typeof api === 'string' ? ALL_APIS.find((a) => a.name === api)?.apiKey : api.apiKey;
  if (key === undefined || !ROUTES.some((r) => r.api.apiKey === key)) {
    throw new Error(`the fake cluster does not speak ${typeof api === 'string' ? api : `API key ${api.apiKey}`}; it speaks ${ROUTES.map((r) => r.api.name).join(', ')}`);
  }
  return key;
}
