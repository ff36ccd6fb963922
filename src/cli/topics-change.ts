/** The subcommands of `kafka-stage topics` that change topics: create, delete, alter-config. */
import type { AlterConfigOp } from '../admin/alter-configs.js';
import { booleanFlag, integerFlag, parseCommandLine, stringsFlag, UsageError, type FlagSpec } from './args.js';
import { withAdmin } from './admin-session.js';
import type { CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE } from './connection-flags.js';
import type { Subcommand } from './subcommands.js';
import { TOPIC_FLAG, topicsOf } from './topics-flags.js';

/** `name=value` split at its first `=`; the name must not be empty. */
export function keyValue(flag: string, text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} takes NAME=VALUE, got '${text}'`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

function keyValues(flag: string, texts: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of texts) {
    const [k, v] = keyValue(flag, text);
    if (Object.hasOwn(out, k)) throw new UsageError(`${flag} ${k} given more than once`);
    out[k] = v;
  }
  return out;
}

function namedTopics(argv: readonly string[], specs: readonly FlagSpec[]) {
  const { flags, positionals } = parseCommandLine(argv, specs);
  const topics = topicsOf(flags, positionals);
  if (topics.length === 0) throw new UsageError('name at least one topic (-t TOPIC or as an argument)');
  return { flags, topics };
}

const CREATE_FLAGS: readonly FlagSpec[] = [
  TOPIC_FLAG,
  { name: 'partitions', type: 'integer', min: 1, description: 'partition count', defaultText: '1' },
  { name: 'replication-factor', type: 'integer', min: 1, description: "replicas per partition (default: the broker's default.replication.factor)" },
  // Not --config, kafka-topics' name for it: here --config names the client properties file, as for every command.
  { name: 'set', short: 's', type: 'string', multiple: true, valueName: 'NAME=VALUE', description: 'a topic config, e.g. retention.ms=3600000' },
  { name: 'if-not-exists', type: 'boolean', description: 'succeed when the topic exists already' },
  ...CONNECTION_FLAGS,
];

/** `topics create`. */
export const TOPICS_CREATE: Subcommand = {
  usage: `TOPIC... [--partitions N] [--replication-factor N] [--set NAME=VALUE]... [--if-not-exists] ${CONNECTION_USAGE}`,
  flags: CREATE_FLAGS,
  async run(argv: readonly string[], io: CommandIo): Promise<number> {
    const { flags, topics } = namedTopics(argv, CREATE_FLAGS);
    const configs = keyValues('--set', stringsFlag(flags, 'set'));
    const partitions = integerFlag(flags, 'partitions') ?? 1;
    const replicationFactor = integerFlag(flags, 'replication-factor');
    const created = await withAdmin(flags, 'topics create', io, (admin) =>
      admin.createTopics(
        topics.map((topic) => ({ topic, partitions, configs, ...(replicationFactor === undefined ? {} : { replicationFactor }) })),
        { ignoreExisting: booleanFlag(flags, 'if-not-exists') },
      ),
    );
    for (const t of created) {
      io.stdout.write(`${t.created ? 'created' : 'exists'} topic ${t.topic}  partitions ${t.partitions}  replication-factor ${t.replicationFactor}\n`);
    }
    return 0;
  },
};

const DELETE_FLAGS: readonly FlagSpec[] = [
  TOPIC_FLAG,
  { name: 'yes', short: 'y', type: 'boolean', description: 'confirm: the topics and all their records are deleted' },
  ...CONNECTION_FLAGS,
];

/** `topics delete`: needs `--yes`, on a terminal and in scripts alike (no prompt), since nothing brings the records back. */
export const TOPICS_DELETE: Subcommand = {
  usage: `TOPIC... --yes ${CONNECTION_USAGE}`,
  flags: DELETE_FLAGS,
  async run(argv: readonly string[], io: CommandIo): Promise<number> {
    const { flags, topics } = namedTopics(argv, DELETE_FLAGS);
    if (!booleanFlag(flags, 'yes')) throw new UsageError(`deleting ${topics.join(', ')} removes every record in ${topics.length === 1 ? 'it' : 'them'}: add --yes to confirm`);
    await withAdmin(flags, 'topics delete', io, (admin) => admin.deleteTopics(topics));
    for (const t of topics) io.stdout.write(`deleted topic ${t}\n`);
    return 0;
  },
};

const ALTER_FLAGS: readonly FlagSpec[] = [
  TOPIC_FLAG,
  { name: 'set', short: 's', type: 'string', multiple: true, valueName: 'NAME=VALUE', description: 'set a config' },
  { name: 'delete', short: 'd', type: 'string', multiple: true, valueName: 'NAME', description: "remove a config (back to the broker's default)" },
  { name: 'dry-run', type: 'boolean', description: 'let the broker check the changes without applying them' },
  ...CONNECTION_FLAGS,
];

/** `topics alter-config`: IncrementalAlterConfigs, other configs unchanged. */
export const TOPICS_ALTER_CONFIG: Subcommand = {
  usage: `TOPIC... [--set NAME=VALUE]... [--delete NAME]... [--dry-run] ${CONNECTION_USAGE}`,
  flags: ALTER_FLAGS,
  async run(argv: readonly string[], io: CommandIo): Promise<number> {
    const { flags, topics } = namedTopics(argv, ALTER_FLAGS);
    const set = keyValues('--set', stringsFlag(flags, 'set'));
    const deleted = stringsFlag(flags, 'delete');
    const both = deleted.find((name) => Object.hasOwn(set, name));
    if (both !== undefined) throw new UsageError(`${both} is both set and deleted`);
    const ops: AlterConfigOp[] = [
      ...Object.entries(set).map(([name, value]): AlterConfigOp => ({ name, op: 'set', value })),
      ...[...new Set(deleted)].map((name): AlterConfigOp => ({ name, op: 'delete' })),
    ];
    if (ops.length === 0) throw new UsageError('nothing to change: give --set NAME=VALUE or --delete NAME');
    const validateOnly = booleanFlag(flags, 'dry-run');
    await withAdmin(flags, 'topics alter-config', io, (admin) => admin.alterConfigs(topics.map((name) => ({ type: 'topic', name, ops })), { validateOnly }));
    const what = ops.map((o) => (o.op === 'set' ? `${o.name}=${o.value ?? ''}` : `-${o.name}`)).join(' ');
    for (const t of topics) io.stdout.write(`${validateOnly ? 'valid (not applied)' : 'altered'} topic ${t}: ${what}\n`);
    return 0;
  },
};
