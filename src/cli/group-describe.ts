/**
 * `kafka-stage group describe`: a consumer group's committed offset, log-end offset and lag per
 * partition, with its state and members. A table on stdout by default; `--json` prints one JSON
 * object instead (the {@link GroupOffsetsDescription} of the admin client). Exit code 1 when the
 * group does not exist.
 */
import { Admin } from '../admin/admin.js';
import type { GroupOffsetsDescription } from '../admin/groups.js';
import { booleanFlag, parseFlags, stringFlag, type FlagSpec } from './args.js';
import type { CommandIo } from './command.js';
import { CONNECTION_FLAGS, connectionFromFlags } from './connection-flags.js';

/** Flags of `group describe`. */
export const GROUP_DESCRIBE_FLAGS: readonly FlagSpec[] = [
  { name: 'group', type: 'string', required: true, description: 'the consumer group' },
  { name: 'json', type: 'boolean', description: 'print one JSON object instead of a table' },
  ...CONNECTION_FLAGS,
];

/** Left-aligned columns, two spaces apart. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The human-readable form: a heading line, the partitions, the members. */
export function formatGroupTable(d: GroupOffsetsDescription): string {
  const out: string[] = [];
  const protocol = d.protocol ? `  protocol ${d.protocol}` : '';
  out.push(`group ${d.groupId}  state ${d.state}${protocol}  coordinator ${d.coordinator}  members ${d.members.length}  total lag ${d.totalLag}`);
  out.push('');
  if (d.partitions.length === 0) {
    out.push('no committed offsets and no assigned partitions');
  } else {
    const dash = (v: number | string | null) => (v === null ? '-' : String(v));
    out.push(
      table(
        ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'MEMBER'],
        d.partitions.map((p) => [p.topic, String(p.partition), dash(p.committedOffset), String(p.logEndOffset), dash(p.lag), dash(p.memberId)]),
      ),
    );
  }
  if (d.members.length > 0) {
    out.push('');
    out.push(
      table(
        ['MEMBER', 'INSTANCE', 'CLIENT', 'HOST', 'PARTITIONS'],
        d.members.map((m) => [m.memberId, m.groupInstanceId ?? '-', m.clientId, m.clientHost, String(m.assignment.length)]),
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

/** Runs `group describe` with the arguments after `describe`. */
export async function runGroupDescribe(argv: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(argv, GROUP_DESCRIBE_FLAGS);
  const groupId = stringFlag(flags, 'group') as string;
  const admin = new Admin({ ...connectionFromFlags(flags, 'group describe', io) });
  let description: GroupOffsetsDescription;
  try {
    description = await admin.describeGroupOffsets(groupId);
  } finally {
    await admin.close();
  }
  // Dead with nothing committed: the coordinator has never heard of it (GROUP_ID_NOT_FOUND).
  if (description.state === 'Dead' && description.partitions.length === 0) {
    io.stderr.write(`kafka-stage group describe: group '${groupId}' does not exist\n`);
    return 1;
  }
  io.stdout.write(booleanFlag(flags, 'json') ? `${JSON.stringify(description)}\n` : formatGroupTable(description));
  return 0;
}
