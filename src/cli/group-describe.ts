/**
 * `kafka-stage group describe`: a consumer group's committed offset, log-end offset and lag per
 * partition, with its type (classic or consumer, KIP-848), state and members; for a consumer group
 * also its epochs, its assignor and each member's epoch, assignment and target assignment. A table on stdout by default; `--json` prints one JSON
 * object instead (the {@link GroupOffsetsDescription} of the admin client). `--watch` repeats it
 * every `--interval` ms until Ctrl-C. Exit code 1 when the group does not exist.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from '../admin/admin.js';
import type { GroupOffsetsDescription } from '../admin/groups.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { booleanFlag, integerFlag, parseFlags, stringFlag, type FlagSpec } from './args.js';
import { withAdmin } from './admin-session.js';
import type { CommandIo } from './command.js';
import { CONNECTION_FLAGS } from './connection-flags.js';
import { cell as dash, table } from './table.js';

/** Flags of `group describe`. */
export const GROUP_DESCRIBE_FLAGS: readonly FlagSpec[] = [
  { name: 'group', short: 'G', type: 'string', required: true, description: 'the consumer group' },
  { name: 'json', type: 'boolean', description: 'print one JSON object instead of a table (with --watch: one per line)' },
  { name: 'watch', short: 'w', type: 'boolean', description: 'redraw every --interval until Ctrl-C (not a terminal: one frame per interval)' },
  { name: 'interval', type: 'integer', min: 100, defaultText: '2000', description: 'ms between frames of --watch' },
  ...CONNECTION_FLAGS,
];

/** Partitions as `topic:0,1,2 other:5` (sorted input keeps each topic together); `-` for none. */
export function formatPartitionList(partitions: readonly TopicPartition[]): string {
  if (partitions.length === 0) return '-';
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  return [...byTopic].map(([topic, ps]) => `${topic}:${ps.join(',')}`).join(' ');
}

/** The heading line: what kind of group, its state, assignor and epochs, its size and lag. */
function heading(d: GroupOffsetsDescription): string {
  const tail = `coordinator ${d.coordinator}  members ${d.members.length}  total lag ${d.totalLag}`;
  if (d.type === 'consumer') {
    const assignor = d.protocol ? `  assignor ${d.protocol}` : '';
    return `group ${d.groupId}  type consumer  state ${d.state}${assignor}  group epoch ${d.groupEpoch}  assignment epoch ${d.assignmentEpoch}  ${tail}`;
  }
  const protocol = d.protocol ? `  protocol ${d.protocol}` : '';
  return `group ${d.groupId}  type classic  state ${d.state}${protocol}  ${tail}`;
}

/** The members: of a consumer group with epoch, subscription, assignment and target assignment. */
function membersTable(d: GroupOffsetsDescription): string {
  if (d.type === 'consumer') {
    return table(
      ['MEMBER', 'INSTANCE', 'CLIENT', 'HOST', 'EPOCH', 'SUBSCRIPTION', 'ASSIGNMENT', 'TARGET'],
      d.members.map((m) => [
        m.memberId,
        m.groupInstanceId ?? '-',
        m.clientId,
        m.clientHost,
        String(m.memberEpoch),
        m.subscribedTopicRegex !== null ? `/${m.subscribedTopicRegex}/` : m.subscribedTopicNames.join(',') || '-',
        formatPartitionList(m.assignment),
        formatPartitionList(m.targetAssignment),
      ]),
    );
  }
  return table(
    ['MEMBER', 'INSTANCE', 'CLIENT', 'HOST', 'PARTITIONS'],
    d.members.map((m) => [m.memberId, m.groupInstanceId ?? '-', m.clientId, m.clientHost, String(m.assignment.length)]),
  );
}

/** The human-readable form: a heading line, the partitions, the members. */
export function formatGroupTable(d: GroupOffsetsDescription): string {
  const out: string[] = [heading(d), ''];
  if (d.partitions.length === 0) {
    out.push('no committed offsets and no assigned partitions');
  } else {
    out.push(
      table(
        ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'MEMBER'],
        d.partitions.map((p) => [p.topic, String(p.partition), dash(p.committedOffset), String(p.logEndOffset), dash(p.lag), dash(p.memberId)]),
      ),
    );
  }
  if (d.members.length > 0) out.push('', membersTable(d));
  return `${out.join('\n')}\n`;
}

/** Dead with nothing committed: the coordinator has never heard of the group (GROUP_ID_NOT_FOUND). */
function missing(d: GroupOffsetsDescription): boolean {
  return d.state === 'Dead' && d.partitions.length === 0;
}

/** Clears a terminal and puts the cursor top left. */
const CLEAR_SCREEN = '\u001b[H\u001b[2J';

/**
 * `--watch`: a frame every `intervalMs` until SIGINT (or SIGTERM), which ends the loop cleanly
 * (exit 0). On a terminal each frame replaces the last; otherwise frames follow each other (a
 * blank line between tables, or one JSON object per line). A frame that fails (a broker restarting)
 * is reported on stderr and the next one tried.
 */
async function watch(admin: Admin, groupId: string, intervalMs: number, json: boolean, io: CommandIo): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tty = (io.stdout as { isTTY?: boolean }).isTTY === true && !json;
  try {
    while (!stop.signal.aborted) {
      try {
        const d = await admin.describeGroupOffsets(groupId);
        if (json) io.stdout.write(`${JSON.stringify(d)}\n`);
        else if (tty) io.stdout.write(`${CLEAR_SCREEN}${new Date().toISOString()}  every ${intervalMs} ms, Ctrl-C to stop\n\n${formatGroupTable(d)}`);
        else io.stdout.write(`${formatGroupTable(d)}\n`);
      } catch (err) {
        io.stderr.write(`kafka-stage group describe: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Runs `group describe` with the arguments after `describe`. */
export async function runGroupDescribe(argv: readonly string[], io: CommandIo): Promise<number> {
  const flags = parseFlags(argv, GROUP_DESCRIBE_FLAGS);
  const groupId = stringFlag(flags, 'group') as string;
  const json = booleanFlag(flags, 'json');
  return withAdmin(flags, 'group describe', io, async (admin) => {
    const first = await admin.describeGroupOffsets(groupId);
    if (missing(first)) {
      io.stderr.write(`kafka-stage group describe: group '${groupId}' does not exist\n`);
      return 1;
    }
    if (booleanFlag(flags, 'watch')) {
      await watch(admin, groupId, integerFlag(flags, 'interval') ?? 2000, json, io);
      return 0;
    }
    io.stdout.write(json ? `${JSON.stringify(first)}\n` : formatGroupTable(first));
    return 0;
  });
}
