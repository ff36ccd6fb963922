/** Kafka's kafka-topics tool (TopicCommand) as an independent judge of what a topic looks like. */
import assert from 'node:assert/strict';
import { QUICK_JVM_OPTS, runJavaTool, type Brokers } from './java-tools.js';

/** What `kafka-topics --describe --topic T` prints, parsed. */
export interface JavaTopicDescription {
  partitionCount: number;
  replicationFactor: number;
  /** The `Configs:` of the topic line (those that are not Kafka's defaults). */
  configs: Record<string, string>;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
}

/** `TopicCommand --describe --topic <topic>`. */
export async function javaDescribeTopic(brokers: Brokers, topic: string): Promise<JavaTopicDescription> {
  const list = typeof brokers === 'string' ? brokers : brokers.join(',');
  const { stdout } = await runJavaTool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', list, '--describe', '--topic', topic], { jvmOpts: QUICK_JVM_OPTS });
  const text = stdout.toString('utf8');
  const head = /PartitionCount:\s*(\d+)\s+ReplicationFactor:\s*(\d+)\s+Configs:\s*(\S*)/.exec(text);
  assert.ok(head, `kafka-topics printed no topic line:\n${text}`);
  const configs = Object.fromEntries((head[3] ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const nodes = (s: string | undefined) => (s ?? '').split(',').filter(Boolean).map(Number);
  const partitions = [...text.matchAll(/Partition:\s*(\d+)\s+Leader:\s*(-?\d+)\s+Replicas:\s*([\d,]*)\s+Isr:\s*([\d,]*)/g)].map((m) => ({
    partition: Number(m[1]),
    leader: Number(m[2]),
    replicas: nodes(m[3]),
    isr: nodes(m[4]),
  }));
  return { partitionCount: Number(head[1]), replicationFactor: Number(head[2]), configs, partitions };
}
