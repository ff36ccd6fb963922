/**
 * The fake cluster's request-level hooks, seen from the wire: the request log (`requests`), answers
 * lost after the work (`loseAnswer`), `when` on fail/delay/loseAnswer, delays taken newest first,
 * and the log read back per batch with its producer fields (`batches`).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { DeleteTopics } from '../../src/protocol/apis/delete-topics.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { Produce } from '../../src/protocol/apis/produce.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeRequest, peekCorrelationId } from '../../src/protocol/frame.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { AnyApi, ApiDefinition, RequestIn } from '../../src/protocol/schema.js';
import { Producer } from '../../src/producer/producer.js';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { eventually } from '../helpers/eventually.js';
import { roundTrip } from './wire.js';

const PRODUCE_BY_NAME = 9;
const PRODUCE_BY_ID = 13;
const NO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A stamped batch of `count` records. */
function batch(count: number, producer: { id: bigint; epoch: number; sequence: number } = { id: -1n, epoch: -1, sequence: -1 }): Promise<Buffer> {
  return encodeRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({ value: `r${i}` })),
    compression: 'none',
    producerId: producer.id,
    producerEpoch: producer.epoch,
    baseSequence: producer.sequence,
  });
}

function produceBody(records: Buffer, acks = -1): RequestIn<typeof Produce> {
  return { acks, timeoutMs: 1000, topicData: [{ name: 't', topicId: NO_ID, partitionData: [{ index: 0, records }] }] };
}

/** One request frame, size prefix included. */
function frame<A extends AnyApi>(api: A, version: number, correlationId: number, body: RequestIn<A>): Buffer {
  return encodeRequest(api as unknown as ApiDefinition<unknown, RequestIn<A>, unknown, never>, version, correlationId, 'hooks-test', body);
}

/**
 * Writes `frames` at once on one fresh connection and reads `answers` response frames: their
 * correlation ids in arrival order, and whether the broker closed the connection first.
 */
async function pipeline(address: string, frames: Buffer[], answers: number): Promise<{ correlationIds: number[]; closed: boolean }> {
  const [host, port] = address.split(':') as [string, string];
  const socket = connect(Number(port), host);
  socket.on('error', () => socket.destroy());
  await once(socket, 'connect');
  const correlationIds: number[] = [];
  try {
    return await new Promise((resolve) => {
      let held = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        held = Buffer.concat([held, chunk]);
        while (held.length >= 4 && held.length >= 4 + held.readInt32BE(0)) {
          correlationIds.push(peekCorrelationId(held.subarray(4, 4 + held.readInt32BE(0))));
          held = held.subarray(4 + held.readInt32BE(0));
        }
        if (correlationIds.length >= answers) resolve({ correlationIds, closed: false });
      });
      socket.once('close', () => resolve({ correlationIds, closed: true }));
      socket.write(Buffer.concat(frames));
    });
  } finally {
    socket.destroy();
  }
}

async function withCluster(run: (cluster: FakeKafkaCluster, address: string) => Promise<void>): Promise<void> {
  const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 't', partitions: 2 }] });
  try {
    await run(cluster, cluster.bootstrap[0] as string);
  } finally {
    await cluster.stop();
  }
}

test('requests: each request logged with its index, version, broker, connection, partitions, Produce batches (producer fields, answered code) and answer', async () => {
  await withCluster(async (cluster) => {
    const producer = new Producer({ brokers: cluster.bootstrap, lingerMs: 0 });
    try {
      await producer.send('t', { partition: 0, value: 'a' });
      await producer.send('t', { partition: 1, value: 'b' });
      const produced = cluster.requests('Produce');
      assert.equal(produced.length, 2);
      assert.deepEqual(produced.map((r) => [r.api, r.apiKey, r.index, r.broker, r.answer, r.inFlight]), [
        ['Produce', Produce.apiKey, 0, 1, 'sent', 1],
        ['Produce', Produce.apiKey, 1, 1, 'sent', 1],
      ]);
      assert.equal(produced[0]?.connection, produced[1]?.connection, 'one connection to the broker');
      assert.deepEqual(produced.map((r) => r.partitions), [[{ topic: 't', partition: 0 }], [{ topic: 't', partition: 1 }]]);
      const { producerId } = producer.producerId;
      assert.deepEqual(produced.map((r) => r.batches), [
        [{ topic: 't', partition: 0, producerId, producerEpoch: 0, baseSequence: 0, recordCount: 1, errorCode: ErrorCode.NONE }],
        [{ topic: 't', partition: 1, producerId, producerEpoch: 0, baseSequence: 0, recordCount: 1, errorCode: ErrorCode.NONE }],
      ]);
      assert.ok(produced.every((r) => r.version >= Produce.minVersion && r.version <= Produce.maxVersion && r.injectedError === null));
      assert.ok(cluster.requests(Metadata).some((r) => r.partitions.some((p) => p.topic === 't')), 'Metadata requests name their topics');
      assert.equal(cluster.requests('InitProducerId').length, 1);
      assert.throws(() => cluster.requests('SaslHandshake'), /does not speak SaslHandshake/);
    } finally {
      await producer.close();
    }
  });
});

