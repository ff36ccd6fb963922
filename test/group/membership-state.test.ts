/**
 * The membership state machine without sockets: joins, eager and cooperative rebalances, fencing,
 * coordinator trouble, session expiry (the heartbeat timer's tick, on a fake clock) and stop, as
 * (state, event) → (state, effects).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConnectionError } from '../../src/network/errors.js';
import type { TopicPartition } from '../../src/protocol/consumer-protocol.js';
import {
  classifyGroupError,
  initialMembershipState,
  step,
  type MembershipEffect,
  type MembershipEvent,
  type MembershipState,
} from '../../src/group/membership-state.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';

const tp = (partition: number, topic = 't'): TopicPartition => ({ topic, partition });
const tps = (...partitions: number[]): TopicPartition[] => partitions.map((p) => tp(p));

function joined(memberId: string, generationId: number, leaderId = memberId, errorCode = 0): MembershipEvent {
  return { type: 'join-response', errorCode, memberId, generationId, protocol: 'range', leaderId, skipAssignment: false, members: [] };
}

function synced(assignment: TopicPartition[], errorCode = 0): MembershipEvent {
  return { type: 'sync-response', errorCode, assignment };
}

/** Runs events in order; returns the final state and every effect. */
function run(state: MembershipState, events: MembershipEvent[]): { state: MembershipState; effects: MembershipEffect[] } {
  const effects: MembershipEffect[] = [];
  for (const event of events) {
    const t = step(state, event);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

const types = (effects: MembershipEffect[]) => effects.map((e) => e.type);
/** Effects besides the `joined` notice and the `sync` of a successful join. */
const afterSync = (effects: MembershipEffect[]) => effects.filter((e) => e.type !== 'joined' && e.type !== 'sync');

/** A member that joined generation 1 as `m1` and owns `owned`. */
function stableMember(cooperative: boolean, owned: TopicPartition[]): MembershipState {
  return run(initialMembershipState(cooperative), [{ type: 'start' }, joined('m1', 1, 'other'), synced(owned)]).state;
}

describe('membership state: joining', () => {
  it('start → join; MEMBER_ID_REQUIRED → join again with the given id; joined → sync; synced → assign, stable', () => {
    let t = step(initialMembershipState(false), { type: 'start' });
    assert.equal(t.state.phase, 'joining');
    assert.deepEqual(t.effects, [{ type: 'join' }]);

    t = step(t.state, { ...joined('m-given', -1), errorCode: ErrorCode.MEMBER_ID_REQUIRED } as MembershipEvent);
    assert.equal(t.state.memberId, 'm-given');
    assert.equal(t.state.phase, 'joining');
    assert.deepEqual(t.effects, [{ type: 'join' }]);

    const members = [{ memberId: 'm-given', groupInstanceId: null, metadata: Buffer.alloc(0) }];
    t = step(t.state, { ...joined('m-given', 3), members } as MembershipEvent);
    assert.equal(t.state.phase, 'syncing');
    assert.equal(t.state.generationId, 3);
    assert.deepEqual(types(t.effects), ['joined', 'sync']);
    assert.deepEqual(t.effects[1], { type: 'sync', members }, 'the leader assigns the members');

    t = step(t.state, synced(tps(2, 0, 1)));
    assert.equal(t.state.phase, 'stable');
    assert.deepEqual(t.state.owned, tps(0, 1, 2), 'sorted');
    assert.deepEqual(t.effects, [{ type: 'assign', partitions: tps(0, 1, 2), generationId: 3 }]);
  });

  it('a follower, or a leader told to skip assignment, syncs without assigning', () => {
    const members = [{ memberId: 'm1', groupInstanceId: 'i1', metadata: Buffer.alloc(0) }];
    const joining = step(initialMembershipState(false), { type: 'start' }).state;
    const follower = step(joining, { ...joined('m1', 1, 'leader'), members } as MembershipEvent);
    assert.deepEqual(follower.effects[1], { type: 'sync', members: null });
    const skipping = step(joining, { ...joined('m1', 1, 'm1'), members, skipAssignment: true } as MembershipEvent);
    assert.deepEqual(skipping.effects[1], { type: 'sync', members: null });
  });

  it('the first assignment is handed over even when empty', () => {
    const { effects } = run(initialMembershipState(true), [{ type: 'start' }, joined('m1', 1, 'x'), synced([])]);
    assert.deepEqual(effects.at(-1), { type: 'assign', partitions: [], generationId: 1 });
  });

  it('coordinator errors and lost connections back off and rejoin; fatal join errors fail', () => {
    const joining = step(initialMembershipState(false), { type: 'start' }).state;
    for (const code of [14, 15, 16]) {
      const t = step(joining, joined('', -1, '', code));
      assert.deepEqual(types(t.effects), ['backoff', 'join'], `code ${code}`);
      assert.equal(t.state.phase, 'joining');
    }
    const failed = step(joining, { type: 'request-failed', request: 'join', error: new ConnectionError('gone'), retriable: true });
    assert.deepEqual(types(failed.effects), ['backoff', 'join']);
    const inconsistent = step(joining, joined('', -1, '', 23));
    assert.equal(inconsistent.state.phase, 'failed');
    assert.deepEqual(types(inconsistent.effects), ['fail']);
    const fatal = step(joining, { type: 'request-failed', request: 'join', error: new Error('bad'), retriable: false });
    assert.equal(fatal.state.phase, 'failed');
  });

  it('a sync that fails retriably rejoins after a backoff; REBALANCE_IN_PROGRESS rejoins at once', () => {
    const syncing = run(initialMembershipState(true), [{ type: 'start' }, joined('m1', 1, 'x')]).state;
    assert.deepEqual(types(step(syncing, synced([], 16)).effects), ['backoff', 'join']);
    const again = step(syncing, synced([], 27));
    assert.deepEqual(types(again.effects), ['join']);
    assert.equal(again.state.phase, 'joining');
  });

  it('ignores responses that do not belong to the phase', () => {
    const stable = stableMember(false, tps(0));
    assert.equal(step(stable, joined('m1', 9)).state, stable);
    assert.equal(step(stable, synced(tps(5))).state, stable);
    assert.equal(step(stable, { type: 'start' }).state, stable);
  });
});

describe('membership state: eager rebalance', () => {
  it('REBALANCE_IN_PROGRESS on heartbeat revokes everything before the join', () => {
    const stable = stableMember(false, tps(0, 1, 2));
    const t = step(stable, { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 27 });
    assert.deepEqual(t.effects, [{ type: 'revoke', partitions: tps(0, 1, 2) }, { type: 'join' }]);
    assert.deepEqual(t.state.owned, [], 'joins owning nothing');
    assert.equal(t.state.generationId, 1, 'commits during the revoke still carry the old generation');
    const after = run(t.state, [joined('m1', 2, 'x'), synced(tps(1, 3))]);
    assert.deepEqual(after.effects.at(-1), { type: 'assign', partitions: tps(1, 3), generationId: 2 }, 'everything assigned anew');
    assert.deepEqual(after.state.owned, tps(1, 3));
  });
});

describe('membership state: cooperative rebalance', () => {
  it('rejoins keeping its partitions; revokes only those taken away, adds only new ones, then rejoins once', () => {
    const stable = stableMember(true, tps(0, 1, 2, 3));
    let t = step(stable, { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 27 });
    assert.deepEqual(t.effects, [{ type: 'join' }], 'no revoke before joining');
    assert.deepEqual(t.state.owned, tps(0, 1, 2, 3));

    t = run(t.state, [joined('m1', 2, 'x'), synced(tps(0, 1))]);
    assert.deepEqual(afterSync(t.effects), [
      { type: 'revoke', partitions: tps(2, 3) },
      { type: 'assign', partitions: [], generationId: 2 },
      { type: 'join' },
    ]);
    assert.equal(t.state.phase, 'joining', 'second phase: rejoin at once');
    assert.deepEqual(t.state.owned, tps(0, 1));

    t = run(t.state, [joined('m1', 3, 'x'), synced(tps(0, 1, 5))]);
    assert.deepEqual(afterSync(t.effects), [{ type: 'assign', partitions: tps(5), generationId: 3 }]);
    assert.equal(t.state.phase, 'stable');
  });

  it('property: kept partitions are never revoked; owned always equals the last assignment', () => {
    const assignment = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 12 }).map((ps) => tps(...ps));
    fc.assert(
      fc.property(fc.array(assignment, { minLength: 1, maxLength: 8 }), (assignments) => {
        let state = run(initialMembershipState(true), [{ type: 'start' }]).state;
        let generation = 0;
        for (const next of assignments) {
          const before = new Set(state.owned.map((p) => p.partition));
          const nextSet = new Set(next.map((p) => p.partition));
          if (state.phase === 'stable') state = step(state, { type: 'rejoin', reason: 'test' }).state;
          const t = run(state, [joined('m1', ++generation, 'x'), synced(next)]);
          for (const e of t.effects) {
            if (e.type === 'revoke') for (const p of e.partitions) assert.ok(before.has(p.partition) && !nextSet.has(p.partition), `revoked ${p.partition}`);
            if (e.type === 'assign') for (const p of e.partitions) assert.ok(!before.has(p.partition) && nextSet.has(p.partition), `assigned ${p.partition}`);
            assert.notEqual(e.type, 'lose');
          }
          assert.deepEqual(t.state.owned.map((p) => p.partition), [...nextSet].sort((a, b) => a - b));
          state = t.state;
        }
      }),
    );
  });
});

