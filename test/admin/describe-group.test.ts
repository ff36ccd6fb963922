/**
 * describeGroup over both group types against a scripted broker: ConsumerGroupDescribe first, and
 * DescribeGroups when the broker lacks it or answers GROUP_ID_NOT_FOUND (a classic group, as Kafka 4
 * answers); a consumer group's epochs, assignor and members read from ConsumerGroupDescribe alone;
 * listGroups' type from brokers that name none.
 */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { ConsumerGroupDescribe } from '../../src/protocol/apis/consumer-group-describe.js';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { FindCoordinator } from '../../src/protocol/apis/find-coordinator.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { Metadata } from '../../src/protocol/apis/metadata.js';
import { CONSUMER_PROTOCOL_TYPE, encodeAssignment } from '../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { GroupAuthorizationError } from '../../src/protocol/kafka-error.js';
import type { ResponseIn } from '../../src/protocol/schema.js';
import { FakeBroker, type FakeBrokerOptions } from '../helpers/fake-broker.js';
import { metadataAnswer } from '../helpers/metadata-answer.js';

const T = { timeout: 20_000 };
const retry = { retries: 50, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 10_000 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A broker that is its own groups' coordinator. */
async function setUp(options: FakeBrokerOptions = {}): Promise<{ broker: FakeBroker; admin: Admin }> {
  const broker = await FakeBroker.start(options);
  broker.handle(Metadata, () => ({ body: metadataAnswer([broker]) }));
  broker.handle(FindCoordinator, (req) => {
    const found = { nodeId: 1, host: broker.host, port: broker.port, errorCode: 0, errorMessage: null };
    const key = req.version >= 4 ? (req.decode().coordinatorKeys[0] ?? '') : req.decode().key;
    return { body: { throttleTimeMs: 0, ...found, coordinators: [{ key, ...found }] } };
  });
  const admin = new Admin({ brokers: broker.address, retry });
  cleanups.push(() => broker.stop(), () => admin.close());
  return { broker, admin };
}

/** DescribeGroups answering a Stable classic group with one member owning `orders` 1 and 0. */
function classicGroupAnswer(broker: FakeBroker): void {
  broker.handle(DescribeGroups, (req) => ({
    body: {
      throttleTimeMs: 0,
      groups: req.decode().groups.map((groupId) => ({
        errorCode: 0,
        errorMessage: null,
        groupId,
        groupState: 'Stable',
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolData: 'range',
        members: [
          {
            memberId: 'classic-1',
            groupInstanceId: null,
            clientId: 'c',
            clientHost: '/10.0.0.1',
            memberMetadata: Buffer.alloc(0),
            memberAssignment: encodeAssignment({ assignedPartitions: [{ topic: 'orders', partitions: [1, 0] }] }),
          },
        ],
        authorizedOperations: -2147483648,
      })),
    },
  }));
}

type DescribedGroup = ResponseIn<typeof ConsumerGroupDescribe>['groups'][number];

function consumerGroupDescribeAnswer(broker: FakeBroker, group: (groupId: string) => Partial<DescribedGroup>): void {
  broker.handle(ConsumerGroupDescribe, (req) => ({
    body: {
      throttleTimeMs: 0,
      groups: req.decode().groupIds.map((groupId) => ({
        errorCode: 0,
        groupId,
        groupState: '',
        groupEpoch: -1,
        assignmentEpoch: -1,
        assignorName: '',
        members: [],
        ...group(groupId),
      })),
    },
  }));
}

const classicExpected = {
  type: 'classic',
  groupId: 'g',
  coordinator: 1,
  state: 'Stable',
  protocolType: 'consumer',
  protocol: 'range',
  members: [
    {
      memberId: 'classic-1',
      groupInstanceId: null,
      clientId: 'c',
      clientHost: '/10.0.0.1',
      assignment: [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 1 },
      ],
    },
  ],
};

