/**
 * `kafka-stage metadata` (kcat -L): the cluster as Metadata describes it — brokers (id, address,
 * rack, which one metadata names controller), then each topic's partitions with leader, replicas,
 * in-sync and offline replicas. Every topic, internal ones marked, unless topics are named.
 */
import type { ClusterDescription } from '../admin/admin.js';
import type { TopicDescription } from '../admin/describe-topics.js';
import { booleanFlag, parseCommandLine, type FlagSpec } from './args.js';
import { withAdmin } from './admin-session.js';
import type { Command, CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE } from './connection-flags.js';
import { JSON_FLAG, TOPIC_FLAG, topicsOf } from './topics-flags.js';

const FLAGS: readonly FlagSpec[] = [TOPIC_FLAG, JSON_FLAG, ...CONNECTION_FLAGS];

/** What `metadata --json` prints. */
export interface MetadataListing extends ClusterDescription {
  topics: TopicDescription[];
}

const nodes = (ids: number[]) => ids.join(',');

/** The human-readable listing, one line per broker and per partition. */
export function formatMetadata(m: MetadataListing): string {
  const out: string[] = [`cluster ${m.clusterId ?? '(no id)'}  controller ${m.controllerId}`, `${m.brokers.length} broker${m.brokers.length === 1 ? '' : 's'}:`];
  for (const b of m.brokers) {
    const notes = [b.rack === null ? '' : `rack ${b.rack}`, b.nodeId === m.controllerId ? '(controller)' : ''].filter(Boolean).join(' ');
    out.push(`  broker ${b.nodeId} at ${b.host}:${b.port}${notes ? ` ${notes}` : ''}`);
  }
  out.push(`${m.topics.length} topic${m.topics.length === 1 ? '' : 's'}:`);
  for (const t of m.topics) {
    out.push(`  topic "${t.name}" with ${t.partitions.length} partition${t.partitions.length === 1 ? '' : 's'}${t.isInternal ? ' (internal)' : ''}:`);
    for (const p of t.partitions) {
      const offline = p.offlineReplicas.length === 0 ? '' : `, offline: ${nodes(p.offlineReplicas)}`;
      out.push(`    partition ${p.partition}, leader ${p.leader < 0 ? 'none' : p.leader}, replicas: ${nodes(p.replicas)}, isrs: ${nodes(p.isr)}${offline}`);
    }
  }
  return `${out.join('\n')}\n`;
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseCommandLine(argv, FLAGS);
  const names = topicsOf(flags, positionals);
  const listing = await withAdmin(flags, 'metadata', io, async (admin): Promise<MetadataListing> => {
    const [cluster, topics] = await Promise.all([admin.describeCluster(), admin.describeTopics(names.length === 0 ? undefined : names)]);
    return { ...cluster, topics };
  });
  io.stdout.write(booleanFlag(flags, 'json') ? `${JSON.stringify(listing)}\n` : formatMetadata(listing));
  return 0;
}

/** The `metadata` command. */
export const metadataCommand: Command = {
  summary: 'brokers, topics, partitions, leaders, replicas and ISR (kcat -L)',
  usage: `[TOPIC...] [--json] ${CONNECTION_USAGE}`,
  flags: FLAGS,
  run,
};
