/** Test helper: one connected Admin for a test file, opened before its tests and closed after them. */
import { after, before } from 'node:test';
import { Admin } from '../../src/admin/index.js';
import { Producer, type ProducerRecord } from '../../src/producer/producer.js';

/** Registers before/after hooks in the calling test file; the returned function gives the Admin once `before` ran. */
export function useAdmin(brokers: string[]): () => Admin {
  let admin: Admin | null = null;
  before(async () => {
    admin = new Admin({ brokers });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
  });
  return () => {
    if (admin === null) throw new Error('useAdmin: the Admin is connected in before(); call this from a test');
    return admin;
  };
}

/**
 * Registers before/after hooks in the calling test file: before its tests, a connected Admin
 * creates `topic` with `partitions` partitions and `records` are produced one after another (each
 * record names its partition, so offsets follow the list); after them, the topic is deleted and the
 * Admin closed. Returns the Admin, as {@link useAdmin} does.
 */
export function useFilledTopic(brokers: string[], topic: string, partitions: number, records: readonly ProducerRecord[]): () => Admin {
  let admin: Admin | null = null;
  before(async () => {
    admin = new Admin({ brokers });
    await admin.createTopics([{ topic, partitions }]);
    const producer = new Producer({ brokers });
    try {
      for (const record of records) await producer.send(topic, record);
    } finally {
      await producer.close();
    }
  });
  after(async () => {
    // One hook, so the topic is deleted before the Admin closes.
    await admin?.deleteTopics([topic]).catch(() => undefined);
    await admin?.close();
  });
  return () => {
    if (admin === null) throw new Error('useFilledTopic: the Admin is made in before(); call this from a test');
    return admin;
  };
}
