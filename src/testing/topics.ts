/**
 * The fake cluster's topics: names, ids, partitions, their logs and leaders. Pure state: no
 * sockets, no timers. Leaders are spread over the brokers that are up (partition p of a topic on
 * the (p + topic's spread start)-th of them) and move when a broker goes down or comes back, each
 * move raising the partition's leader epoch as a controller does.
 */
import { randomBytes } from 'node:crypto';
import { PartitionLog } from './partition-log.js';

/** One partition: its log, leader and leader epoch. */
export interface FakePartition {
  readonly index: number;
  readonly log: PartitionLog;
  leader: number;
  leaderEpoch: number;
}

/** One topic. */
export interface FakeTopic {
  readonly name: string;
  /** Kafka's topic id, rendered as Kafka renders it (URL-safe base64). */
  readonly id: string;
  readonly partitions: FakePartition[];
  readonly configs: Map<string, string | null>;
  readonly replicationFactor: number;
  /** Where this topic's leaders start in the broker list, so topics do not all lead on one broker. */
  readonly spread: number;
}

/** A topic to create. */
export interface TopicSpec {
  topic: string;
  /** Partition count (default: the cluster's `defaultPartitions`). */
  partitions?: number;
  /** Topic configs, stored and reported back; they do not change the fake's behaviour. */
  configs?: Record<string, string>;
}

/** Kafka's limit on topic name length. */
const MAX_TOPIC_NAME = 249;
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

/** Why `name` is not a legal topic name, or null when it is (Kafka's `Topic.validate`). */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME) return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME} characters`;
  if (!LEGAL_TOPIC_NAME.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  return null;
}

/** A fresh random topic id that is not Kafka's zero id. */
function newTopicId(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) | 1; // never the all-zero "no id"
  return bytes.toString('base64url');
}

/** Every topic, by name and by id, and the brokers that can lead. */
export class TopicTable {
  private readonly byName = new Map<string, FakeTopic>();
  private readonly byId = new Map<string, FakeTopic>();
  private created = 0;

  constructor(
    private readonly brokerIds: readonly number[],
    private readonly isUp: (brokerId: number) => boolean,
    private readonly retentionBytes: number,
  ) {}

  /** Every topic, in creation order. */
  all(): FakeTopic[] {
    return [...this.byName.values()];
  }

  byTopicName(name: string): FakeTopic | undefined {
    return this.byName.get(name);
  }

  byTopicId(id: string): FakeTopic | undefined {
    return this.byId.get(id);
  }

  /** Creates a topic; the caller has checked the name and that it does not exist. */
  create(name: string, partitions: number, replicationFactor: number, configs: Record<string, string | null>): FakeTopic {
    const topic: FakeTopic = {
      name,
      id: newTopicId(),
      partitions: [],
      configs: new Map(Object.entries(configs)),
      replicationFactor,
      spread: this.created++,
    };
    this.byName.set(name, topic);
    this.byId.set(topic.id, topic);
    this.addPartitions(topic, partitions);
    return topic;
  }

  /** Grows a topic to `count` partitions. */
  addPartitions(topic: FakeTopic, count: number): void {
    for (let index = topic.partitions.length; index < count; index++) {
      topic.partitions.push({ index, log: new PartitionLog(this.retentionBytes), leader: this.leaderFor(topic, index), leaderEpoch: 0 });
    }
  }

  delete(topic: FakeTopic): void {
    this.byName.delete(topic.name);
    this.byId.delete(topic.id);
  }

  /** Moves every partition to the leader it should have with the brokers up now; a move raises the epoch. */
  electLeaders(): void {
    for (const topic of this.byName.values()) {
      for (const partition of topic.partitions) {
        const leader = this.leaderFor(topic, partition.index);
        if (leader !== partition.leader) {
          partition.leader = leader;
          partition.leaderEpoch++;
        }
      }
    }
  }

  /**
   * Makes `nodeId` the partition's leader, as a controller's reassignment or preferred-leader
   * election does: the leader epoch rises (also when the leader stays), so clients holding the old
   * epoch are fenced. Answers the new epoch. The next {@link TopicTable.electLeaders} (a broker down
   * or back) places every partition afresh.
   */
  moveLeader(partition: FakePartition, nodeId: number): number {
    partition.leader = nodeId;
    return ++partition.leaderEpoch;
  }

  /** The preferred leader among the brokers up; -1 (no leader) when none is. */
  private leaderFor(topic: FakeTopic, index: number): number {
    const n = this.brokerIds.length;
    for (let step = 0; step < n; step++) {
      const id = this.brokerIds[(topic.spread + index + step) % n] as number;
      if (this.isUp(id)) return id;
    }
    return -1;
  }
}
