/**
 * The read-only picture of a consumer (KIP-848) group that `FakeKafkaCluster.consumerGroup` hands
 * to tests: epochs, the assignor, and per member what it holds, what it is giving up and what the
 * target assignment has for it, with topics by name.
 */
import { splitPartitionKey } from './assignors.js';
import type { ConsumerGroupState, ConsumerMemberState, ConsumerProtocolGroup } from './consumer-group.js';

/** One partition of a topic. */
export interface FakeTopicPartition {
  topic: string;
  partition: number;
}

/** A member of a consumer group, for assertions. */
export interface FakeConsumerMemberView {
  memberId: string;
  instanceId: string | null;
  /** The member epoch: the group epoch it reconciled to; -2 while a static member is away. */
  memberEpoch: number;
  /** Where it is in reconciliation: `STABLE`, `UNREVOKED_PARTITIONS` (must give some up) or `UNRELEASED_PARTITIONS` (waits for some). */
  state: ConsumerMemberState;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** Partitions it holds or has been given, in topic then partition order. */
  assigned: FakeTopicPartition[];
  /** Partitions it was told to give up and has not yet reported gone. */
  pendingRevocation: FakeTopicPartition[];
  /** What the target assignment has for it. */
  target: FakeTopicPartition[];
}

/** A consumer group as its coordinator sees it, for assertions. */
export interface FakeConsumerGroupView {
  state: ConsumerGroupState;
  /** Rises with every change of membership, subscription, assignor or subscribed topic. */
  groupEpoch: number;
  /** The group epoch the target assignment was computed for. */
  assignmentEpoch: number;
  /** The server-side assignor in use (`uniform` or `range`). */
  assignor: string;
  members: FakeConsumerMemberView[];
}

/** The view of `group`; `topicName` names a topic id (a deleted topic keeps its id). */
export function describeConsumerGroup(group: ConsumerProtocolGroup, topicName: (id: string) => string | undefined): FakeConsumerGroupView {
  const partitions = (keys: Iterable<string>): FakeTopicPartition[] =>
    [...keys]
      .map((key) => {
        const { topicId, partition } = splitPartitionKey(key);
        return { topic: topicName(topicId) ?? topicId, partition };
      })
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  return {
    state: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignor: group.assignorName,
    members: [...group.members.values()].map((m) => ({
      memberId: m.id,
      instanceId: m.instanceId,
      memberEpoch: m.epoch,
      state: m.state,
      subscribedTopicNames: [...m.subscribedTopicNames],
      subscribedTopicRegex: m.subscribedTopicRegex,
      serverAssignor: m.serverAssignor,
      assigned: partitions(m.assigned.keys()),
      pendingRevocation: partitions(m.pendingRevocation.keys()),
      target: partitions(group.target.get(m.id) ?? []),
    })),
  };
}
