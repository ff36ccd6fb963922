/**
 * Everything a fake cluster knows, shared by all its brokers: the brokers and which are up, the
 * topics and their logs, the groups and their offsets, the producer ids handed out, and the
 * settings a real cluster takes from its broker configuration.
 */
import { randomBytes } from 'node:crypto';
import { ClassicGroup } from './classic-group.js';
import { ConsumerProtocolGroup } from './consumer-group.js';
import { FaultPlan } from './faults.js';
import { RequestLog } from './request-log.js';
import { TopicTable } from './topics.js';

/** One broker of the fake cluster. */
export interface FakeBrokerNode {
  readonly nodeId: number;
  readonly host: string;
  port: number;
  up: boolean;
}

/** Broker settings the fake honours, named after the Kafka configs they stand for. */
export interface FakeClusterSettings {
  /** `num.partitions`: partitions of a topic created with -1 or auto-created (default 1). */
  defaultPartitions: number;
  /** `auto.create.topics.enable` (default false, as on the project's test broker). */
  autoCreateTopics: boolean;
  /** `message.max.bytes`: the largest record batch a Produce may carry (default 1048588, Kafka's). */
  messageMaxBytes: number;
  /** `socket.request.max.bytes`: the largest request frame; a larger one closes the connection (default 100 MiB). */
  maxRequestBytes: number;
  /** `retention.bytes` of every partition: the oldest batches go beyond it (default 64 MiB, to bound memory). */
  retentionBytes: number;
  /** `group.initial.rebalance.delay.ms` (default 0, as on the project's test broker). */
  initialRebalanceDelayMs: number;
  /** `group.min.session.timeout.ms` (default 6000, Kafka's). */
  minSessionTimeoutMs: number;
  /** `group.max.session.timeout.ms` (default 1800000, Kafka's). */
  maxSessionTimeoutMs: number;
  /** `group.consumer.heartbeat.interval.ms`: the interval consumer-protocol members are told to heartbeat at (default 5000, Kafka's). */
  consumerHeartbeatIntervalMs: number;
  /** `group.consumer.session.timeout.ms`: how long a silent consumer-protocol member stays in its group (default 45000, Kafka's). */
  consumerSessionTimeoutMs: number;
}

/** A timer the cluster cancels when it stops; unref'd so a forgotten cluster does not hold the process open. */
class Timers {
  private readonly live = new Set<NodeJS.Timeout>();

  start(ms: number, fire: () => void): () => void {
    const timer = setTimeout(() => {
      this.live.delete(timer);
      fire();
    }, ms);
    timer.unref();
    this.live.add(timer);
    return () => {
      clearTimeout(timer);
      this.live.delete(timer);
    };
  }

  clear(): void {
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
  }
}

/** The shared state of a fake cluster; see the module documentation. */
export class ClusterState {
  readonly clusterId = randomBytes(16).toString('base64url');
  readonly topics: TopicTable;
  /** Classic groups by id; a group id is in this map or in {@link consumerGroups}, never both. */
  readonly groups = new Map<string, ClassicGroup>();
  /** Consumer (KIP-848) groups by id. */
  readonly consumerGroups = new Map<string, ConsumerProtocolGroup>();
  readonly faults = new FaultPlan();
  /** Every request the brokers handled, for `FakeKafkaCluster.requests`. */
  readonly requests = new RequestLog();
  /** The highest version advertised and accepted per API key, where lowered by `FakeKafkaCluster.maxVersion`. */
  readonly maxVersions = new Map<number, number>();
  /** Groups whose coordinator was placed by `FakeKafkaCluster.moveCoordinator`: group id → node id. */
  readonly pinnedCoordinators = new Map<string, number>();
  readonly timers = new Timers();
  /** Broker-side damage asked for by `corruptNextBatch`, by `topic\0partition`. */
  readonly corruptNext = new Set<string>();
  /** True once the cluster stopped: waiting requests give up. */
  stopped = false;
  private nextProducerId = 1000n;
  private appendWaiters: (() => void)[] = [];

  constructor(
    readonly brokers: readonly FakeBrokerNode[],
    readonly settings: FakeClusterSettings,
  ) {
    this.topics = new TopicTable(
      brokers.map((b) => b.nodeId),
      (id) => this.broker(id)?.up === true,
      settings.retentionBytes,
    );
  }

  broker(nodeId: number): FakeBrokerNode | undefined {
    return this.brokers.find((b) => b.nodeId === nodeId);
  }

  /** Brokers that are up, in id order. */
  liveBrokers(): FakeBrokerNode[] {
    return this.brokers.filter((b) => b.up);
  }

