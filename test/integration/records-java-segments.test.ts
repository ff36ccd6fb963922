/**
 * Batches written by the real Java producer, read straight from the broker's log segment (a log
 * segment file is a sequence of record batches): large batches, so the Java framings with many
 * chunks and blocks are covered — snappy-java's 32 KiB xerial chunks, KafkaLZ4BlockOutputStream's
 * 64 KiB frame blocks, zstd-jni's streaming frames. Needs the local broker started by
 * scripts/kafka (its data lives under .kafka/node*\/data).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { decodeRecordBatches, type CompressionName } from '../../src/protocol/records/record-batch.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaProducerPerformance } from '../helpers/java-tools.js';

const T = { timeout: 300_000 };
const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const RECORDS = 1000;
const RECORD_SIZE = 500;
const kafkaState = process.env.KAFKA_STATE ?? fileURLToPath(new URL('../../.kafka', import.meta.url));

/** The first log segment of partition 0 of `topic`, on whichever local node holds it. */
function segmentOf(topic: string): Buffer {
  const nodes = existsSync(kafkaState) ? readdirSync(kafkaState).filter((n) => n.startsWith('node')) : [];
  for (const node of nodes) {
    const file = join(kafkaState, node, 'data', `${topic}-0`, '00000000000000000000.log');
    if (existsSync(file)) return readFileSync(file);
  }
  throw new Error(`no log segment of ${topic} under ${kafkaState}: is the broker the local one from scripts/kafka?`);
}

describe('Java producer batches from the log segment', () => {
  const topics = new Map<CompressionName, string>();
  let conn: Connection;

  before(async () => {
    const [host = '', port = ''] = (testBrokers()[0] ?? '').split(/:(?=\d+$)/);
    conn = new Connection(resolveConnectionOptions({ host, port: Number(port), clientId: 'kafka-stage-segments-it' }));
    await conn.connect();
    for (const codec of CODECS) topics.set(codec, uniqueTopic(`java-segment-${codec}`));
    const res = await conn.request(CreateTopics, 7, {
      topics: [...topics.values()].map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
      timeoutMs: 30_000,
    });
    assert.ok(res.topics.every((t) => t.errorCode === 0), 'topics created');
    // One JVM per codec; they run side by side. A large batch.size and a long linger put all
    // records of a run in one or two batches: several hundred KiB, many codec blocks.
    await Promise.all(
      CODECS.map((compression) =>
        javaProducerPerformance({
          brokers: testBrokers(),
          topic: topics.get(compression) as string,
          numRecords: RECORDS,
          recordSize: RECORD_SIZE,
          compression,
          producerProps: { 'batch.size': String(2 * 1024 * 1024), 'linger.ms': '1000', 'max.request.size': String(4 * 1024 * 1024) },
        }),
      ),
    );
  });
  after(async () => {
    await conn.close();
  });

  for (const codec of CODECS) {
    it(`${codec}: every record, in order, with the payload ProducerPerformance sent`, T, async () => {
      const segment = segmentOf(topics.get(codec) as string);
      const { batches, truncatedTail } = await decodeRecordBatches(segment, { maxDecompressedBytes: 64 * 1024 * 1024 });
      assert.equal(truncatedTail, false, 'a segment holds whole batches');
      assert.ok(batches.every((b) => b.compression === codec));
      const records = batches.flatMap((b) => b.records);
      assert.equal(records.length, RECORDS);
      records.forEach((r, i) => {
        assert.equal(r.offset, i);
        assert.equal(r.key, null);
        assert.equal(r.value?.length, RECORD_SIZE);
        assert.match(r.value?.toString('latin1') ?? '', /^[A-Z]+$/, 'random uppercase letters');
      });
      const largest = Math.max(...batches.map((b) => b.records.length));
      assert.ok(largest * RECORD_SIZE > 128 * 1024, `a batch of ${largest} records spans several codec blocks`);
    });
  }
});
