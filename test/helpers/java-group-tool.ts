/**
 * The Java consumer-groups tool (`kafka-consumer-groups.sh`, class ConsumerGroupCommand) as an
 * independent judge of what a group committed: tests that check our commits with our own admin
 * client could share its mistakes, the Java tool cannot.
 */
import { QUICK_JVM_OPTS, runJavaTool, type Brokers } from './java-tools.js';

/** One partition row of `--describe --offsets`. */
export interface JavaGroupOffsetRow {
  topic: string;
  partition: number;
  /** Committed offset, null when the group has none for the partition (`-`). */
  currentOffset: number | null;
  logEndOffset: number;
  /** Log end minus the committed offset, null without a commit (`-`). */
  lag: number | null;
}

const GROUP_COMMAND = 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand';

const numberOrNull = (field: string | undefined): number | null => (field === undefined || field === '-' ? null : Number(field));

/**
 * `ConsumerGroupCommand --describe --offsets --group <group>`: the committed offset, log end and lag
 * of every partition the group has offsets for (or is assigned), sorted by topic and partition.
 */
export async function javaDescribeGroupOffsets(brokers: Brokers, group: string): Promise<JavaGroupOffsetRow[]> {
  const list = typeof brokers === 'string' ? brokers : brokers.join(',');
  const { stdout } = await runJavaTool(GROUP_COMMAND, ['--bootstrap-server', list, '--describe', '--offsets', '--group', group], {
    jvmOpts: QUICK_JVM_OPTS,
  });
  // The table: a header line starting with GROUP, then one whitespace-separated row per partition.
  // A group without members is preceded by a "has no active members" note, which is skipped.
  const lines = stdout.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const headerIndex = lines.findIndex((l) => l.startsWith('GROUP '));
  if (headerIndex < 0) throw new Error(`ConsumerGroupCommand printed no table for ${group}:\n${lines.join('\n')}`);
  const header = (lines[headerIndex] as string).split(/\s+/);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`ConsumerGroupCommand: no ${name} column in ${header.join(' ')}`);
    return i;
  };
  const [topicCol, partitionCol, currentCol, endCol, lagCol] = ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG'].map(col) as [number, number, number, number, number];
  return lines
    .slice(headerIndex + 1)
    .filter((l) => l.startsWith(`${group} `))
    .map((l) => {
      const f = l.split(/\s+/);
      return {
        topic: f[topicCol] as string,
        partition: Number(f[partitionCol]),
        currentOffset: numberOrNull(f[currentCol]),
        logEndOffset: Number(f[endCol]),
        lag: numberOrNull(f[lagCol]),
      };
    })
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
