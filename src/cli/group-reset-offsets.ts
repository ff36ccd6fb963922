/**
 * `kafka-stage group reset-offsets`, as `kafka-consumer-groups --reset-offsets` has it: which
 * partitions (`--topic T[:p,...]`, repeatable, or `--all-topics`: those the group committed), one
 * target (`--to-earliest`, `--to-latest`, `--to-offset N`, `--to-datetime ISO`, `--shift-by N`), a
 * plan printed (topic, partition, current, new), and nothing changed unless `--execute`. New
 * offsets outside the log (below its start, past its end) are moved to its nearest end, as the
 * Java tool does. A group with members is refused, dry run included, naming its state.
 */
import type { Admin } from '../admin/admin.js';
import { GroupNotEmptyError } from '../admin/errors.js';
import type { OffsetQuery } from '../admin/requests.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { booleanFlag, integerFlag, parseFlags, stringFlag, stringsFlag, UsageError, type FlagSpec, type ParsedFlags } from './args.js';
import { withAdmin } from './admin-session.js';
import type { CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE } from './connection-flags.js';
import type { Subcommand } from './subcommands.js';
import { cell, table } from './table.js';

const TARGETS = ['to-earliest', 'to-latest', 'to-offset', 'to-datetime', 'shift-by'] as const;

const FLAGS: readonly FlagSpec[] = [
  { name: 'group', short: 'G', type: 'string', required: true, description: 'the consumer group' },
  { name: 'topic', short: 't', type: 'string', multiple: true, valueName: 'TOPIC[:P,...]', description: 'a topic, or some of its partitions' },
  { name: 'all-topics', type: 'boolean', description: 'every topic the group has committed offsets for' },
  { name: 'to-earliest', type: 'boolean', description: 'to the log start' },
  { name: 'to-latest', type: 'boolean', description: 'to the log end' },
  { name: 'to-offset', type: 'integer', description: 'to this offset' },
  { name: 'to-datetime', type: 'string', valueName: 'ISO-8601', description: 'to the first record at or after this time, e.g. 2026-12-06T10:00:00Z' },
  { name: 'shift-by', type: 'integer', min: Number.MIN_SAFE_INTEGER, description: 'move the committed offset by N (negative: back)' },
  { name: 'execute', type: 'boolean', description: 'apply the plan (without it, only print it)' },
  { name: 'json', type: 'boolean', description: 'print the plan as one JSON document' },
  ...CONNECTION_FLAGS,
];

/** One partition of the plan. */
export interface ResetPlanRow {
  topic: string;
  partition: number;
  /** The committed offset now, null when the group has none. */
  current: number | null;
  /** The offset it is (or would be) set to. */
  target: number;
}

type Target = { kind: 'earliest' | 'latest' } | { kind: 'offset'; offset: number } | { kind: 'datetime'; time: number } | { kind: 'shift'; by: number };

function targetOf(flags: ParsedFlags): Target {
  const given = TARGETS.filter((t) => t in flags);
  if (given.length !== 1) throw new UsageError(`give exactly one of ${TARGETS.map((t) => `--${t}`).join(', ')}${given.length > 1 ? ` (got ${given.map((t) => `--${t}`).join(' and ')})` : ''}`);
  switch (given[0]) {
    case 'to-earliest':
      return { kind: 'earliest' };
    case 'to-latest':
      return { kind: 'latest' };
    case 'to-offset':
      return { kind: 'offset', offset: integerFlag(flags, 'to-offset') as number };
    case 'shift-by':
      return { kind: 'shift', by: integerFlag(flags, 'shift-by') as number };
    default: {
      const text = stringFlag(flags, 'to-datetime') as string;
      const time = Date.parse(text);
      if (Number.isNaN(time)) throw new UsageError(`--to-datetime takes an ISO-8601 time such as 2026-12-06T10:00:00Z, got '${text}'`);
      return { kind: 'datetime', time };
    }
  }
}

/** A `--topic` value: a topic and its partitions (null: every one). */
interface TopicArg {
  topic: string;
  partitions: number[] | null;
}

/** `T` (every partition) or `T:0,2`. */
function parseTopicArg(text: string): TopicArg {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { topic: text, partitions: null };
  const partitions = text
    .slice(colon + 1)
    .split(',')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (colon === 0 || partitions.some((p) => !Number.isSafeInteger(p))) throw new UsageError(`--topic takes TOPIC or TOPIC:P,P,..., got '${text}'`);
  return { topic: text.slice(0, colon), partitions };
}

