/** The fake's consumer (KIP-848) group on a manual clock: session expiry, the rebalance timeout of a member that does not revoke, a static member that never comes back. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ConsumerProtocolGroup, type ConsumerHeartbeat, type ConsumerHeartbeatOutcome } from '../../src/testing/consumer-group.js';
import { ManualClock } from './manual-clock.js';

const TOPIC = { name: 'orders', id: 'T0', partitions: 4 };

function newGroup(clock: ManualClock): ConsumerProtocolGroup {
  return new ConsumerProtocolGroup('g', { heartbeatIntervalMs: 5000, sessionTimeoutMs: 45_000, startTimer: clock.start, topics: () => [TOPIC] });
}

/** A member driven by hand: joins, heartbeats reporting what it owns (or `keep`: what it refuses to give up). */
class Member {
  epoch = 0;
  owned: number[] = [];

  constructor(
    private readonly group: ConsumerProtocolGroup,
    readonly id: string,
    private readonly instanceId: string | null = null,
  ) {}

  private send(overrides: Partial<ConsumerHeartbeat>): ConsumerHeartbeatOutcome {
    const answer = this.group.heartbeat({
      memberId: this.id,
      memberEpoch: this.epoch,
      instanceId: this.instanceId,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [{ topicId: TOPIC.id, partitions: this.owned }],
      clientId: 'c',
      clientHost: '127.0.0.1',
      ...overrides,
    });
    if (answer.errorCode === ErrorCode.NONE && answer.memberEpoch >= 0) this.epoch = answer.memberEpoch;
    return answer;
  }

  join(): ConsumerHeartbeatOutcome {
    return this.take(this.send({ memberEpoch: 0, rebalanceTimeoutMs: 10_000, subscribedTopicNames: ['orders'], topicPartitions: [] }));
  }

  /** A heartbeat; with `refuseRevoke` the member keeps reporting what it had (never finishing a revocation) and its answer is not checked. */
  beat(refuseRevoke = false): ConsumerHeartbeatOutcome {
    const answer = this.send({});
    return refuseRevoke ? answer : this.take(answer);
  }

  leave(epoch: -1 | -2): ConsumerHeartbeatOutcome {
    return this.send({ memberEpoch: epoch });
  }

  private take(answer: ConsumerHeartbeatOutcome): ConsumerHeartbeatOutcome {
    assert.equal(answer.errorCode, ErrorCode.NONE, `${this.id}: ${answer.errorMessage ?? answer.errorCode}`);
    if (answer.assignment) this.owned = answer.assignment.flatMap((t) => t.partitions);
    return answer;
  }
}

function settle(...members: Member[]): void {
  for (let i = 0; i < 4; i++) for (const m of members) m.beat();
}

/** A fresh group on a manual clock with dynamic members a and b joined (not yet reconciled). */
function twoMembers(): { clock: ManualClock; group: ConsumerProtocolGroup; a: Member; b: Member } {
  const clock = new ManualClock();
  const group = newGroup(clock);
  const a = new Member(group, 'a');
  const b = new Member(group, 'b');
  a.join();
  b.join();
  return { clock, group, a, b };
}

test('a member silent for the session timeout is removed and its partitions go to the others; heartbeats keep a member in', () => {
  const { clock, group, a, b } = twoMembers();
  settle(a, b);
  assert.equal(a.owned.length, 2);
  clock.advance(30_000);
  b.beat();
  clock.advance(16_000); // a silent for 46 s, b for 16 s
  assert.deepEqual([...group.members.keys()], ['b']);
  b.beat();
  assert.deepEqual(b.owned.sort(), [0, 1, 2, 3]);
  const late = a.beat(true);
  assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a member that does not finish revoking within its rebalance timeout is fenced, though it keeps heartbeating', () => {
  const { clock, group, a, b } = twoMembers();
  a.beat(true); // told to revoke 2; keeps reporting all 4
  assert.equal(group.members.get('a')?.state, 'UNREVOKED_PARTITIONS');
  clock.advance(9_000);
  a.beat(true);
  b.beat();
  assert.equal(b.owned.length, 0, 'nothing is free while a holds on');
  assert.ok(group.members.has('a'));
  clock.advance(1_000); // 10 s since it was told to revoke
  assert.equal(group.members.has('a'), false);
  b.beat();
  assert.deepEqual(b.owned.sort(), [0, 1, 2, 3]);
  assert.equal(a.beat(true).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a static member that left with -2 and does not come back within the session timeout is removed; its partitions then move', () => {
  const clock = new ManualClock();
  const group = newGroup(clock);
  const s = new Member(group, 's', 'box-1');
  const d = new Member(group, 'd');
  s.join();
  d.join();
  settle(s, d);
  const epoch = group.groupEpoch;
  s.leave(-2);
  clock.advance(40_000);
  d.beat();
  assert.equal(d.owned.length, 2, 'kept for the away member');
  assert.equal(group.groupEpoch, epoch);
  clock.advance(6_000);
  assert.equal(group.members.has('s'), false);
  assert.equal(group.groupEpoch, epoch + 1);
  d.beat();
  assert.deepEqual(d.owned.sort(), [0, 1, 2, 3]);
});
