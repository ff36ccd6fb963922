/** Metadata: the brokers that are up, and the topics asked for with their partitions' leaders. */
import { Metadata } from '../../protocol/apis/metadata.js';
import type { ResponseIn } from '../../protocol/schema.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import { route, type HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { topicNameProblem, type FakeTopic } from '../topics.js';

type TopicAnswer = ResponseIn<typeof Metadata>['topics'][number];

function describeTopic(topic: FakeTopic, errorCode: number): TopicAnswer {
  return {
    errorCode,
    name: topic.name,
    topicId: topic.id,
    isInternal: false,
    partitions:
      errorCode !== ErrorCode.NONE
        ? []
        : topic.partitions.map((p) => ({
            errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
            partitionIndex: p.index,
            leaderId: p.leader,
            leaderEpoch: p.leaderEpoch,
            replicaNodes: p.leader < 0 ? [] : [p.leader],
            isrNodes: p.leader < 0 ? [] : [p.leader],
            offlineReplicas: [],
          })),
  };
}

/** The topics a request names: found, auto-created when the cluster allows it, or their error. */
function resolve(context: HandlerContext, asked: { topicId: string; name: string | null }[], allowAutoCreate: boolean): TopicAnswer[] {
  const { state } = context;
  return asked.map(({ name, topicId }) => {
    const topic = name === null ? state.topics.byTopicId(topicId) : state.topics.byTopicName(name);
    if (topic) return describeTopic(topic, ErrorCode.NONE);
    if (name === null) return { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId, partitions: [] };
    if (topicNameProblem(name) !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name, topicId: ZERO_UUID, partitions: [] };
    if (allowAutoCreate && state.settings.autoCreateTopics) {
      // A broker answers LEADER_NOT_AVAILABLE for the topic it has just created.
      state.topics.create(name, state.settings.defaultPartitions, 1, {});
      return { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, name, topicId: ZERO_UUID, partitions: [] };
    }
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, partitions: [] };
  });
}

/** The Metadata handler. */
export const metadataRoute = route(Metadata, (request, context) => {
  const { state, version } = context;
  const everyTopic = request.topics === null || (version === 0 && request.topics.length === 0);
  const topics = everyTopic
    ? state.topics.all().map((t) => describeTopic(t, ErrorCode.NONE))
    : resolve(context, request.topics ?? [], request.allowAutoTopicCreation);
  const injected = context.claimError(topics.map((t) => ({ topic: t.name ?? '' })));
  const answered = injected
    ? topics.map((t) => (injected.appliesTo(t.name ?? '') ? { ...t, errorCode: injected.code, partitions: [] } : t))
    : topics;
  const live = state.liveBrokers();
  return {
    throttleTimeMs: 0,
    brokers: live.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: null })),
    clusterId: state.clusterId,
    controllerId: live[0]?.nodeId ?? -1,
    topics: answered,
    errorCode: ErrorCode.NONE,
  };
});
