/**
 * Finding what a request names: a topic by name or by id, and a partition this broker leads,
 * with the error a broker answers when it cannot.
 */
import type { HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { FakePartition, FakeTopic } from '../topics.js';

/** A topic named by name (`byId` false) or by id: the topic, or the error for an unknown one. */
export function findTopic(context: HandlerContext, name: string | null, id: string, byId: boolean): FakeTopic | number {
  const topics = context.state.topics;
  const topic = byId ? topics.byTopicId(id) : name === null ? undefined : topics.byTopicName(name);
  if (topic) return topic;
  return byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
}

/**
 * Partition `index` of `topic` if this broker leads it and the client's leader epoch (-1: not
 * checked) is the current one; otherwise the error a broker answers.
 */
export function ledPartition(context: HandlerContext, topic: FakeTopic, index: number, currentLeaderEpoch = -1): FakePartition | number {
  const partition = topic.partitions[index];
  if (!partition) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (partition.leader !== context.broker.nodeId) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (currentLeaderEpoch > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return partition;
}

/** True when this broker coordinates `groupId`. */
export function coordinates(context: HandlerContext, groupId: string): boolean {
  return context.state.coordinatorFor(groupId)?.nodeId === context.broker.nodeId;
}
