/**
 * describeConfigs: the configs of topics and brokers. A broker's own configs are asked of that broker
 * (only it knows its static settings); topic configs of any broker, in one request.
 */
import type { Cluster, RequestTarget } from '../cluster/cluster.js';
import { DescribeConfigs } from '../protocol/apis/describe-configs.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { KafkaStageError } from '../errors.js';
import type { ConfigResource, ConfigResourceType } from './requests.js';
import { retryUnlessUnknownTopic, settleEntities, type EntityOutcome } from './settle-entities.js';

/** Kafka's resource type codes (ConfigResource.Type). */
export const RESOURCE_TYPE: Readonly<Record<ConfigResourceType, number>> = Object.freeze({ topic: 2, broker: 4 });

/** Where a config value comes from (Kafka's ConfigSource). */
export type ConfigSource =
  | 'unknown'
  | 'dynamic-topic'
  | 'dynamic-broker'
  | 'dynamic-default-broker'
  | 'static-broker'
  | 'default'
  | 'dynamic-broker-logger'
  | 'client-metrics'
  | 'group';

const SOURCES: readonly ConfigSource[] = [
  'unknown',
  'dynamic-topic',
  'dynamic-broker',
  'dynamic-default-broker',
  'static-broker',
  'default',
  'dynamic-broker-logger',
  'client-metrics',
  'group',
];

/** One config entry. */
export interface ConfigEntry {
  name: string;
  /** Null for sensitive values and unset ones. */
  value: string | null;
  readOnly: boolean;
  /** True when the value is Kafka's default (nothing set it). */
  isDefault: boolean;
  source: ConfigSource;
  isSensitive: boolean;
}

/** The configs of one resource. */
export interface ConfigResourceResult {
  type: ConfigResourceType;
  name: string;
  entries: ConfigEntry[];
}

function sourceOf(code: number): ConfigSource {
  return SOURCES[code] ?? 'unknown';
}

/** Describes configs; throws one AdminOperationError naming every resource that failed. */
export async function describeConfigs(cluster: Cluster, resources: ConfigResource[]): Promise<ConfigResourceResult[]> {
  const settled = await settleConfigResources<ConfigResource, ConfigResourceResult>(cluster, 'describeConfigs', 'DescribeConfigs', resources, (target, group) =>
    ask(cluster, target, group),
  );
  return [...settled.values()];
}

/**
 * Settles a config operation (describe or alter) over `resources`: each attempt sends the pending
 * ones to their targets ({@link groupByConfigTarget}) through `ask`, one request a target. A
 * resource is retried on a retriable error, except an unknown topic: asking again does not create it.
 */
export async function settleConfigResources<K extends ConfigResource, R>(
  cluster: Cluster,
  operation: string,
  api: string,
  resources: K[],
  ask: (target: RequestTarget, group: K[]) => Promise<EntityOutcome<K, R>[]>,
): Promise<Map<K, R>> {
  return settleEntities<K, R>(cluster, {
    operation,
    keys: resources,
    nameOf: (r) => `${r.type}:${r.name}`,
    shouldRetry: retryUnlessUnknownTopic,
    async send(pending) {
      const { unknown, groups } = await groupByConfigTarget<K, R>(cluster, pending, api);
      const answers = await Promise.all([...groups].map(([target, group]) => ask(target, group)));
      return [...unknown, ...answers.flat()];
    },
  });
}

/**
 * Where config requests go: a broker's own configs to that broker (only it knows its static
 * settings), topic configs to any broker. A broker not in metadata fails at once.
 */
async function groupByConfigTarget<K extends ConfigResource, R>(
  cluster: Cluster,
  pending: K[],
  api: string,
): Promise<{ unknown: EntityOutcome<K, R>[]; groups: Map<RequestTarget, K[]> }> {
  const metadata = cluster.metadata ?? (await cluster.refreshMetadata([]));
  const unknown: EntityOutcome<K, R>[] = [];
  const groups = new Map<RequestTarget, K[]>();
  for (const r of pending) {
    const target: RequestTarget = r.type === 'broker' ? Number(r.name) : 'any';
    if (typeof target === 'number' && !metadata.brokers.has(target)) {
      const error = new KafkaStageError('ERR_METADATA', `broker ${r.name} is not in the cluster metadata`, { context: { broker: r.name, api } });
      unknown.push({ key: r, error });
      continue;
    }
    groups.set(target, [...(groups.get(target) ?? []), r]);
  }
  return { unknown, groups };
}

async function ask(cluster: Cluster, target: RequestTarget, group: ConfigResource[]): Promise<EntityOutcome<ConfigResource, ConfigResourceResult>[]> {
  return askResources(group, 'DescribeConfigs', (r) => r.results, () =>
    cluster.request(target, DescribeConfigs, () => ({
      resources: group.map((r) => ({ resourceType: RESOURCE_TYPE[r.type], resourceName: r.name, configurationKeys: r.keys ?? null })),
      includeSynonyms: false,
      includeDocumentation: false,
    })),
    (key, r) => ({
        type: key.type,
        name: key.name,
        entries: r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          isDefault: c.configSource === 5,
          source: sourceOf(c.configSource),
          isSensitive: c.isSensitive,
        })),
    }),
  );
}

/** The per-resource part of a config response (DescribeConfigs, IncrementalAlterConfigs). */
interface ResourceAnswer {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/**
 * Sends one config request for `group` and settles each resource from its answer: its error (named
 * by topic or broker), else `valueOf`. A failed request fails every resource of the group with its error.
 */
export async function askResources<K extends ConfigResource, A extends ResourceAnswer, Res, R>(
  group: K[],
  api: string,
  answersOf: (response: Res) => A[],
  send: () => Promise<Res>,
  valueOf: (key: K, answer: A) => R,
): Promise<EntityOutcome<K, R>[]> {
  let response: Res;
  try {
    response = await send();
  } catch (err) {
    const error = err instanceof KafkaStageError ? err : new KafkaStageError('ERR_KAFKA', String(err), { cause: err });
    return group.map((key) => ({ key, error }));
  }
  const outcomes: EntityOutcome<K, R>[] = [];
  for (const r of answersOf(response)) {
    const key = group.find((g) => RESOURCE_TYPE[g.type] === r.resourceType && g.name === r.resourceName);
    if (!key) continue;
    const context = key.type === 'topic' ? { topic: key.name, api } : { broker: key.name, api };
    const error = kafkaError(r.errorCode, context, { brokerMessage: r.errorMessage });
    outcomes.push(error ? { key, error } : { key, value: valueOf(key, r) });
  }
  return outcomes;
}