  /**
   * The broker coordinating `key` (a group id): the one it was moved to while that broker is up,
   * else a hash over the brokers up, as `__consumer_offsets` partitions spread.
   */
  coordinatorFor(key: string): FakeBrokerNode | undefined {
    const live = this.liveBrokers();
    if (live.length === 0) return undefined;
    const pinned = live.find((b) => b.nodeId === this.pinnedCoordinators.get(key));
    if (pinned) return pinned;
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 31) + key.charCodeAt(i)) | 0;
    return live[Math.abs(hash) % live.length];
  }

  /**
   * Runs `change` (brokers going down or up, a coordinator moved by hand). A group whose coordinator
   * changed is loaded by the new one, which starts its members' session clocks over, as Kafka's
   * GroupMetadataManager does on loading; a group left with no broker up waits with its clocks
   * stopped, since no coordinator is there to expire its members.
   */
  changeCoordinators(change: () => void): void {
    const all = (): [string, ClassicGroup | ConsumerProtocolGroup][] => [...this.groups, ...this.consumerGroups];
    const before = new Map(all().map(([id]) => [id, this.coordinatorFor(id)?.nodeId]));
    change();
    for (const [id, group] of all()) {
      const now = this.coordinatorFor(id)?.nodeId;
      if (now === undefined) group.unload();
      else if (now !== before.get(id)) group.reload();
    }
  }

  /** The classic group `groupId`, created Empty when asked to; undefined (never created) while the id is a consumer group's. */
  group(groupId: string, create: boolean): ClassicGroup | undefined {
    let group = this.groups.get(groupId);
    if (!group && create && !this.consumerGroups.has(groupId)) {
      group = new ClassicGroup(groupId, {
        initialRebalanceDelayMs: this.settings.initialRebalanceDelayMs,
        startTimer: (ms, fire) => this.timers.start(ms, fire),
      });
      this.groups.set(groupId, group);
    }
    return group;
  }

  /**
   * The consumer (KIP-848) group `groupId`. With `create`, a missing one is created, and an empty
   * classic group (no members, perhaps offsets) is converted into one keeping its offsets, as
   * Kafka does; a classic group with members stays classic (undefined is answered).
   */
  consumerGroup(groupId: string, create: boolean): ConsumerProtocolGroup | undefined {
    const existing = this.consumerGroups.get(groupId);
    if (existing || !create) return existing;
    const classic = this.groups.get(groupId);
    if (classic && classic.members.size > 0) return undefined;
    const group = new ConsumerProtocolGroup(groupId, {
      heartbeatIntervalMs: this.settings.consumerHeartbeatIntervalMs,
      sessionTimeoutMs: this.settings.consumerSessionTimeoutMs,
      startTimer: (ms, fire) => this.timers.start(ms, fire),
      topics: () => this.topics.all().map((t) => ({ name: t.name, id: t.id, partitions: t.partitions.length })),
    });
    if (classic) {
      for (const [key, offset] of classic.offsets) group.offsets.set(key, offset);
      classic.shutdown();
      this.groups.delete(groupId);
    }
    this.consumerGroups.set(groupId, group);
    return group;
  }

  /**
   * Turns the empty consumer group `groupId` back into a classic one keeping its offsets, as Kafka
   * does when a classic member joins it. False when it has members (it stays a consumer group).
   */
  convertToClassic(groupId: string): boolean {
    const consumer = this.consumerGroups.get(groupId);
    if (!consumer) return true;
    if (consumer.members.size > 0) return false;
    consumer.shutdown();
    this.consumerGroups.delete(groupId);
    const classic = this.group(groupId, true) as ClassicGroup;
    for (const [key, offset] of consumer.offsets) classic.offsets.set(key, offset);
    return true;
  }

  /** The committed offsets of group `groupId` of either kind, or undefined when there is no such group. */
  offsetsOf(groupId: string): ClassicGroup['offsets'] | undefined {
    return (this.groups.get(groupId) ?? this.consumerGroups.get(groupId))?.offsets;
  }

  /** A fresh idempotent producer id. */
  newProducerId(): bigint {
    return this.nextProducerId++;
  }

  /** Wakes every fetch waiting for data. */
  appended(): void {
    const waiters = this.appendWaiters;
    this.appendWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next append anywhere, or after `ms`. */
  nextAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.timers.start(ms, () => {
        this.appendWaiters = this.appendWaiters.filter((w) => w !== wake);
        resolve();
      });
      const wake = (): void => {
        cancel();
        resolve();
      };
      this.appendWaiters.push(wake);
    });
  }

  /** Stops every timer and wakes every waiter (the cluster stops). */
  shutdown(): void {
    this.stopped = true;
    this.faults.clear(); // held requests are let go, so no answer waits on a stopped cluster
    for (const group of this.groups.values()) group.shutdown();
    for (const group of this.consumerGroups.values()) group.shutdown();
    this.timers.clear();
    this.appended();
  }
}
