/** CreateTopics, DeleteTopics and CreatePartitions, with a controller's checks and error messages. */
import { CreatePartitions } from '../../protocol/apis/create-partitions.js';
import { CreateTopics } from '../../protocol/apis/create-topics.js';
import { DeleteTopics } from '../../protocol/apis/delete-topics.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { ClusterState } from '../cluster-state.js';
import { route } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { topicNameProblem, type FakeTopic } from '../topics.js';

/** `DYNAMIC_TOPIC_CONFIG`: the source of a config set on the topic itself. */
const TOPIC_CONFIG_SOURCE = 1;
/** DeleteTopics names topics by id (or name) from this version on. */
const FIRST_TOPIC_ID_VERSION = 6;

/** Why a topic cannot be created as asked, or null when it can. */
function creationProblem(state: ClusterState, name: string, partitions: number, replicationFactor: number): { code: number; message: string } | null {
  const nameProblem = topicNameProblem(name);
  if (nameProblem !== null) return { code: ErrorCode.INVALID_TOPIC_EXCEPTION, message: nameProblem };
  if (state.topics.byTopicName(name)) return { code: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${name}' already exists.` };
  if (partitions <= 0) return { code: ErrorCode.INVALID_PARTITIONS, message: 'Number of partitions must be larger than 0.' };
  const brokers = state.liveBrokers().length;
  if (replicationFactor <= 0 || replicationFactor > brokers) {
    return { code: ErrorCode.INVALID_REPLICATION_FACTOR, message: `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers} broker(s) are registered.` };
  }
  return null;
}

/** Deletes a topic and every offset committed for it, as a broker does. */
export function deleteTopic(state: ClusterState, topic: FakeTopic): void {
  state.topics.delete(topic);
  for (const group of [...state.groups.values(), ...state.consumerGroups.values()]) {
    for (const key of [...group.offsets.keys()]) if (key.startsWith(`${topic.name}\0`)) group.offsets.delete(key);
  }
}

/** The CreateTopics handler. */
export const createTopicsRoute = route(CreateTopics, (request, context) => {
  const { state } = context;
  const injected = context.claimError(request.topics.map((t) => ({ topic: t.name })));
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((asked) => {
      const partitions = asked.assignments.length > 0 ? asked.assignments.length : asked.numPartitions === -1 ? state.settings.defaultPartitions : asked.numPartitions;
      const replicationFactor = asked.assignments.length > 0 ? (asked.assignments[0]?.brokerIds.length ?? 1) : asked.replicationFactor === -1 ? 1 : asked.replicationFactor;
      const problem = injected?.appliesTo(asked.name)
        ? { code: injected.code, message: null }
        : creationProblem(state, asked.name, partitions, replicationFactor);
      if (problem) return { name: asked.name, topicId: ZERO_UUID, errorCode: problem.code, errorMessage: problem.message, configs: null };
      const configs = Object.fromEntries(asked.configs.map((c) => [c.name, c.value]));
      const topicId = request.validateOnly ? ZERO_UUID : state.topics.create(asked.name, partitions, replicationFactor, configs).id;
      return {
        name: asked.name,
        topicId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        numPartitions: partitions,
        replicationFactor,
        configs: asked.configs.map((c) => ({ name: c.name, value: c.value, readOnly: false, configSource: TOPIC_CONFIG_SOURCE, isSensitive: false })),
      };
    }),
  };
});

/** The DeleteTopics handler. */
export const deleteTopicsRoute = route(DeleteTopics, (request, context) => {
  const { state } = context;
  const byIdVersion = context.version >= FIRST_TOPIC_ID_VERSION;
  const asked = byIdVersion ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
  // v6 may name a topic by id only: fault rules (aimed at names) see the name it has.
  const found = asked.map(({ name, topicId }) => (name === null ? state.topics.byTopicId(topicId) : state.topics.byTopicName(name)));
  const injected = context.claimError(asked.map((t, i) => ({ topic: t.name ?? found[i]?.name ?? '' })));
  return {
    throttleTimeMs: 0,
    responses: asked.map(({ name, topicId }, i) => {
      const byId = name === null;
      const topic = found[i];
      if (injected?.appliesTo(name ?? topic?.name ?? '')) return { name, topicId, errorCode: injected.code };
      if (!topic) {
        return { name, topicId, errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' };
      }
      deleteTopic(state, topic);
      return { name: topic.name, topicId: topic.id, errorCode: ErrorCode.NONE };
    }),
  };
});

/** The CreatePartitions handler. */
export const createPartitionsRoute = route(CreatePartitions, (request, context) => {
  const { state } = context;
  const injected = context.claimError(request.topics.map((t) => ({ topic: t.name })));
  return {
    throttleTimeMs: 0,
    results: request.topics.map((asked) => {
      if (injected?.appliesTo(asked.name)) return { name: asked.name, errorCode: injected.code };
      const topic = state.topics.byTopicName(asked.name);
      if (!topic) return { name: asked.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `The topic '${asked.name}' does not exist.` };
      const current = topic.partitions.length;
      if (asked.count <= current) {
        const message = asked.count === current ? `Topic already has ${current} partition(s).` : `The topic ${asked.name} currently has ${current} partition(s); ${asked.count} would not be an increase.`;
        return { name: asked.name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: message };
      }
      if (!request.validateOnly) state.topics.addPartitions(topic, asked.count);
      return { name: asked.name, errorCode: ErrorCode.NONE };
    }),
  };
});
