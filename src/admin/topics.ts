/**
 * Topic operations of the admin client: create, delete, add partitions. They go to the controller as
 * metadata names it (in KRaft a broker that forwards to the active controller), and each topic's
 * result is settled on its own.
 */
import type { Cluster, RequestTarget } from '../cluster/cluster.js';
import { CreatePartitions } from '../protocol/apis/create-partitions.js';
import { CreateTopics } from '../protocol/apis/create-topics.js';
import { DeleteTopics } from '../protocol/apis/delete-topics.js';
import { KafkaError, kafkaError } from '../protocol/kafka-error.js';
import type { KafkaStageError } from '../errors.js';
import { AdminOperationError } from './errors.js';
import type { NewPartitions, NewTopic } from './requests.js';
import { settleEntities, type EntityOutcome } from './settle-entities.js';
import { waitForLeaders, waitForTopicsGone } from './wait-for-leaders.js';
import { ErrorCode } from '../protocol/error-codes.js';


/** A topic as `createTopics` left it. */
export interface CreatedTopic {
  topic: string;
  /** Topic id (URL-safe base64 UUID); all zeros for `validateOnly` or when the broker did not say. */
  topicId: string;
  partitions: number;
  replicationFactor: number;
  /** False when the topic already existed and `ignoreExisting` was set. */
  created: boolean;
}

/** Where controller requests go: the controller metadata names, if it is a broker we know, else any broker. */
async function controllerTarget(cluster: Cluster, refresh: boolean): Promise<RequestTarget> {
  const metadata = refresh || !cluster.metadata ? await cluster.refreshMetadata([]) : cluster.metadata;
  return metadata.brokers.has(metadata.controllerId) ? metadata.controllerId : 'any';
}

