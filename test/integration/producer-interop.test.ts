/**
 * Our producer checked by independent clients: the Java client's partitioner agrees on every key,
 * and the Java console consumer reads what we wrote with each codec exactly (count, keys, values,
 * headers, order per partition).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import type { CompressionName } from '../../src/protocol/records/types.js';
import { murmur2, partitionForKey } from '../../src/producer/partitioner.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaConsume, javaKeyHashes } from '../helpers/java-tools.js';

let admin: Admin;
const topics: string[] = [];

before(() => {
  admin = new Admin({ brokers: testBrokers() });
});

after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

test('murmur2 and the partition of every key agree with the Java client (text, binary, every length mod 4)', async () => {
  const keys: (string | Buffer)[] = [];
  for (let i = 0; i < 200; i++) keys.push(`user-${i * 7919}-${'é'.repeat(i % 5)}`);
  for (let len = 0; len < 40; len++) keys.push(randomBytes(len));
  const counts = [1, 6, 7, 100];
  for (const n of counts) {
    const java = await javaKeyHashes(keys, n);
    keys.forEach((key, i) => {
      const bytes = Buffer.from(key);
      assert.equal(murmur2(bytes), java[i]?.murmur2, `murmur2 of ${bytes.toString('hex')}`);
      assert.equal(partitionForKey(bytes, n), java[i]?.partition, `partition of ${bytes.toString('hex')} among ${n}`);
    });
  }
});

describe('the Java consumer reads what we produced, for every codec', { concurrency: 2 }, () => {
  const codecs: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  for (const compression of codecs) {
    test(compression, async () => {
      const topic = uniqueTopic(`produce-java-${compression}`);
      await admin.createTopics([{ topic, partitions: 3 }]);
      topics.push(topic);
      const count = 300;
      const records = Array.from({ length: count }, (_, i) => ({
        key: i % 4 === 3 ? null : `k-${i % 17}`,
        value: `value ${i} ${'ü'.repeat(i % 7)}`,
        headers: [{ key: 'seq', value: String(i) }, { key: 'codec', value: compression }],
      }));
      const producer = new Producer({ brokers: testBrokers(), compression });
      let metas;
      try {
        metas = await producer.sendBatch(topic, records);
      } finally {
        await producer.close();
      }
      const consumed = await javaConsume({ brokers: testBrokers(), topic, maxMessages: count, timeoutMs: 20_000, from: 'earliest' });
      assert.equal(consumed.length, count);
      const bySeq = new Map(consumed.map((r) => [Number(r.headers.seq), r]));
      assert.equal(bySeq.size, count, 'every record once');
      records.forEach((sent, i) => {
        const got = bySeq.get(i);
        assert.ok(got, `record ${i}`);
        assert.equal(got.key, sent.key);
        assert.equal(got.value, sent.value);
        assert.deepEqual(got.headerList, [['seq', String(i)], ['codec', compression]]);
        assert.equal(got.partition, metas[i]?.partition);
        assert.equal(got.offset, metas[i]?.offset);
      });
    });
  }
});