test('requests: a Produce with acks=0 is logged with no answer; inFlight counts the API\'s requests waiting on the connection, itself included', async () => {
  await withCluster(async (cluster, address) => {
    const records = await batch(1);
    cluster.delay('Produce', 200, { times: 1 });
    // Produce, ApiVersions, Produce, Produce on one connection: when the first (delayed) Produce is
    // answered every frame has arrived; an ApiVersions between them is not counted.
    const frames = [
      frame(Produce, PRODUCE_BY_NAME, 1, produceBody(records)),
      frame(ApiVersions, 3, 2, {}),
      frame(Produce, PRODUCE_BY_NAME, 3, produceBody(records)),
      frame(Produce, PRODUCE_BY_NAME, 4, produceBody(records)),
    ];
    assert.deepEqual((await pipeline(address, frames, 4)).correlationIds, [1, 2, 3, 4]);
    assert.deepEqual(cluster.requests('Produce').map((r) => r.inFlight), [3, 2, 1]);
    assert.deepEqual((await pipeline(address, [frame(Produce, PRODUCE_BY_NAME, 5, produceBody(records, 0)), frame(ApiVersions, 3, 6, {})], 1)).correlationIds, [6]);
    assert.equal(cluster.requests('Produce')[3]?.answer, 'none');
    assert.equal(cluster.endOffset('t', 0), 4);
  });
});

test('loseAnswer: the work is done, then the connection closes (default) or the answer never comes (ignore); times and when pick the requests', async () => {
  await withCluster(async (cluster, address) => {
    const records = await batch(1);
    cluster.loseAnswer('Produce');
    assert.equal(await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(records)), null, 'connection closed');
    assert.equal(cluster.endOffset('t', 0), 1, 'written all the same');
    assert.equal(cluster.requests('Produce')[0]?.answer, 'closed');
    assert.equal((await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(records)))?.responses[0]?.partitionResponses[0]?.baseOffset, 1n, 'times: 1 by default');

    cluster.loseAnswer('Produce', { how: 'ignore' });
    const ignored = await pipeline(address, [frame(Produce, PRODUCE_BY_NAME, 1, produceBody(records)), frame(ApiVersions, 3, 2, {})], 1);
    assert.deepEqual(ignored, { correlationIds: [2], closed: false }, 'no answer to the Produce; the connection goes on');
    assert.equal(cluster.endOffset('t', 0), 3);
    assert.equal(cluster.requests('Produce')[2]?.answer, 'none');

    cluster.loseAnswer('Produce', { times: Infinity, when: (r) => r.index === 4 });
    assert.notEqual(await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(records)), null, 'index 3 is answered');
    assert.equal(await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(records)), null, 'index 4 is lost');
    cluster.clearFaults();
    assert.notEqual(await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(records)), null, 'clearFaults removes lost answers');
    assert.throws(() => cluster.loseAnswer('SaslHandshake'), /does not speak SaslHandshake/);
  });
});

test('fail with when: only the requests it accepts get the error, and only they use up times', async () => {
  await withCluster(async (cluster, address) => {
    cluster.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { times: 1, when: (r) => r.batches[0]?.producerEpoch === 3 });
    const codeOf = async (records: Buffer): Promise<number | undefined> =>
      (await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(records)))?.responses[0]?.partitionResponses[0]?.errorCode;
    assert.equal(await codeOf(await batch(1, { id: 1n, epoch: 0, sequence: 0 })), ErrorCode.NONE);
    assert.equal(await codeOf(await batch(1, { id: 2n, epoch: 3, sequence: 0 })), ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(await codeOf(await batch(1, { id: 2n, epoch: 3, sequence: 0 })), ErrorCode.NONE);
    assert.deepEqual(cluster.requests('Produce').map((r) => r.injectedError), [null, ErrorCode.NOT_LEADER_OR_FOLLOWER, null]);
    assert.deepEqual(cluster.requests('Produce').map((r) => r.batches[0]?.errorCode), [ErrorCode.NONE, ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NONE]);
  });
});