/** The ways a broker says "not a consumer group here", each followed by one DescribeGroups. */
const FALLBACKS: { why: string; consumerGroupDescribe: number | null; asked: number }[] = [
  { why: 'a broker without ConsumerGroupDescribe (Kafka 3.7): not asked', consumerGroupDescribe: null, asked: 0 },
  { why: 'GROUP_ID_NOT_FOUND (Kafka 4: a classic group)', consumerGroupDescribe: ErrorCode.GROUP_ID_NOT_FOUND, asked: 1 },
  { why: 'UNSUPPORTED_VERSION (Kafka 3.9 without the KIP-848 preview)', consumerGroupDescribe: ErrorCode.UNSUPPORTED_VERSION, asked: 1 },
];

for (const { why, consumerGroupDescribe, asked } of FALLBACKS) {
  it(`${why}: the group is described by DescribeGroups as a classic one, once`, T, async () => {
    const { broker, admin } = await setUp();
    classicGroupAnswer(broker);
    if (consumerGroupDescribe !== null) consumerGroupDescribeAnswer(broker, () => ({ errorCode: consumerGroupDescribe, errorMessage: 'not a consumer group' }));
    assert.deepEqual(await admin.describeGroup('g'), classicExpected);
    assert.equal(broker.requestsFor({ apiKey: ConsumerGroupDescribe.apiKey }).length, asked);
    assert.equal(broker.requestsFor({ apiKey: DescribeGroups.apiKey }).length, 1);
  });
}

it('a consumer group: epochs, assignor and members from ConsumerGroupDescribe alone; partitions sorted, a topic without a name goes by its id, an empty regex is none', T, async () => {
  const { broker, admin } = await setUp();
  classicGroupAnswer(broker);
  const ordersId = 'b3JkZXJzb3JkZXJzb3JkZQ';
  const goneId = 'Z29uZWdvbmVnb25lZ29uZQ';
  consumerGroupDescribeAnswer(broker, () => ({
    groupState: 'Reconciling',
    groupEpoch: 9,
    assignmentEpoch: 8,
    assignorName: 'uniform',
    members: [
      {
        memberId: 'm-1',
        instanceId: 'i-1',
        rackId: 'r1',
        memberEpoch: 8,
        clientId: 'c1',
        clientHost: '/10.0.0.2',
        subscribedTopicNames: ['orders'],
        // What Kafka answers for a member subscribed by name; reported as null.
        subscribedTopicRegex: '',
        assignment: {
          topicPartitions: [
            { topicId: ordersId, topicName: 'orders', partitions: [2, 0] },
            { topicId: goneId, topicName: '', partitions: [0] },
          ],
        },
        targetAssignment: { topicPartitions: [{ topicId: ordersId, topicName: 'orders', partitions: [0] }] },
        memberType: 1,
      },
      {
        memberId: 'm-2',
        memberEpoch: 9,
        clientId: 'c2',
        clientHost: '/10.0.0.3',
        subscribedTopicNames: [],
        subscribedTopicRegex: 'ord.*',
        assignment: { topicPartitions: [] },
        targetAssignment: { topicPartitions: [{ topicId: ordersId, topicName: 'orders', partitions: [2] }] },
        memberType: 0,
      },
    ],
  }));
  const d = await admin.describeGroup('g');
  assert.deepEqual(d, {
    type: 'consumer',
    groupId: 'g',
    coordinator: 1,
    state: 'Reconciling',
    protocolType: 'consumer',
    protocol: 'uniform',
    groupEpoch: 9,
    assignmentEpoch: 8,
    members: [
      {
        memberId: 'm-1',
        groupInstanceId: 'i-1',
        clientId: 'c1',
        clientHost: '/10.0.0.2',
        assignment: [
          { topic: goneId, partition: 0 },
          { topic: 'orders', partition: 0 },
          { topic: 'orders', partition: 2 },
        ],
        memberEpoch: 8,
        rackId: 'r1',
        subscribedTopicNames: ['orders'],
        subscribedTopicRegex: null,
        targetAssignment: [{ topic: 'orders', partition: 0 }],
        memberType: 'consumer',
      },
      {
        memberId: 'm-2',
        groupInstanceId: null,
        clientId: 'c2',
        clientHost: '/10.0.0.3',
        assignment: [],
        memberEpoch: 9,
        rackId: null,
        subscribedTopicNames: [],
        subscribedTopicRegex: 'ord.*',
        targetAssignment: [{ topic: 'orders', partition: 2 }],
        memberType: 'classic',
      },
    ],
  });
  assert.equal(broker.requestsFor({ apiKey: DescribeGroups.apiKey }).length, 0);
});

