/**
 * Test helper: a topic's configs once a change has reached the broker answering. The controller
 * accepts an alterConfigs before the brokers apply it from the metadata log, so a describeConfigs
 * right after may still show the old value (seen on Kafka 4.0.2 in CI). Returns the first answer
 * `settled` accepts; after `timeoutMs` the wait fails showing the last answer.
 */
import { inspect } from 'node:util';
import type { Admin } from '../../src/admin/index.js';
import { eventually } from './eventually.js';

type Entries = Awaited<ReturnType<Admin['describeConfigs']>>[number]['entries'];

export async function topicConfigOnce<T>(admin: Admin, topic: string, read: (entries: Entries) => T, settled: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  let last: { value: T } | undefined;
  await eventually(
    async () => {
      last = { value: read((await admin.describeConfigs([{ type: 'topic', name: topic }]))[0]?.entries ?? []) };
      return settled(last.value);
    },
    { what: `the configs of ${topic} to settle`, timeoutMs, intervalMs: 100, progress: () => `last answer: ${inspect(last?.value)}` },
  );
  return (last as { value: T }).value;
}
