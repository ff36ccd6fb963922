/** The fake cluster's classic group, driven by hand with a manual clock: barriers, generations, timeouts, commit checks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClassicGroup, type JoinRequest } from '../../src/testing/classic-group.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ManualClock } from './manual-clock.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function joinRequest(memberId: string, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '127.0.0.1',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from(memberId) }],
    requireKnownMemberId: true,
    ...overrides,
  };
}

async function newMember(group: ClassicGroup): Promise<string> {
  const first = await group.join(joinRequest(''));
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  return first.memberId;
}

test('a new member gets its id with MEMBER_ID_REQUIRED, then generation 1 as leader with itself listed', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 0, startTimer: clock.start });
  const id = await newMember(group);
  const joined = await group.join(joinRequest(id));
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.generationId, 1);
  assert.equal(joined.leader, id);
  assert.equal(joined.protocolName, 'range');
  assert.deepEqual(joined.members.map((m) => m.memberId), [id]);
  assert.equal(group.state, 'CompletingRebalance');
  const synced = await group.sync(id, 1, { type: 'consumer', name: 'range' }, [{ memberId: id, assignment: Buffer.from('all') }]);
  assert.equal(synced.assignment.toString(), 'all');
  assert.equal(group.state, 'Stable');
});

test('a second member makes the first rejoin; the follower waits for the leader\'s assignment', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 0, startTimer: clock.start });
  const a = await newMember(group);
  await group.join(joinRequest(a));
  await group.sync(a, 1, { type: null, name: null }, [{ memberId: a, assignment: Buffer.from('A') }]);
  const b = await newMember(group);
  const bJoin = group.join(joinRequest(b));
  await tick();
  assert.equal(group.state, 'PreparingRebalance');
  assert.equal(group.heartbeat(a, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  const aJoin = await group.join(joinRequest(a));
  const bJoined = await bJoin;
  assert.equal(aJoin.generationId, 2);
  assert.equal(aJoin.leader, a, 'the leader stays');
  assert.equal(aJoin.members.length, 2);
  assert.deepEqual(bJoined.members, [], 'followers get no member list');
  const bSync = group.sync(b, 2, { type: null, name: null }, []);
  await tick();
  const aSync = await group.sync(a, 2, { type: null, name: null }, [
    { memberId: a, assignment: Buffer.from('A') },
    { memberId: b, assignment: Buffer.from('B') },
  ]);
  assert.equal(aSync.assignment.toString(), 'A');
  assert.equal((await bSync).assignment.toString(), 'B');
});

test('a member whose session expires is removed and the rest rebalance; a member that does not rejoin in time is dropped', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 0, startTimer: clock.start });
  const a = await newMember(group);
  const b = await newMember(group);
  const joins = [group.join(joinRequest(a)), group.join(joinRequest(b))];
  await Promise.all(joins);
  const syncB = group.sync(b, 1, { type: null, name: null }, []);
  await group.sync(a, 1, { type: null, name: null }, []);
  await syncB;
  clock.advance(6_000);
  assert.equal(group.heartbeat(a, 1), ErrorCode.NONE); // a stays alive, b goes silent
  clock.advance(5_000);
  assert.equal(group.state, 'PreparingRebalance', 'b expired after 10 s');
  assert.equal(group.members.has(b), false);
  const rejoined = await group.join(joinRequest(a));
  assert.equal(rejoined.generationId, 2);
  assert.deepEqual(rejoined.members.map((m) => m.memberId), [a]);
  // Generation 3: a new member arrives, a never rejoins within the rebalance timeout.
  await group.sync(a, 2, { type: null, name: null }, []);
  const c = await newMember(group);
  const cJoin = group.join(joinRequest(c, { rebalanceTimeoutMs: 30_000 }));
  await tick();
  clock.advance(30_000);
  const cJoined = await cJoin;
  assert.equal(cJoined.generationId, 3);
  assert.equal(cJoined.leader, c, 'the new leader, since the old one was dropped');
  assert.deepEqual([...group.members.keys()], [c]);
});

test('commits: a standalone commit only to an empty group; members need their generation; none while completing a rebalance', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 0, startTimer: clock.start });
  assert.equal(group.commitError('', -1), ErrorCode.NONE);
  const a = await newMember(group);
  await group.join(joinRequest(a));
  assert.equal(group.commitError(a, 1), ErrorCode.REBALANCE_IN_PROGRESS);
  await group.sync(a, 1, { type: null, name: null }, []);
  assert.equal(group.commitError(a, 1), ErrorCode.NONE);
  assert.equal(group.commitError(a, 0), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(group.commitError('someone', 1), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(group.commitError('', -1), ErrorCode.UNKNOWN_MEMBER_ID, 'not while the group has members');
  assert.equal(group.leave(a), ErrorCode.NONE);
  await tick();
  assert.equal(group.state, 'Empty');
  assert.equal(group.generation, 2, 'the empty generation after the last leave');
  assert.equal(group.commitError('', -1), ErrorCode.NONE);
});

test('joins that cannot fit the group: another protocol type, no common assignor, an unknown member id', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 0, startTimer: clock.start });
  const a = await newMember(group);
  await group.join(joinRequest(a));
  assert.equal((await group.join(joinRequest('', { protocolType: 'connect' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await group.join(joinRequest('', { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.equal((await group.join(joinRequest('nobody'))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('the initial rebalance delay holds the first barrier open for members arriving together', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 3_000, startTimer: clock.start });
  const a = await newMember(group);
  const b = await newMember(group);
  const aJoin = group.join(joinRequest(a));
  await tick();
  const bJoin = group.join(joinRequest(b));
  await tick();
  assert.equal(group.state, 'PreparingRebalance');
  clock.advance(3_000);
  const [aJoined, bJoined] = await Promise.all([aJoin, bJoin]);
  assert.equal(aJoined.generationId, 1);
  assert.equal(bJoined.generationId, 1, 'both in the first generation');
});

test('reload (the group moved to a new coordinator) starts every session clock over; expire removes a member now', async () => {
  const clock = new ManualClock();
  const group = new ClassicGroup('g', { initialRebalanceDelayMs: 0, startTimer: clock.start });
  const a = await newMember(group);
  await group.join(joinRequest(a));
  await group.sync(a, 1, { type: null, name: null }, []);
  clock.advance(9_000);
  group.reload();
  clock.advance(9_000);
  assert.equal(group.members.has(a), true, '18 s without a heartbeat, but 9 s since the group was loaded');
  clock.advance(1_000);
  assert.equal(group.members.has(a), false, 'expired 10 s after the load');

  const b = await newMember(group);
  await group.join(joinRequest(b));
  await group.sync(b, 3, { type: null, name: null }, []);
  assert.equal(group.state, 'Stable');
  assert.equal(group.expire(b), true);
  assert.equal(group.members.has(b), false);
  assert.equal(group.state, 'Empty', 'the last member gone: the barrier closes at once');
  assert.equal(group.heartbeat(b, 3), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(group.expire(b), false);
});
