/**
 * The member's JoinGroup, SyncGroup and LeaveGroup bodies (per version, static members refused where
 * the version cannot carry their instance id) and the state-machine events their answers make.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetriesExhaustedError } from '../../src/cluster/retry.js';
import { encodeAssignment } from '../../src/protocol/consumer-protocol.js';
import {
  joinGroupBody,
  joinResponseEvent,
  joinTimeoutMs,
  leaveGroupBody,
  requestFailedEvent,
  syncGroupBody,
  syncResponseEvent,
} from '../../src/group/rebalance-requests.js';
import { KafkaStageError } from '../../src/errors.js';
import { ConnectionError } from '../../src/network/errors.js';

const dynamicMember = { groupId: 'g', groupInstanceId: null, memberId: 'm1' };
const staticMember = { groupId: 'g', groupInstanceId: 'pod-0', memberId: 'm1' };
const protocols = [{ name: 'range', metadata: Buffer.from([1, 2]) }];
const joinInputs = { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, protocols, reason: 'joining' };

/** Asserts that `build` refuses `version` as too old for static membership. */
function refusesStatic(build: () => unknown, api: string): void {
  assert.throws(build, (err: unknown) => err instanceof KafkaStageError && err.code === 'ERR_UNSUPPORTED_VERSION' && err.message.includes(api) && !err.retriable);
}

describe('rebalance requests: bodies', () => {
  it('JoinGroup carries the member, its timeouts, protocols and reason; a static member needs v5+', () => {
    assert.deepEqual(joinGroupBody(staticMember, joinInputs)(5), {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: 'm1',
      groupInstanceId: 'pod-0',
      protocolType: 'consumer',
      protocols,
      reason: 'joining',
    });
    refusesStatic(() => joinGroupBody(staticMember, joinInputs)(4), 'JoinGroup');
    assert.equal(joinGroupBody(dynamicMember, joinInputs)(0).groupInstanceId, null, 'a dynamic member speaks any version');
  });

  it('JoinGroup waits at the broker for the rebalance: its timeout covers the rebalance timeout plus 5 s', () => {
    assert.equal(joinTimeoutMs(30_000, 60_000), 65_000);
    assert.equal(joinTimeoutMs(30_000, 1_000), 30_000, 'never below the request timeout');
  });

  it('SyncGroup carries the generation, protocol and assignments; a static member needs v3+', () => {
    const assignments = [{ memberId: 'm1', assignment: Buffer.from([9]) }];
    assert.deepEqual(syncGroupBody(staticMember, 4, 'range', assignments)(3), {
      groupId: 'g',
      generationId: 4,
      memberId: 'm1',
      groupInstanceId: 'pod-0',
      protocolType: 'consumer',
      protocolName: 'range',
      assignments,
    });
    refusesStatic(() => syncGroupBody(staticMember, 4, 'range', [])(2), 'SyncGroup');
    assert.deepEqual(syncGroupBody(dynamicMember, 4, 'range', [])(0).assignments, []);
  });

  it('LeaveGroup names the member in a batch from v3 (with its instance id and a reason), alone before', () => {
    assert.deepEqual(leaveGroupBody(staticMember)(3), { groupId: 'g', members: [{ memberId: 'm1', groupInstanceId: 'pod-0', reason: 'the consumer is stopping' }] });
    assert.deepEqual(leaveGroupBody(dynamicMember)(2), { groupId: 'g', memberId: 'm1' });
  });
});

describe('rebalance requests: answers as events', () => {
  it('a JoinGroup answer becomes a join-response with every field the state machine reads', () => {
    const members = [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([7]) }];
    const response = { throttleTimeMs: 0, errorCode: 0, generationId: 3, protocolType: 'consumer', protocolName: 'range', leader: 'm1', skipAssignment: false, memberId: 'm1', members };
    assert.deepEqual(joinResponseEvent(response), {
      type: 'join-response',
      errorCode: 0,
      memberId: 'm1',
      generationId: 3,
      protocol: 'range',
      leaderId: 'm1',
      skipAssignment: false,
      members,
    });
  });

  it('a SyncGroup answer becomes a sync-response; the assignment is decoded only when it succeeded', () => {
    const assignment = encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [2, 0] }], userData: null });
    const ok = { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment };
    assert.deepEqual(syncResponseEvent(ok), { type: 'sync-response', errorCode: 0, assignment: [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }] });
    assert.deepEqual(syncResponseEvent({ ...ok, errorCode: 27, assignment: Buffer.from([0xff]) }), { type: 'sync-response', errorCode: 27, assignment: [] });
  });

  it('a request that failed without an answer is retried when transient (a coordinator not found in time included), not when it never will work', () => {
    const retriable = (error: unknown) => {
      const event = requestFailedEvent('join', error);
      assert.ok(event.type === 'request-failed' && event.request === 'join' && event.error === error);
      return event.retriable;
    };
    assert.equal(retriable(new ConnectionError('gone')), true);
    assert.equal(retriable(new RetriesExhaustedError('FindCoordinator', 5, new Error('x'))), true);
    assert.equal(retriable(new KafkaStageError('ERR_PROTOCOL', 'bad member', { retriable: false })), false);
    const sync = requestFailedEvent('sync', new ConnectionError('gone'));
    assert.ok(sync.type === 'request-failed' && sync.request === 'sync');
  });
});