/** Which partitions the command line names, given the group's committed offsets. */
async function partitionsOf(admin: Admin, topicArgs: TopicArg[] | 'all', committed: Map<string, number>): Promise<TopicPartition[]> {
  if (topicArgs === 'all') {
    return [...committed.keys()].map((k) => {
      const [topic, partition] = k.split('\u0000') as [string, string];
      return { topic, partition: Number(partition) };
    });
  }
  const whole = topicArgs.filter((t) => t.partitions === null).map((t) => t.topic);
  const described = whole.length === 0 ? [] : await admin.describeTopics([...new Set(whole)]);
  const out = topicArgs.flatMap((t) =>
    t.partitions === null
      ? (described.find((d) => d.name === t.topic)?.partitions ?? []).map((p) => ({ topic: t.topic, partition: p.partition }))
      : t.partitions.map((partition) => ({ topic: t.topic, partition })),
  );
  const seen = new Set<string>();
  return out.filter((p) => {
    const key = `${p.topic}\u0000${p.partition}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Works out the plan: the group's current offsets and where each partition would go. */
async function planReset(admin: Admin, groupId: string, topicArgs: TopicArg[] | 'all', target: Target): Promise<ResetPlanRow[]> {
  const committed = new Map((await admin.fetchGroupOffsets(groupId)).map((c) => [`${c.topic}\u0000${c.partition}`, c.offset]));
  const partitions = await partitionsOf(admin, topicArgs, committed);
  if (partitions.length === 0) return [];
  const ask = (spec: OffsetQuery['spec']) => admin.listOffsets(partitions.map((p) => ({ ...p, spec })));
  const [low, high, atTime] = await Promise.all([ask('earliest'), ask('latest'), target.kind === 'datetime' ? ask(target.time) : Promise.resolve(null)]);
  return partitions.map((p, i) => {
    const current = committed.get(`${p.topic}\u0000${p.partition}`) ?? null;
    const start = (low[i] as { offset: number }).offset;
    const end = (high[i] as { offset: number }).offset;
    let wanted: number;
    switch (target.kind) {
      case 'earliest':
        wanted = start;
        break;
      case 'latest':
        wanted = end;
        break;
      case 'offset':
        wanted = target.offset;
        break;
      case 'datetime': {
        // No record that recent: the log end, as the Java tool does.
        const found = (atTime?.[i] as { offset: number } | undefined)?.offset ?? -1;
        wanted = found < 0 ? end : found;
        break;
      }
      case 'shift':
        if (current === null) throw new UsageError(`--shift-by: group '${groupId}' has no committed offset for ${p.topic}/${p.partition} to shift from`);
        wanted = current + target.by;
        break;
    }
    return { topic: p.topic, partition: p.partition, current, target: Math.min(Math.max(wanted, start), end) };
  });
}

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  const groupId = stringFlag(flags, 'group') as string;
  const target = targetOf(flags);
  const hasTopics = stringsFlag(flags, 'topic').length > 0;
  if (hasTopics === booleanFlag(flags, 'all-topics')) throw new UsageError('give --topic T[:P,...] (repeatable) or --all-topics');
  // Checked before anything connects: a typo is a usage error, not a run-time failure.
  const topicArgs = hasTopics ? stringsFlag(flags, 'topic').map(parseTopicArg) : 'all';
  const execute = booleanFlag(flags, 'execute');
  const plan = await withAdmin(flags, 'group reset-offsets', io, async (admin) => {
    // Refused for a group with members, dry run included: a plan for a moving group would mislead.
    const { state } = await admin.describeGroup(groupId);
    if (state !== 'Empty' && state !== 'Dead') throw new GroupNotEmptyError(groupId, 'group reset-offsets', state);
    const rows = await planReset(admin, groupId, topicArgs, target);
    if (execute && rows.length > 0) await admin.alterGroupOffsets(groupId, rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target })));
    return rows;
  });
  if (booleanFlag(flags, 'json')) {
    io.stdout.write(`${JSON.stringify({ groupId, executed: execute, partitions: plan })}\n`);
  } else {
    const rows = plan.map((r) => [r.topic, String(r.partition), cell(r.current), String(r.target)]);
    io.stdout.write(`${table(['TOPIC', 'PARTITION', 'CURRENT', 'NEW'], rows)}\n`);
    io.stdout.write(execute ? `group ${groupId}: ${plan.length} partition${plan.length === 1 ? '' : 's'} reset\n` : 'dry run: nothing changed (add --execute to apply)\n');
  }
  return 0;
}

/** `group reset-offsets`. */
export const GROUP_RESET_OFFSETS: Subcommand = {
  usage: `-G GROUP (--topic T[:P,...]... | --all-topics) (--to-earliest | --to-latest | --to-offset N | --to-datetime ISO | --shift-by N) [--execute] [--json] ${CONNECTION_USAGE}`,
  flags: FLAGS,
  run,
};