describe('membership state: fencing and expiry', () => {
  it('ILLEGAL_GENERATION on heartbeat: partitions lost (not revoked), rejoin keeping the member id', () => {
    const t = step(stableMember(true, tps(0, 1)), { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 22 });
    assert.deepEqual(t.effects, [{ type: 'lose', partitions: tps(0, 1) }, { type: 'join' }]);
    assert.equal(t.state.memberId, 'm1');
    assert.equal(t.state.generationId, -1);
    assert.deepEqual(t.state.owned, []);
  });

  it('UNKNOWN_MEMBER_ID: lost, rejoin as a new member', () => {
    const t = step(stableMember(false, tps(0)), { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 25 });
    assert.deepEqual(types(t.effects), ['lose', 'join']);
    assert.equal(t.state.memberId, '');
  });

  it('FENCED_INSTANCE_ID: lost and failed, no rejoin', () => {
    const t = step(stableMember(false, tps(0)), { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 82 });
    assert.deepEqual(types(t.effects), ['lose', 'fail']);
    assert.equal(t.state.phase, 'failed');
    const effect = t.effects[1];
    assert.ok(effect?.type === 'fail' && effect.error.message.includes('FENCED_INSTANCE_ID'));
  });

  it('a SyncGroup fenced by ILLEGAL_GENERATION loses what the cooperative member kept', () => {
    const syncing = run(stableMember(true, tps(4)), [{ type: 'rejoin', reason: 'x' }, joined('m1', 2, 'x')]).state;
    const t = step(syncing, synced([], 22));
    assert.deepEqual(t.effects, [{ type: 'lose', partitions: tps(4) }, { type: 'join' }]);
  });

  it('heartbeat answers of an older generation or member are ignored', () => {
    const stable = stableMember(false, tps(0));
    assert.deepEqual(step(stable, { type: 'heartbeat-response', generationId: 0, memberId: 'm1', errorCode: 22 }).effects, []);
    assert.deepEqual(step(stable, { type: 'heartbeat-response', generationId: 1, memberId: 'old', errorCode: 25 }).effects, []);
  });

  it('coordinator errors on heartbeat keep the assignment', () => {
    for (const code of [14, 15, 16, 7]) {
      const stable = stableMember(true, tps(0));
      const t = step(stable, { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: code });
      assert.deepEqual(t.effects, [], `code ${code}`);
      assert.equal(t.state, stable);
    }
  });

  it('UNKNOWN_MEMBER_ID answering a rejoin (the coordinator expired the member) loses the kept partitions and joins again', () => {
    const retrying = run(stableMember(true, tps(3)), [{ type: 'rejoin', reason: 'x' }, joined('', -1, '', 15)]).state;
    assert.equal(retrying.phase, 'joining');
    const t = step(retrying, joined('', -1, '', 25));
    // The answer ends the JoinGroup it answers: no other join is in flight, so one must be sent (this
    // once expected none, "the join already due", and a member answered so waited for ever).
    assert.deepEqual(t.effects, [{ type: 'lose', partitions: tps(3) }, { type: 'join' }]);
    assert.equal(t.state.generationId, -1);
    assert.equal(t.state.memberId, '');
  });
});

