/**
 * What the real broker answers for a partition whose next batch is larger than the partition asked
 * for (issue 14, item 4, found at 60 topics × 50 partitions): the request's first partition with
 * records gets its batch whole past its limit (KIP-74); any later one gets NO bytes at all, not a
 * cut batch (Kafka's ReplicaManager replaces an incomplete first batch by an empty one for Fetch v3
 * and later), with its high watermark past the offset asked. The consumer cannot learn that batch's
 * size from such an answer: a partition whose batches are larger than its ask is served only when
 * it comes first in a request. The fake broker (src/testing/partition-log.ts `read`) answers with a
 * cut batch instead (512 B here), which the consumer's owed-batch path learns from: the model and
 * scheduler tests do not see what a real broker does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from '../../src/network/connection.js';
import { resolveConnectionOptions } from '../../src/network/connection-options.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const T = { timeout: 60_000 };
/** Errors a freshly created partition gives until its leader is ready. */
const NOT_READY = new Set([3, 5, 6]);

/** One batch of 100 records of 100 B (about 11 KB), as the CLI's producer writes them. */
function bigBatch(): Promise<Buffer> {
  return encodeRecordBatch({ records: Array.from({ length: 100 }, (_, i) => ({ key: null, value: Buffer.alloc(100, i) })), compression: 'none' });
}

describe('a batch larger than the partition asked for, through the real broker', () => {
  let conn: Connection;
  const [host = '', portText = ''] = (testBrokers()[0] ?? '').split(/:(?=\d+$)/);

  before(async () => {
    conn = new Connection(resolveConnectionOptions({ host, port: Number(portText), clientId: 'kafka-stage-first-batch-it' }));
    await conn.connect();
  });
  after(async () => {
    await conn.close();
  });

  it('the first partition gets it whole, a later one gets no bytes (not a cut batch) though records wait', T, async () => {
    const name = uniqueTopic('first-batch-it');
    const created = await conn.request(CreateTopics, 7, { topics: [{ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000 });
    const topicId = created.topics[0]?.topicId ?? '';
    assert.equal(created.topics[0]?.errorCode, 0);
    const batch = await bigBatch();
    for (const index of [0, 1]) {
      await eventually(
        async () => {
          const res = await conn.request(Produce, 12, { acks: -1, timeoutMs: 30_000, topicData: [{ name, topicId: '', partitionData: [{ index, records: batch }] }] });
          const code = res.responses[0]?.partitionResponses[0]?.errorCode ?? -1;
          if (NOT_READY.has(code)) return false;
          assert.equal(code, 0);
          return true;
        },
        { what: `partition ${index} to take a produce`, timeoutMs: 10_000, intervalMs: 100 },
      );
    }
    const res = await conn.request(Fetch, 16, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 64 * 1024 * 1024,
      isolationLevel: 0,
      topics: [{ topic: '', topicId, partitions: [0, 1].map((partition) => ({ partition, fetchOffset: 0n, partitionMaxBytes: 512 })) }],
      forgottenTopicsData: [],
    });
    const [first, second] = res.responses[0]?.partitions ?? [];
    assert.equal(first?.records?.length, batch.length, 'the first partition: its whole batch past the 512 B asked (KIP-74)');
    assert.equal(second?.records?.length ?? 0, 0, 'the second: no bytes at all, not 512 B of a cut batch');
    assert.equal(second?.highWatermark, 100n, 'though 100 records wait there');
  });
});
