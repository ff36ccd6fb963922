/**
 * Authorization failures reach the consumer's caller at once, typed and naming the resource, after
 * exactly one request (no retry loop repeats them): a fake broker answers one API with
 * GROUP_AUTHORIZATION_FAILED (30) or TOPIC_AUTHORIZATION_FAILED (29) while the rest of the
 * one-member group works. Retries are generous (50 attempts, 10 s) so a loop would show as extra
 * requests and time.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import type { ConsumerGroupOptions } from '../../src/consumer/options.js';
import { StandaloneConsumer } from '../../src/consumer/standalone-consumer.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { ListOffsets } from '../../src/protocol/apis/list-offsets.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { GroupAuthorizationError, KafkaError, TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import type { AnyApi } from '../../src/protocol/schema.js';
import { FakeLogBroker, LOG_TOPIC } from './fake-log-broker.js';

const T = { timeout: 20_000 };
const GROUP = 'no-acl-group';
const retry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 10_000 };
/**
 * "At once": well below the retry deadline a loop would run into (10 s); the request counts are the
 * sharp check. 1 s was missed by 45 ms on a machine at load 20 with no retry at all.
 */
const AT_ONCE_MS = 5_000;
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.stop();
});

async function broker(): Promise<FakeLogBroker> {
  const fake = await FakeLogBroker.start({ partitions: 2, records: 100, batchSize: 50 });
  open.push(fake);
  return fake;
}

function groupOptions(fake: FakeLogBroker, extra: Partial<ConsumerGroupOptions> = {}): ConsumerGroupOptions {
  return { ...fake.cluster(), retry, groupId: GROUP, topics: [LOG_TOPIC], assignors: ['range'], heartbeatIntervalMs: 20, sessionTimeoutMs: 6_000, autoOffsetReset: 'earliest', ...extra };
}

function count(fake: FakeLogBroker, api: AnyApi): number {
  return fake.broker.requestsFor({ apiKey: api.apiKey }).length;
}

/** Metadata naming the broker and answering TOPIC_AUTHORIZATION_FAILED for every topic asked. */
function denyTopicsInMetadata(fake: FakeLogBroker): void {
  const b = fake.broker;
  b.handle(Metadata, (req) => ({
    body: {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: b.host, port: b.port, rack: null }],
      clusterId: 'fake',
      controllerId: 1,
      clusterAuthorizedOperations: 0,
      topics: (req.decode().topics ?? []).map((t) => ({
        errorCode: 29,
        name: t.name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        isInternal: false,
        topicAuthorizedOperations: 0,
        partitions: [],
      })),
    },
  }));
}

/** Runs `start` and returns its rejection and how long it took. */
async function rejection(start: () => Promise<void>): Promise<{ error: unknown; ms: number }> {
  const began = Date.now();
  const error = await start().then(
    () => null,
    (err: unknown) => err,
  );
  return { error, ms: Date.now() - began };
}

function assertGroupDenied(error: unknown, ms: number): void {
  assert.ok(error instanceof GroupAuthorizationError, `GroupAuthorizationError, got ${String(error)}`);
  assert.ok(error instanceof KafkaError, 'still a KafkaError');
  assert.equal(error.code, 'ERR_GROUP_AUTHORIZATION');
  assert.equal(error.errorCode, 30);
  assert.equal(error.groupId, GROUP);
  assert.equal(error.retriable, false);
  assert.match(error.message, new RegExp(GROUP));
  assert.ok(ms < AT_ONCE_MS, `reached the caller in ${ms} ms`);
}