test('delay with when: a newer delay takes the requests it accepts before an older one; 0 removes every delay of the API', async () => {
  await withCluster(async (cluster, address) => {
    cluster.delay('ApiVersions', 5);
    cluster.delay('ApiVersions', 2_000, { when: (r) => r.index === 1 });
    await roundTrip(address, ApiVersions, 3, {});
    const started = Date.now();
    const slow = roundTrip(address, ApiVersions, 3, {}).then(() => Date.now() - started);
    await eventually(() => cluster.requests('ApiVersions').length === 2, { what: 'the second ApiVersions request', timeoutMs: 5_000 });
    await roundTrip(address, ApiVersions, 3, {});
    assert.equal(cluster.requests('ApiVersions')[1]?.answer, 'pending', 'index 2 answered while index 1 waits');
    const waited = await slow;
    assert.ok(waited >= 1_990, `index 1 answered after ${waited} ms`);
    cluster.delay('ApiVersions', 60_000);
    cluster.delay('ApiVersions', 0);
    assert.equal((await roundTrip(address, ApiVersions, 3, {}))?.errorCode, ErrorCode.NONE, 'no delay left');
  });
});

test('batches: the log read back per batch with producer id, epoch and first sequence; records() the same records flat', async () => {
  await withCluster(async (cluster, address) => {
    await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(await batch(2, { id: 5n, epoch: 2, sequence: 0 })));
    await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(await batch(1, { id: 5n, epoch: 2, sequence: 2 })));
    const batches = await cluster.batches('t', 0);
    assert.deepEqual(
      batches.map((b) => [b.baseOffset, b.producerId, b.producerEpoch, b.baseSequence, b.records.map((r) => [r.offset, r.value?.toString()])]),
      [
        [0, 5n, 2, 0, [[0, 'r0'], [1, 'r1']]],
        [2, 5n, 2, 2, [[2, 'r0']]],
      ],
    );
    assert.deepEqual((await cluster.records('t', 0)).map((r) => r.offset), [0, 1, 2]);
    assert.deepEqual(await cluster.batches('t', 1), []);
  });
});

test('Produce v13 names topics by id: fault rules and the request log see the topic\'s name', async () => {
  await withCluster(async (cluster, address) => {
    const metadata = await roundTrip(address, Metadata, 12, { topics: [{ topicId: NO_ID, name: 't' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const topicId = metadata?.topics[0]?.topicId as string;
    cluster.fail('Produce', 'NOT_LEADER_OR_FOLLOWER', { topic: 't', partition: 0 });
    const answer = await roundTrip(address, Produce, PRODUCE_BY_ID, {
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: '', topicId, partitionData: [{ index: 0, records: await batch(1) }] }],
    });
    assert.equal(answer?.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    assert.equal(cluster.endOffset('t', 0), 0);
    assert.deepEqual(cluster.requests('Produce')[0]?.partitions, [{ topic: 't', partition: 0 }]);
    assert.equal(cluster.requests('Produce')[0]?.batches[0]?.topic, 't');
  });
});

test('Fetch v13 names topics by id: fault rules and the request log see the topic\'s name', async () => {
  await withCluster(async (cluster, address) => {
    await roundTrip(address, Produce, PRODUCE_BY_NAME, produceBody(await batch(1)));
    const metadata = await roundTrip(address, Metadata, 12, { topics: [{ topicId: NO_ID, name: 't' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const topicId = metadata?.topics[0]?.topicId as string;
    cluster.fail('Fetch', 'CORRUPT_MESSAGE', { topic: 't', partition: 0 });
    const answer = await roundTrip(address, Fetch, 13, {
      maxWaitMs: 0,
      minBytes: 0,
      topics: [{ topic: '', topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    });
    assert.equal(answer?.responses[0]?.partitions[0]?.errorCode, ErrorCode.CORRUPT_MESSAGE);
    assert.deepEqual(cluster.requests('Fetch')[0]?.partitions, [{ topic: 't', partition: 0 }]);
  });
});

test('DeleteTopics v6 by id: a fault rule aimed at the topic by name applies, and the topic stays', async () => {
  await withCluster(async (cluster, address) => {
    const metadata = await roundTrip(address, Metadata, 12, { topics: [{ topicId: NO_ID, name: 't' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const topicId = metadata?.topics[0]?.topicId as string;
    cluster.fail('DeleteTopics', 'TOPIC_AUTHORIZATION_FAILED', { topic: 't' });
    const answer = await roundTrip(address, DeleteTopics, 6, { topics: [{ name: null, topicId }], timeoutMs: 1000 });
    assert.equal(answer?.responses[0]?.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    assert.deepEqual(cluster.topicNames(), ['t']);
  });
});