/** Retries transient errors except "unknown topic", which for these operations is a final answer. */
function retryUnlessUnknown(error: KafkaStageError): boolean {
  return error.retriable && !(error instanceof KafkaError && error.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
}

/** Creates topics, then (unless only validating) waits until every partition has a leader. */
export async function createTopics(
  cluster: Cluster,
  topics: NewTopic[],
  options: { validateOnly: boolean; timeoutMs: number; ignoreExisting: boolean },
): Promise<CreatedTopic[]> {
  const api = 'CreateTopics';
  const settled = await settleEntities<NewTopic, CreatedTopic>(cluster, {
    operation: 'createTopics',
    keys: topics,
    nameOf: (t) => t.topic,
    // A retry after a lost response may meet TOPIC_ALREADY_EXISTS for a topic the first try created;
    // that is reported as is (the broker cannot tell the two apart).
    async send(pending, attempt) {
      const target = await controllerTarget(cluster, attempt > 1);
      const response = await cluster.request(target, CreateTopics, () => ({
        topics: pending.map((t) => ({
          name: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor ?? -1,
          assignments: [],
          configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
        timeoutMs: options.timeoutMs,
        validateOnly: options.validateOnly,
      }));
      const byName = new Map(pending.map((t) => [t.topic, t]));
      const outcomes: EntityOutcome<NewTopic, CreatedTopic>[] = [];
      for (const r of response.topics) {
        const key = byName.get(r.name);
        if (!key) continue;
        const created: CreatedTopic = {
          topic: r.name,
          topicId: r.topicId,
          partitions: r.numPartitions > 0 ? r.numPartitions : key.partitions,
          replicationFactor: r.replicationFactor > 0 ? r.replicationFactor : (key.replicationFactor ?? -1),
          created: true,
        };
        if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && options.ignoreExisting) {
          outcomes.push({ key, value: { ...created, created: false } });
          continue;
        }
        const error = kafkaError(r.errorCode, { topic: r.name, api, broker: target }, { brokerMessage: r.errorMessage });
        outcomes.push(error ? { key, error } : { key, value: created });
      }
      return outcomes;
    },
    topics: topics.map((t) => t.topic),
  });
  const results = [...settled.values()];
  if (options.validateOnly) return results;

  const expected = new Map(results.map((r) => [r.topic, r.created ? r.partitions : 1]));
  const late = await waitForLeaders(cluster, expected, options.timeoutMs);
  // Topics that existed already report what metadata shows, not what was asked for.
  for (const r of results) {
    const info = cluster.metadata?.topics.get(r.topic);
    if (!info) continue;
    r.topicId = info.topicId;
    if (!r.created) {
      r.partitions = info.partitions.length;
      r.replicationFactor = info.partitions[0]?.replicas.length ?? r.replicationFactor;
    }
  }
  if (late.size > 0) {
    const failures = [...late].map(([entity, error]) => ({ entity, error }));
    throw new AdminOperationError('createTopics', failures, results.filter((r) => !late.has(r.topic)).map((r) => r.topic));
  }
  return results;
}

/** Deletes topics. An unknown topic fails at once (UNKNOWN_TOPIC_OR_PARTITION naming it), not after retries. */
export async function deleteTopics(cluster: Cluster, names: string[], options: { timeoutMs: number }): Promise<void> {
  const api = 'DeleteTopics';
  await settleEntities<string, true>(cluster, {
    operation: 'deleteTopics',
    keys: names,
    nameOf: (n) => n,
    shouldRetry: retryUnlessUnknown,
    async send(pending, attempt) {
      const target = await controllerTarget(cluster, attempt > 1);
      const response = await cluster.request(target, DeleteTopics, (version) =>
        version >= 6
          ? { topics: pending.map((name) => ({ name })), timeoutMs: options.timeoutMs }
          : { topicNames: pending, timeoutMs: options.timeoutMs },
      );
      const outcomes: EntityOutcome<string, true>[] = [];
      for (const r of response.responses) {
        if (r.name === null || !pending.includes(r.name)) continue;
        const error = kafkaError(r.errorCode, { topic: r.name, api, broker: target }, { brokerMessage: r.errorMessage });
        outcomes.push(error ? { key: r.name, error } : { key: r.name, value: true });
      }
      return outcomes;
    },
  });
  // Resolve once the brokers no longer list the topics (and their leaders are forgotten here).
  await waitForTopicsGone(cluster, names, options.timeoutMs).catch(() => undefined);
}

/** Raises topics' partition counts, then waits until the new partitions have leaders. */
export async function createPartitions(
  cluster: Cluster,
  items: NewPartitions[],
  options: { validateOnly: boolean; timeoutMs: number },
): Promise<void> {
  const api = 'CreatePartitions';
  await settleEntities<NewPartitions, true>(cluster, {
    operation: 'createPartitions',
    keys: items,
    nameOf: (p) => p.topic,
    shouldRetry: retryUnlessUnknown,
    async send(pending, attempt) {
      const target = await controllerTarget(cluster, attempt > 1);
      const response = await cluster.request(target, CreatePartitions, () => ({
        topics: pending.map((p) => ({ name: p.topic, count: p.count, assignments: null })),
        timeoutMs: options.timeoutMs,
        validateOnly: options.validateOnly,
      }));
      const byName = new Map(pending.map((p) => [p.topic, p]));
      const outcomes: EntityOutcome<NewPartitions, true>[] = [];
      for (const r of response.results) {
        const key = byName.get(r.name);
        if (!key) continue;
        const error = kafkaError(r.errorCode, { topic: r.name, api, broker: target }, { brokerMessage: r.errorMessage });
        outcomes.push(error ? { key, error } : { key, value: true });
      }
      return outcomes;
    },
    topics: items.map((p) => p.topic),
  });
  if (options.validateOnly) return;
  const late = await waitForLeaders(cluster, new Map(items.map((p) => [p.topic, p.count])), options.timeoutMs);
  if (late.size > 0) {
    const failures = [...late].map(([entity, error]) => ({ entity, error }));
    throw new AdminOperationError('createPartitions', failures, items.filter((p) => !late.has(p.topic)).map((p) => p.topic));
  }
}
