/**
 * Admin calls refused for lack of an ACL reject at once, after one request, with the typed error
 * naming the resource: per entity inside AdminOperationError (createTopics, describeConfigs), or
 * as the call's own rejection (describeGroup: FindCoordinator or DescribeGroups refused).
 */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { AdminOperationError } from '../../src/admin/errors.js';
import { CreateTopics } from '../../src/protocol/apis/create-topics.js';
import { DescribeConfigs } from '../../src/protocol/apis/describe-configs.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { ClusterAuthorizationError, GroupAuthorizationError, TopicAuthorizationError } from '../../src/protocol/kafka-error.js';
import { FakeBroker } from '../helpers/fake-broker.js';
import { metadataAnswer } from '../helpers/metadata-answer.js';

const T = { timeout: 20_000 };
const retry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 10_000 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(): Promise<{ broker: FakeBroker; admin: Admin }> {
  const broker = await FakeBroker.start();
  broker.handle(Metadata, () => ({
    body: metadataAnswer([broker]),
  }));
  const admin = new Admin({ brokers: broker.address, retry });
  cleanups.push(() => broker.stop(), () => admin.close());
  return { broker, admin };
}

async function timed<T>(work: Promise<T>): Promise<{ error: unknown; ms: number }> {
  const began = Date.now();
  const error = await work.then(
    () => null,
    (err: unknown) => err,
  );
  return { error, ms: Date.now() - began };
}

function findCoordinatorHandler(errorCode: number, broker: FakeBroker) {
  return (req: { version: number; decode(): { coordinatorKeys: string[]; key: string } }) => {
    const key = req.version >= 4 ? (req.decode().coordinatorKeys[0] ?? '') : req.decode().key;
    const entry = { nodeId: errorCode ? -1 : 1, host: broker.host, port: errorCode ? -1 : broker.port, errorCode, errorMessage: null };
    return { body: { throttleTimeMs: 0, ...entry, coordinators: [{ key, ...entry }] } };
  };
}

it('createTopics refused (TOPIC_AUTHORIZATION_FAILED): the topic fails with TopicAuthorizationError, one CreateTopics', T, async () => {
  const { broker, admin } = await setUp();
  broker.handle(CreateTopics, (req) => ({
    body: {
      throttleTimeMs: 0,
      topics: req.decode().topics.map((t) => ({
        name: t.name,
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        errorCode: 29,
        errorMessage: 'Authorization failed.',
        topicConfigErrorCode: 0,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      })),
    },
  }));
  const { error, ms } = await timed(admin.createTopics([{ topic: 'secret', partitions: 1 }]));
  assert.ok(error instanceof AdminOperationError, `AdminOperationError, got ${String(error)}`);
  assert.equal(error.retriable, false);
  const failure = error.failureOf('secret');
  assert.ok(failure instanceof TopicAuthorizationError, `TopicAuthorizationError, got ${String(failure)}`);
  assert.deepEqual(failure.topics, ['secret']);
  assert.equal(failure.brokerMessage, 'Authorization failed.');
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(broker.requestsFor({ apiKey: CreateTopics.apiKey }).length, 1);
});

it('describeGroup refused at FindCoordinator: rejects with GroupAuthorizationError naming the group, one FindCoordinator', T, async () => {
  const { broker, admin } = await setUp();
  broker.handle(FindCoordinator, findCoordinatorHandler(30, broker));
  const { error, ms } = await timed(admin.describeGroup('private-group'));
  assert.ok(error instanceof GroupAuthorizationError, `GroupAuthorizationError, got ${String(error)}`);
  assert.equal(error.groupId, 'private-group');
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(broker.requestsFor({ apiKey: FindCoordinator.apiKey }).length, 1);
});

it('describeGroup refused by DescribeGroups: rejects with GroupAuthorizationError naming the group, one DescribeGroups', T, async () => {
  const { broker, admin } = await setUp();
  broker.handle(FindCoordinator, findCoordinatorHandler(0, broker));
  broker.handle(DescribeGroups, (req) => ({
    body: {
      throttleTimeMs: 0,
      groups: req.decode().groups.map((groupId) => ({
        errorCode: 30,
        errorMessage: null,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      })),
    },
  }));
  const { error, ms } = await timed(admin.describeGroup('private-group'));
  assert.ok(error instanceof GroupAuthorizationError, `GroupAuthorizationError, got ${String(error)}`);
  assert.equal(error.groupId, 'private-group');
  assert.equal(error.code, 'ERR_GROUP_AUTHORIZATION');
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(broker.requestsFor({ apiKey: DescribeGroups.apiKey }).length, 1);
});

it('describeConfigs of a broker refused (CLUSTER_AUTHORIZATION_FAILED): the resource fails with ClusterAuthorizationError, one request', T, async () => {
  const { broker, admin } = await setUp();
  broker.handle(DescribeConfigs, (req) => ({
    body: {
      throttleTimeMs: 0,
      results: req.decode().resources.map((r) => ({ errorCode: 31, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
    },
  }));
  const { error, ms } = await timed(admin.describeConfigs([{ type: 'broker', name: '1' }]));
  assert.ok(error instanceof AdminOperationError, `AdminOperationError, got ${String(error)}`);
  const failure = error.failures[0]?.error;
  assert.ok(failure instanceof ClusterAuthorizationError, `ClusterAuthorizationError, got ${String(failure)}`);
  assert.equal(failure.code, 'ERR_CLUSTER_AUTHORIZATION');
  assert.match(failure.message, /DescribeConfigs/);
  assert.ok(ms < 1_000, `${ms} ms`);
  assert.equal(broker.requestsFor({ apiKey: DescribeConfigs.apiKey }).length, 1);
});