function assertTopicDenied(error: unknown, ms: number): void {
  assert.ok(error instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(error)}`);
  assert.equal(error.code, 'ERR_TOPIC_AUTHORIZATION');
  assert.equal(error.errorCode, 29);
  assert.deepEqual(error.topics, [LOG_TOPIC]);
  assert.equal(error.retriable, false);
  assert.match(error.message, new RegExp(LOG_TOPIC));
  assert.ok(ms < AT_ONCE_MS, `reached the caller in ${ms} ms`);
}

describe('ConsumerGroup without ACLs', () => {
  it('FindCoordinator GROUP_AUTHORIZATION_FAILED: start() rejects with GroupAuthorizationError naming the group, one request', T, async () => {
    const fake = await broker();
    fake.broker.handle(FindCoordinator, (req) => {
      const key = req.version >= 4 ? (req.decode().coordinatorKeys[0] ?? '') : req.decode().key;
      const entry = { nodeId: -1, host: '', port: -1, errorCode: 30, errorMessage: 'Not authorized' };
      return { body: { throttleTimeMs: 0, ...entry, coordinators: [{ key, ...entry }] } };
    });
    const group = new ConsumerGroup(groupOptions(fake), () => undefined);
    const { error, ms } = await rejection(() => group.start());
    assertGroupDenied(error, ms);
    assert.equal(count(fake, FindCoordinator), 1);
    assert.equal(count(fake, JoinGroup), 0);
  });

  it('JoinGroup GROUP_AUTHORIZATION_FAILED: start() rejects with GroupAuthorizationError naming the group, one JoinGroup', T, async () => {
    const fake = await broker();
    fake.broker.handle(JoinGroup, (req) => ({
      body: { throttleTimeMs: 0, errorCode: 30, generationId: -1, protocolType: 'consumer', protocolName: null, leader: '', skipAssignment: false, memberId: req.decode().memberId, members: [] },
    }));
    const group = new ConsumerGroup(groupOptions(fake), () => undefined);
    const { error, ms } = await rejection(() => group.start());
    assertGroupDenied(error, ms);
    assert.equal(count(fake, JoinGroup), 1);
  });

  it('OffsetFetch GROUP_AUTHORIZATION_FAILED (group level): start() rejects typed after one OffsetFetch', T, async () => {
    const fake = await broker();
    fake.offsetFetchErrors = [30, 30, 30, 30, 30];
    const group = new ConsumerGroup(groupOptions(fake), () => undefined);
    const { error, ms } = await rejection(() => group.start());
    assertGroupDenied(error, ms);
    assert.equal(fake.offsetFetches, 1, 'the start-offset look-up was not tried again');
  });

  it('OffsetFetch TOPIC_AUTHORIZATION_FAILED per partition: start() rejects with TopicAuthorizationError naming the topic, one OffsetFetch', T, async () => {
    const fake = await broker();
    fake.broker.handle(OffsetFetch, (req) => {
      const body = req.decode();
      const partitions = (indexes: number[]) => indexes.map((p) => ({ partitionIndex: p, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 29 }));
      const groups = body.groups.map((g) => ({ groupId: g.groupId, errorCode: 0, topics: (g.topics ?? []).map((t) => ({ name: t.name, topicId: t.topicId, partitions: partitions(t.partitionIndexes) })) }));
      const topics = (body.topics ?? []).map((t) => ({ name: t.name, partitions: partitions(t.partitionIndexes) }));
      return { body: { throttleTimeMs: 0, topics, errorCode: 0, groups } };
    });
    const group = new ConsumerGroup(groupOptions(fake), () => undefined);
    const { error, ms } = await rejection(() => group.start());
    assertTopicDenied(error, ms);
    assert.equal(count(fake, OffsetFetch), 1);
  });

  it('a subscribed topic the principal may not describe: start() rejects with TopicAuthorizationError (not an empty assignment)', T, async () => {
    const fake = await broker();
    denyTopicsInMetadata(fake);
    const group = new ConsumerGroup(groupOptions(fake), () => undefined);
    const { error, ms } = await rejection(() => group.start());
    assertTopicDenied(error, ms);
    assert.equal(count(fake, JoinGroup), 1, 'joined once, failed at the assignment');
  });

  it('Heartbeat GROUP_AUTHORIZATION_FAILED after start: an error event with GroupAuthorizationError naming the group', T, async () => {
    const fake = await broker();
    const group = new ConsumerGroup(groupOptions(fake), () => undefined);
    open.push(group);
    const errors: Error[] = [];
    group.on('error', (e) => errors.push(e));
    await group.start();
    fake.heartbeatCodes = [30];
    const began = Date.now();
    const denied = await new Promise<Error>((resolve) => {
      const check = (): void => {
        const found = errors.find((e) => e instanceof GroupAuthorizationError);
        if (found) resolve(found);
        else setTimeout(check, 5);
      };
      check();
    });
    assertGroupDenied(denied, Date.now() - began);
    const heartbeats = count(fake, Heartbeat);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(count(fake, Heartbeat), heartbeats, 'no heartbeat after the failure');
  });
});

describe('StandaloneConsumer without ACLs', () => {
  const partitions = [0, 1].map((partition) => ({ topic: LOG_TOPIC, partition }));

  it('Metadata TOPIC_AUTHORIZATION_FAILED: start() rejects with TopicAuthorizationError, one Metadata for the topic', T, async () => {
    const fake = await broker();
    denyTopicsInMetadata(fake);
    const consumer = new StandaloneConsumer({ ...fake.cluster(), retry, partitions, autoOffsetReset: 'earliest' }, () => undefined);
    const before = count(fake, Metadata);
    const { error, ms } = await rejection(() => consumer.start());
    assertTopicDenied(error, ms);
    // One for connect() (brokers only), and the look-ups of the topic; no retry loop.
    assert.ok(count(fake, Metadata) - before <= 3, `${count(fake, Metadata) - before} Metadata requests`);
  });

  it('ListOffsets TOPIC_AUTHORIZATION_FAILED: start() rejects with TopicAuthorizationError after one ListOffsets', T, async () => {
    const fake = await broker();
    fake.broker.handle(ListOffsets, (req) => ({
      body: {
        throttleTimeMs: 0,
        topics: req.decode().topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 29, timestamp: -1n, offset: -1n, leaderEpoch: -1, oldStyleOffsets: [] })),
        })),
      },
    }));
    const consumer = new StandaloneConsumer({ ...fake.cluster(), retry, partitions, autoOffsetReset: 'earliest' }, () => undefined);
    const { error, ms } = await rejection(() => consumer.start());
    assertTopicDenied(error, ms);
    assert.equal(count(fake, ListOffsets), 1);
  });

  it('Fetch TOPIC_AUTHORIZATION_FAILED: the partition ends with TopicAuthorizationError and is not fetched again', T, async () => {
    const fake = await broker();
    fake.broker.handle(Fetch, (req) => ({
      body: {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: req.decode().topics.map((t) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: 29, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0) })),
        })),
      },
    }));
    const failures: unknown[] = [];
    const began = Date.now();
    let settled!: () => void;
    const bothFailed = new Promise<void>((resolve) => (settled = resolve));
    const consumer = new StandaloneConsumer({ ...fake.cluster(), retry, partitions: partitions.map((p) => ({ ...p, offset: 0 })) }, async (stage) => {
      try {
        for await (const record of stage.records()) void record;
      } catch (err) {
        failures.push(err);
        if (failures.length === 2) settled();
      }
    });
    open.push(consumer);
    await consumer.start();
    await bothFailed;
    const ms = Date.now() - began;
    for (const failure of failures) {
      assert.ok(failure instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(failure)}`);
      assert.deepEqual(failure.topics, [LOG_TOPIC]);
      assert.equal(failure.context.api, 'Fetch');
    }
    assert.ok(ms < AT_ONCE_MS, `reached the subscribers in ${ms} ms`);
    const fetches = count(fake, Fetch);
    assert.ok(fetches <= 2, `${fetches} Fetch requests`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(count(fake, Fetch), fetches, 'the denied partitions are not fetched again');
  });
});
