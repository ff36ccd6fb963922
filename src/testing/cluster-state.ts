/**
 * Everything a fake cluster knows, shared by all its brokers: the brokers and which are up, the
 * topics and their logs, the groups and their offsets, the producer ids handed out, and the
 * settings a real cluster takes from its broker configuration.
 */
import { randomBytes } from 'node:crypto';
import { ClassicGroup } from './classic-group.js';
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
  readonly groups = new Map<string, ClassicGroup>();
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
    const before = new Map([...this.groups.keys()].map((id) => [id, this.coordinatorFor(id)?.nodeId]));
    change();
    for (const [id, group] of this.groups) {
      const now = this.coordinatorFor(id)?.nodeId;
      if (now === undefined) group.unload();
      else if (now !== before.get(id)) group.reload();
    }
  }

  /** The group `groupId`, created Empty when asked to. */
  group(groupId: string, create: boolean): ClassicGroup | undefined {
    let group = this.groups.get(groupId);
    if (!group && create) {
      group = new ClassicGroup(groupId, {
        initialRebalanceDelayMs: this.settings.initialRebalanceDelayMs,
        startTimer: (ms, fire) => this.timers.start(ms, fire),
      });
      this.groups.set(groupId, group);
    }
    return group;
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
    this.timers.clear();
    this.appended();
  }
}
