/**
 * `kafka-stage topics list|describe|create|delete|alter-config`: topics as `kafka-topics.sh` shows
 * and changes them. Read-only subcommands print a table (or one JSON document with `--json`); the
 * changing ones print one line per topic changed.
 */
import type { Admin } from '../admin/admin.js';
import type { TopicDescription } from '../admin/describe-topics.js';
import type { OffsetQuery } from '../admin/requests.js';
import { booleanFlag, parseCommandLine, UsageError, type FlagSpec } from './args.js';
import { withAdmin } from './admin-session.js';
import type { CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE } from './connection-flags.js';
import { commandOf } from './subcommands.js';
import { cell, table } from './table.js';
import { TOPICS_ALTER_CONFIG, TOPICS_CREATE, TOPICS_DELETE } from './topics-change.js';
import { JSON_FLAG, TOPIC_FLAG, topicsOf } from './topics-flags.js';

const LIST_FLAGS: readonly FlagSpec[] = [
  { name: 'all', type: 'boolean', description: "include Kafka's internal topics (__consumer_offsets, …)" },
  JSON_FLAG,
  ...CONNECTION_FLAGS,
];

async function runList(argv: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseCommandLine(argv, LIST_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const topics = await withAdmin(flags, 'topics list', io, (admin) => admin.listTopics({ includeInternal: booleanFlag(flags, 'all') }));
  if (booleanFlag(flags, 'json')) {
    io.stdout.write(`${JSON.stringify(topics)}\n`);
  } else if (topics.length > 0) {
    const rows = topics.map((t) => [t.name, String(t.partitions), String(t.replicationFactor), t.isInternal ? 'internal' : '']);
    io.stdout.write(`${table(['TOPIC', 'PARTITIONS', 'RF', ''], rows)}\n`);
  }
  return 0;
}

/** One described topic: partitions with their log start and end offsets, and the configs set on it. */
export interface DescribedTopic extends Omit<TopicDescription, 'partitions'> {
  partitions: (TopicDescription['partitions'][number] & { lowOffset: number | null; highOffset: number | null })[];
  /** Configs that are not Kafka's default for the topic (set on it, or by the broker's settings). */
  configs: Record<string, string | null>;
}

async function describe(admin: Admin, names: string[]): Promise<DescribedTopic[]> {
  const [topics, configs] = await Promise.all([
    admin.describeTopics(names),
    admin.describeConfigs(names.map((name) => ({ type: 'topic' as const, name }))),
  ]);
  // Partitions without a leader have no one to ask for offsets: shown as unknown, not an error.
  const led = topics.flatMap((t) => t.partitions.filter((p) => p.leader >= 0).map((p) => ({ topic: t.name, partition: p.partition })));
  const ask = (spec: OffsetQuery['spec']) => (led.length === 0 ? Promise.resolve([]) : admin.listOffsets(led.map((q) => ({ ...q, spec }))));
  const [low, high] = await Promise.all([ask('earliest'), ask('latest')]);
  const offsetOf = (list: typeof low, topic: string, partition: number) => list.find((o) => o.topic === topic && o.partition === partition)?.offset ?? null;
  return topics.map((t) => ({
    ...t,
    partitions: t.partitions.map((p) => ({ ...p, lowOffset: offsetOf(low, t.name, p.partition), highOffset: offsetOf(high, t.name, p.partition) })),
    configs: Object.fromEntries((configs.find((c) => c.name === t.name)?.entries ?? []).filter((e) => !e.isDefault).map((e) => [e.name, e.isSensitive ? null : e.value])),
  }));
}

/** The human-readable form of one described topic. */
export function formatTopic(t: DescribedTopic): string {
  const rf = t.partitions[0]?.replicas.length ?? 0;
  const configs = Object.entries(t.configs).map(([k, v]) => `${k}=${v ?? '(sensitive)'}`);
  const nodes = (ids: number[]) => (ids.length === 0 ? '-' : ids.join(','));
  const rows = t.partitions.map((p) => [String(p.partition), cell(p.leader < 0 ? null : p.leader), nodes(p.replicas), nodes(p.isr), nodes(p.offlineReplicas), cell(p.lowOffset), cell(p.highOffset)]);
  return [
    `topic ${t.name}  id ${t.topicId}  partitions ${t.partitions.length}  replication-factor ${rf}${t.isInternal ? '  internal' : ''}`,
    `configs: ${configs.length === 0 ? '(defaults)' : configs.join(', ')}`,
    table(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'LOW', 'HIGH'], rows),
  ].join('\n');
}

const DESCRIBE_FLAGS: readonly FlagSpec[] = [TOPIC_FLAG, JSON_FLAG, ...CONNECTION_FLAGS];

async function runDescribe(argv: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseCommandLine(argv, DESCRIBE_FLAGS);
  const names = topicsOf(flags, positionals);
  if (names.length === 0) throw new UsageError('name at least one topic (-t TOPIC or as an argument)');
  const described = await withAdmin(flags, 'topics describe', io, (admin) => describe(admin, names));
  io.stdout.write(booleanFlag(flags, 'json') ? `${JSON.stringify(described)}\n` : `${described.map(formatTopic).join('\n\n')}\n`);
  return 0;
}

/** The `topics` command. */
export const topicsCommand = commandOf('topics', 'list, describe, create, delete topics and change their configs', {
  list: { usage: `[--all] [--json] ${CONNECTION_USAGE}`, flags: LIST_FLAGS, run: runList },
  describe: { usage: `TOPIC... [--json] ${CONNECTION_USAGE}`, flags: DESCRIBE_FLAGS, run: runDescribe },
  create: TOPICS_CREATE,
  delete: TOPICS_DELETE,
  'alter-config': TOPICS_ALTER_CONFIG,
});