describe('membership state: session clock (tick)', () => {
  const SESSION_MS = 10_000;
  /** A fake clock: ms since the test began, moved by hand. */
  function clock() {
    let now = 1_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }
  /** A member that joined generation 1 as `m1` (led by `leaderId`) at `at`, owning partition 0. */
  function stableAt(at: number, leaderId = 'other'): MembershipState {
    const start = initialMembershipState(false, SESSION_MS);
    return run(start, [{ type: 'start' }, joined('m1', 1, leaderId), { type: 'alive', at }, synced(tps(0))]).state;
  }
  const tick = (now: number, more: Partial<{ rebalancing: boolean; heartbeatInFlight: boolean }> = {}): MembershipEvent => ({
    type: 'tick',
    now,
    rebalancing: more.rebalancing ?? false,
    heartbeatInFlight: more.heartbeatInFlight ?? false,
  });

  it('no heartbeat before a generation, while a JoinGroup/SyncGroup is in flight, or once stopped', () => {
    const c = clock();
    const idle = initialMembershipState(false, SESSION_MS);
    assert.deepEqual(step(idle, tick(c.now())).effects, []);
    const joining = step(idle, { type: 'start' }).state;
    assert.deepEqual(step(joining, tick(c.advance(60_000))).effects, [], 'no generation yet, however long');
    const stable = stableAt(c.now());
    assert.deepEqual(step(stable, tick(c.advance(60_000), { rebalancing: true })).effects, [], 'a rebalance in flight');
    const stopped = step(stable, { type: 'stop', leave: false }).state;
    assert.deepEqual(step(stopped, tick(c.now())).effects, []);
  });

  it('within the session: one heartbeat per tick as the current generation, none while one is unanswered', () => {
    const c = clock();
    const stable = stableAt(c.now());
    const t = step(stable, tick(c.advance(3_000)));
    assert.deepEqual(t.effects, [{ type: 'heartbeat', generationId: 1, memberId: 'm1' }]);
    assert.equal(t.state, stable, 'nothing changes');
    assert.deepEqual(step(stable, tick(c.now(), { heartbeatInFlight: true })).effects, []);
  });

  it('heartbeats go on during an eager revoke (phase joining, generation kept) so a long drain does not expire the member', () => {
    const c = clock();
    const revoking = step(stableAt(c.now()), { type: 'rejoin', reason: 'x' }).state;
    assert.equal(revoking.phase, 'joining');
    assert.deepEqual(step(revoking, tick(c.advance(3_000))).effects, [{ type: 'heartbeat', generationId: 1, memberId: 'm1' }]);
  });

  it('nothing heard for a session timeout: look the coordinator up again, keep the assignment, restart the clock', () => {
    const c = clock();
    let state = stableAt(c.now());
    // Exactly a session timeout is not yet past it.
    assert.deepEqual(types(step(state, tick(c.advance(SESSION_MS))).effects), ['heartbeat']);
    const t = step(state, tick(c.advance(1)));
    assert.deepEqual(t.effects, [{ type: 'find-coordinator' }, { type: 'heartbeat', generationId: 1, memberId: 'm1' }]);
    state = t.state;
    assert.equal(state.phase, 'stable');
    assert.deepEqual(state.owned, tps(0), 'only the coordinator can say the member expired');
    assert.equal(state.aliveAt, c.now());
    assert.deepEqual(types(step(state, tick(c.advance(SESSION_MS))).effects), ['heartbeat'], 'not looked up again at every tick');
    assert.deepEqual(types(step(state, tick(c.advance(1))).effects), ['find-coordinator', 'heartbeat'], 'but again after another silent session');
  });

  it('a sign of life (heartbeat, join or sync answered) restarts the session clock', () => {
    const c = clock();
    let state = stableAt(c.now());
    c.advance(SESSION_MS - 1);
    state = step(state, { type: 'alive', at: c.now() }).state;
    assert.deepEqual(types(step(state, tick(c.advance(SESSION_MS))).effects), ['heartbeat']);
    assert.deepEqual(types(step(state, tick(c.advance(1))).effects), ['find-coordinator', 'heartbeat']);
  });

  it('UNKNOWN_MEMBER_ID from the coordinator after a silent session is what loses the assignment', () => {
    const c = clock();
    const silent = step(stableAt(c.now()), tick(c.advance(SESSION_MS + 1))).state;
    const t = step(silent, { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 25 });
    assert.deepEqual(types(t.effects), ['lose', 'join']);
  });

  it('a stable leader also checks partition counts at each tick', () => {
    const c = clock();
    const leader = stableAt(c.now(), 'm1');
    assert.deepEqual(types(step(leader, tick(c.advance(3_000))).effects), ['heartbeat', 'check-partitions']);
    assert.deepEqual(types(step(leader, tick(c.now(), { heartbeatInFlight: true })).effects), ['check-partitions']);
    const rejoining = step(leader, { type: 'rejoin', reason: 'x' }).state;
    assert.deepEqual(types(step(rejoining, tick(c.now())).effects), ['heartbeat'], 'not while rebalancing');
  });

  it('the session timeout is the one the member was created with (45 s, the Kafka default, when not given)', () => {
    assert.equal(initialMembershipState(false).sessionTimeoutMs, 45_000);
    assert.equal(initialMembershipState(true, 6_000).sessionTimeoutMs, 6_000);
  });
});

