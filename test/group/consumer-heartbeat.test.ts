/** The pure half of a KIP-848 member (src/group/consumer-heartbeat.ts): body, error meanings, assignment by topic id. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerGroupHeartbeat } from '../../src/protocol/apis/consumer-group-heartbeat.js';
import {
  heartbeatBody,
  heartbeatOutcome,
  leaveBody,
  newMemberId,
  ownedByTopicId,
  resolveAssignment,
} from '../../src/group/consumer-heartbeat.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const inputs = {
  groupId: 'g',
  memberId: 'm',
  memberEpoch: 7,
  instanceId: null,
  rebalanceTimeoutMs: 300_000,
  topics: ['a', 'b'],
  topicRegex: null,
  serverAssignor: 'range',
  owned: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [0, 2] }],
};

describe('ConsumerGroupHeartbeat body', () => {
  it('names the topics, or the regex and no topics, and always reports what is owned', () => {
    const body = heartbeatBody(inputs);
    assert.deepEqual(body.subscribedTopicNames, ['a', 'b']);
    assert.equal(body.subscribedTopicRegex, null);
    assert.deepEqual(body.topicPartitions, [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [0, 2] }]);
    assert.equal(body.memberEpoch, 7);
    const regex = heartbeatBody({ ...inputs, topicRegex: 'orders-.*' });
    assert.equal(regex.subscribedTopicNames, null, 'a regex subscription names no topics');
    assert.equal(regex.subscribedTopicRegex, 'orders-.*');
    assert.deepEqual(heartbeatBody({ ...inputs, owned: [] }).topicPartitions, [], 'owning nothing is said, not left out (null would mean unchanged)');
  });

  it('round-trips through the v1 codec, the nullable Assignment of the answer included', () => {
    const w = new Writer(256);
    ConsumerGroupHeartbeat.request.write(w, heartbeatBody({ ...inputs, topicRegex: 'x.*' }), 1, true);
    const back = ConsumerGroupHeartbeat.request.read(new Reader(w.finish()), 1, true);
    assert.equal(back.subscribedTopicRegex, 'x.*');
    assert.deepEqual(back.topicPartitions, inputs.owned);
    for (const assignment of [null, { topicPartitions: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAg', partitions: [3] }] }]) {
      const rw = new Writer(128);
      ConsumerGroupHeartbeat.response.write(rw, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, memberId: 'm', memberEpoch: 3, heartbeatIntervalMs: 1000, assignment }, 1, true);
      const answer = ConsumerGroupHeartbeat.response.read(new Reader(rw.finish()), 1, true);
      assert.deepEqual(answer.assignment, assignment);
    }
  });

  it('leaves with epoch -1, or -2 for a static member that will come back', () => {
    assert.equal(leaveBody('g', 'm', null, false).memberEpoch, -1);
    assert.equal(leaveBody('g', 'm', 'i-1', true).memberEpoch, -2);
  });

  it('makes 22-character URL-safe member ids, a new one each time', () => {
    const a = newMemberId();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, newMemberId());
  });
});

describe('what a heartbeat answer means', () => {
  it('fencing, coordinator moves, transient and fatal codes', () => {
    assert.equal(heartbeatOutcome(ErrorCode.NONE), 'ok');
    assert.equal(heartbeatOutcome(ErrorCode.FENCED_MEMBER_EPOCH), 'fenced');
    assert.equal(heartbeatOutcome(ErrorCode.UNKNOWN_MEMBER_ID), 'fenced');
    assert.equal(heartbeatOutcome(ErrorCode.NOT_COORDINATOR), 'coordinator');
    assert.equal(heartbeatOutcome(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS), 'coordinator');
    assert.equal(heartbeatOutcome(ErrorCode.UNRELEASED_INSTANCE_ID), 'retry');
    for (const code of [ErrorCode.GROUP_AUTHORIZATION_FAILED, ErrorCode.UNSUPPORTED_ASSIGNOR, ErrorCode.INVALID_REGULAR_EXPRESSION, ErrorCode.GROUP_MAX_SIZE_REACHED, ErrorCode.UNSUPPORTED_VERSION]) {
      assert.equal(heartbeatOutcome(code), 'fatal', `code ${code}`);
    }
  });
});

describe('assignments by topic id', () => {
  const names = new Map([
    ['id-a', 'a'],
    ['id-b', 'b'],
  ]);
  it('reads known ids as names, sorted, and lists the ids metadata does not know', () => {
    const r = resolveAssignment(
      [
        { topicId: 'id-b', partitions: [1, 0] },
        { topicId: 'id-x', partitions: [4] },
        { topicId: 'id-a', partitions: [2] },
        { topicId: 'id-y', partitions: [] },
      ],
      (id) => names.get(id),
    );
    assert.deepEqual(r.partitions, [
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
    ]);
    assert.deepEqual(r.unknownTopicIds, ['id-x'], 'an id with no partitions needs no name');
  });
  it('groups owned partitions by topic id for the heartbeat', () => {
    const ids = new Map([...names].map(([id, name]) => [name, id]));
    assert.deepEqual(
      ownedByTopicId(
        [
          { topic: 'b', partition: 1 },
          { topic: 'a', partition: 0 },
          { topic: 'b', partition: 0 },
          { topic: 'b', partition: 0 },
        ],
        (t) => ids.get(t),
      ),
      [
        { topicId: 'id-a', partitions: [0] },
        { topicId: 'id-b', partitions: [0, 1] },
      ],
    );
  });
});
