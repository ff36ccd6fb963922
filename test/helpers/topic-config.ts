/**
 * Test helper: a topic's configs once a change has reached the broker answering. The controller
 * accepts an alterConfigs before the brokers apply it from the metadata log, so a describeConfigs
 * right after may still show the old value (seen on Kafka 4.0.2 in CI). The caller asserts on what
 * this returns: the first answer `settled` accepts, or the last one after `timeoutMs`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Admin } from '../../src/admin/index.js';

type Entries = Awaited<ReturnType<Admin['describeConfigs']>>[number]['entries'];

export async function topicConfigOnce<T>(admin: Admin, topic: string, read: (entries: Entries) => T, settled: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read((await admin.describeConfigs([{ type: 'topic', name: topic }]))[0]?.entries ?? []);
    if (settled(value) || Date.now() > deadline) return value;
    await delay(100);
  }
}