describe('membership state: stop', () => {
  it('revokes, leaves, stops; a static member may skip the leave', () => {
    const stable = stableMember(false, tps(0, 1));
    assert.deepEqual(step(stable, { type: 'stop', leave: true }).effects, [{ type: 'revoke', partitions: tps(0, 1) }, { type: 'leave' }, { type: 'stopped' }]);
    assert.deepEqual(types(step(stable, { type: 'stop', leave: false }).effects), ['revoke', 'stopped']);
    const stopped = step(stable, { type: 'stop', leave: true }).state;
    assert.equal(stopped.phase, 'stopped');
    assert.deepEqual(step(stopped, { type: 'stop', leave: true }).effects, [], 'idempotent');
    assert.deepEqual(step(stopped, { type: 'heartbeat-response', generationId: 1, memberId: 'm1', errorCode: 27 }).effects, []);
  });

  it('before joining, or without a member id, there is nothing to leave', () => {
    assert.deepEqual(step(initialMembershipState(false), { type: 'stop', leave: true }).effects, [{ type: 'stopped' }]);
    const joining = step(initialMembershipState(false), { type: 'start' }).state;
    assert.deepEqual(step(joining, { type: 'stop', leave: true }).effects, [{ type: 'stopped' }]);
  });
});

describe('classifyGroupError', () => {
  it('sorts the codes a member meets', () => {
    assert.equal(classifyGroupError(0), 'none');
    assert.equal(classifyGroupError(16), 'transient');
    assert.equal(classifyGroupError(14), 'transient');
    assert.equal(classifyGroupError(27), 'rebalance');
    assert.equal(classifyGroupError(22), 'illegal-generation');
    assert.equal(classifyGroupError(25), 'unknown-member');
    assert.equal(classifyGroupError(82), 'fenced-instance');
    assert.equal(classifyGroupError(79), 'member-id-required');
    assert.equal(classifyGroupError(30), 'fatal', 'GROUP_AUTHORIZATION_FAILED');
    assert.equal(classifyGroupError(9999), 'fatal', 'unknown codes are not retried blindly');
  });
});