it('ConsumerGroupDescribe v0 (no member type): memberType null', T, async () => {
  const { broker, admin } = await setUp({
    apiVersions: [
      { apiKey: Metadata.apiKey, minVersion: 0, maxVersion: Metadata.maxVersion },
      { apiKey: FindCoordinator.apiKey, minVersion: 0, maxVersion: FindCoordinator.maxVersion },
      { apiKey: ConsumerGroupDescribe.apiKey, minVersion: 0, maxVersion: 0 },
    ],
  });
  const member = { memberId: 'm', memberEpoch: 3, clientId: 'c', clientHost: '/h', subscribedTopicNames: ['t'], assignment: { topicPartitions: [] }, targetAssignment: { topicPartitions: [] } };
  consumerGroupDescribeAnswer(broker, () => ({ groupState: 'Stable', groupEpoch: 3, assignmentEpoch: 3, assignorName: 'range', members: [member] }));
  const d = await admin.describeGroup('g');
  assert.equal(d.type, 'consumer');
  assert.equal(d.members[0]?.memberId, 'm');
  assert.equal(d.type === 'consumer' ? d.members[0]?.memberType : 'not a consumer group', null);
  assert.deepEqual(
    broker.requestsFor({ apiKey: ConsumerGroupDescribe.apiKey }).map((r) => r.apiVersion),
    [0],
  );
});

it('ConsumerGroupDescribe refused (GROUP_AUTHORIZATION_FAILED): GroupAuthorizationError naming the group, no fallback to DescribeGroups', T, async () => {
  const { broker, admin } = await setUp();
  classicGroupAnswer(broker);
  consumerGroupDescribeAnswer(broker, () => ({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }));
  const error = await admin.describeGroup('private').then(
    () => null,
    (err: unknown) => err,
  );
  assert.ok(error instanceof GroupAuthorizationError, `GroupAuthorizationError, got ${String(error)}`);
  assert.equal(error.groupId, 'private');
  assert.equal(broker.requestsFor({ apiKey: ConsumerGroupDescribe.apiKey }).length, 1);
  assert.equal(broker.requestsFor({ apiKey: DescribeGroups.apiKey }).length, 0);
});

it('ConsumerGroupDescribe answering NOT_COORDINATOR: the coordinator is found again and the group asked again', T, async () => {
  const { broker, admin } = await setUp();
  broker.handle(ConsumerGroupDescribe, (req) => ({
    body: {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: req.seq === 0 ? ErrorCode.NOT_COORDINATOR : 0,
          groupId: 'g',
          groupState: 'Empty',
          groupEpoch: 4,
          assignmentEpoch: 4,
          assignorName: 'uniform',
          members: [],
        },
      ],
    },
  }));
  const d = await admin.describeGroup('g');
  assert.equal(d.type, 'consumer');
  assert.equal(d.state, 'Empty');
  assert.equal(broker.requestsFor({ apiKey: ConsumerGroupDescribe.apiKey }).length, 2);
  assert.equal(broker.requestsFor({ apiKey: FindCoordinator.apiKey }).length, 2);
});

it('listGroups from a broker before ListGroups v5 (no group type): every group is classic; from v5 the broker type stands', T, async () => {
  const ranges = (listGroupsMax: number) => [
    { apiKey: Metadata.apiKey, minVersion: 0, maxVersion: Metadata.maxVersion },
    { apiKey: ListGroups.apiKey, minVersion: 0, maxVersion: listGroupsMax },
  ];
  for (const [max, expected] of [
    [4, ['classic', 'classic']],
    [5, ['classic', 'consumer']],
  ] as const) {
    const { broker, admin } = await setUp({ apiVersions: ranges(max) });
    broker.handle(ListGroups, () => ({
      body: {
        throttleTimeMs: 0,
        errorCode: 0,
        groups: [
          { groupId: 'a', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
          { groupId: 'b', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' },
        ],
      },
    }));
    const listed = await admin.listGroups();
    assert.deepEqual(
      listed.map((g) => [g.groupId, g.type]),
      [
        ['a', expected[0]],
        ['b', expected[1]],
      ],
      `ListGroups v${max}`,
    );
  }
});
