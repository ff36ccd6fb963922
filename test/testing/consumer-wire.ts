/**
 * A consumer-protocol (KIP-848) member played over the wire against the fake cluster: sends
 * ConsumerGroupHeartbeat with what a client would (its epoch, the partitions it owns), keeps what
 * the answers assign, and gives up revoked partitions at once, as a client that finished revoking.
 */
import assert from 'node:assert/strict';
import { ConsumerGroupHeartbeat } from '../../src/protocol/apis/consumer-group-heartbeat.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import type { RequestIn, ResponseOut } from '../../src/protocol/schema.js';
import type { FakeKafkaCluster } from '../../src/testing/fake-cluster.js';
import { roundTrip } from './wire.js';

/** The decoded heartbeat answer. */
export type HeartbeatAnswer = ResponseOut<typeof ConsumerGroupHeartbeat>;

/** One heartbeat request, fields left out taking Kafka's "unchanged" defaults. */
export type HeartbeatBody = Partial<RequestIn<typeof ConsumerGroupHeartbeat>> & { groupId: string; memberId: string; memberEpoch: number };

/** Sends one ConsumerGroupHeartbeat (v1 unless told) to the cluster's first broker. */
export async function heartbeat(cluster: FakeKafkaCluster, body: HeartbeatBody, version = 1, broker = 0): Promise<HeartbeatAnswer> {
  const answer = await roundTrip(cluster.bootstrap[broker] as string, ConsumerGroupHeartbeat, version, {
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...body,
  });
  assert.ok(answer, 'the fake answered the heartbeat');
  return answer;
}

/** A member as a client runs it: its id, epoch and owned partitions (`topicId:partition`). */
export class WireMember {
  epoch = 0;
  owned = new Set<string>();
  last: HeartbeatAnswer | undefined;

  constructor(
    readonly cluster: FakeKafkaCluster,
    readonly groupId: string,
    readonly memberId: string,
    readonly join: Partial<HeartbeatBody>,
  ) {}

  /** Joins (epoch 0, with the subscription given at construction); asserts success. */
  async start(): Promise<HeartbeatAnswer> {
    const answer = await heartbeat(this.cluster, { rebalanceTimeoutMs: 30_000, topicPartitions: [], ...this.join, groupId: this.groupId, memberId: this.memberId, memberEpoch: 0 });
    return this.take(answer);
  }

  /** One regular heartbeat reporting what it owns; asserts success. */
  async beat(): Promise<HeartbeatAnswer> {
    const answer = await heartbeat(this.cluster, {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: this.epoch,
      instanceId: this.join.instanceId ?? null,
      topicPartitions: ownedByTopic(this.owned),
    });
    return this.take(answer);
  }

  /** Leaves with `epoch` (-1, or -2 for a static member); asserts success. */
  async leave(epoch: -1 | -2 = -1): Promise<HeartbeatAnswer> {
    const answer = await heartbeat(this.cluster, { groupId: this.groupId, memberId: this.memberId, memberEpoch: epoch, instanceId: this.join.instanceId ?? null });
    assert.equal(answer.errorCode, 0, `leave of ${this.memberId}: error ${answer.errorCode}`);
    this.owned.clear();
    return answer;
  }

  private take(answer: HeartbeatAnswer): HeartbeatAnswer {
    assert.equal(answer.errorCode, 0, `heartbeat of ${this.memberId}: error ${answer.errorCode} ${answer.errorMessage ?? ''}`);
    this.last = answer;
    this.epoch = answer.memberEpoch;
    // A new assignment replaces the owned set: revoked partitions are dropped at once.
    if (answer.assignment) this.owned = new Set(answer.assignment.topicPartitions.flatMap((t) => t.partitions.map((p) => `${t.topicId}:${p}`)));
    return answer;
  }
}

/** Owned partition keys grouped by topic id, as the request carries them. */
export function ownedByTopic(owned: Iterable<string>): { topicId: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const key of owned) {
    const at = key.lastIndexOf(':');
    const topicId = key.slice(0, at);
    topics.set(topicId, [...(topics.get(topicId) ?? []), Number(key.slice(at + 1))]);
  }
  return [...topics].map(([topicId, partitions]) => ({ topicId, partitions }));
}

/** Fails when any partition is owned by two members at once. */
export function assertNoOverlap(members: readonly WireMember[]): void {
  const owner = new Map<string, string>();
  for (const m of members) {
    for (const key of m.owned) {
      const other = owner.get(key);
      assert.equal(other, undefined, `partition ${key} owned by both ${other ?? ''} and ${m.memberId}`);
      owner.set(key, m.memberId);
    }
  }
}

/** Commits `offset` for `topic`/`partition` as a non-member (epoch -1, no member id), as an admin does: the partition's error code. */
export async function adminCommit(cluster: FakeKafkaCluster, groupId: string, topic: string, partition: number, offset: number): Promise<number | undefined> {
  const answer = await roundTrip(cluster.bootstrap[0] as string, OffsetCommit, 9, {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: topic, topicId: cluster.topicId(topic), partitions: [{ partitionIndex: partition, committedOffset: BigInt(offset), committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  return answer?.topics[0]?.partitions[0]?.errorCode;
}
