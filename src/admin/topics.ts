/**
 * Topic operations of the admin client: create, delete, add partitions. They go to the controller as
 * metadata names it (in KRaft a broker that forwards to the active controller), and each topic's
 * result is settled on its own.
 */
import type { Cluster, RequestTarget } from '../cluster/cluster.js';
import { CreatePartitions } from '../protocol/apis/create-partitions.js';
import { CreateTopics } from '../protocol/apis/create-topics.js';
import { DeleteTopics } from '../protocol/apis/delete-topics.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { AdminOperationError } from './errors.js';
import type { NewPartitions, NewTopic } from './requests.js';
import { retryUnlessUnknownTopic, settleEntities, type EntityOutcome } from './settle-entities.js';
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
      return answersFor(pending, (t) => t.topic, response.topics).map(([key, r]): EntityOutcome<NewTopic, CreatedTopic> => {
        const created: CreatedTopic = {
          topic: r.name,
          topicId: r.topicId,
          partitions: r.numPartitions > 0 ? r.numPartitions : key.partitions,
          replicationFactor: r.replicationFactor > 0 ? r.replicationFactor : (key.replicationFactor ?? -1),
          created: true,
        };
        if (r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS && options.ignoreExisting) return { key, value: { ...created, created: false } };
        return outcomeOf(key, r, api, target, created);
      });
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
    shouldRetry: retryUnlessUnknownTopic,
    async send(pending, attempt) {
      const target = await controllerTarget(cluster, attempt > 1);
      const response = await cluster.request(target, DeleteTopics, (version) =>
        version >= 6
          ? { topics: pending.map((name) => ({ name })), timeoutMs: options.timeoutMs }
          : { topicNames: pending, timeoutMs: options.timeoutMs },
      );
      return answersFor(pending, (name) => name, response.responses).map(([key, r]) => outcomeOf(key, r, api, target, true));
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
    shouldRetry: retryUnlessUnknownTopic,
    async send(pending, attempt) {
      const target = await controllerTarget(cluster, attempt > 1);
      const response = await cluster.request(target, CreatePartitions, () => ({
        topics: pending.map((p) => ({ name: p.topic, count: p.count, assignments: null })),
        timeoutMs: options.timeoutMs,
        validateOnly: options.validateOnly,
      }));
      return answersFor(pending, (p) => p.topic, response.results).map(([key, r]) => outcomeOf(key, r, api, target, true));
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

/** One topic's part of a CreateTopics, DeleteTopics or CreatePartitions answer. */
interface TopicAnswer {
  name: string | null;
  errorCode: number;
  errorMessage: string | null;
}

/** Each answer naming a pending key, with that key; answers naming none (or no topic) are passed over. */
function answersFor<K, A extends TopicAnswer>(pending: readonly K[], topicOf: (key: K) => string, answers: readonly A[]): [K, A & { name: string }][] {
  const byName = new Map(pending.map((key) => [topicOf(key), key]));
  const out: [K, A & { name: string }][] = [];
  for (const r of answers) {
    const key = r.name === null ? undefined : byName.get(r.name);
    if (key !== undefined) out.push([key, r as A & { name: string }]);
  }
  return out;
}

/** `key`'s outcome: the Kafka error its answer reports (naming topic, api and broker), else `value`. */
function outcomeOf<K, R>(key: K, r: TopicAnswer & { name: string }, api: string, broker: RequestTarget, value: R): EntityOutcome<K, R> {
  const error = kafkaError(r.errorCode, { topic: r.name, api, broker }, { brokerMessage: r.errorMessage });
  return error ? { key, error } : { key, value };
}
