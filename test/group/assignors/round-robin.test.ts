/** The round-robin assignor against results worked out by hand from the Java client's algorithm. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assignRoundRobin, RoundRobinAssignor } from '../../../src/group/assignors/index.js';
import { groupArbitrary, member, ownersOf, readable, shuffled, subscribedPartitions } from './helpers.js';

const counts = (entries: [string, number][]) => new Map(entries);

describe('round-robin assignor', () => {
  it('is named "roundrobin" and eager', () => {
    assert.equal(RoundRobinAssignor.name, 'roundrobin');
    assert.equal(RoundRobinAssignor.cooperative, false);
  });

  it('two consumers, two topics of three partitions (the Java javadoc example)', () => {
    const result = assignRoundRobin([member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])], counts([['t0', 3], ['t1', 3]]));
    assert.deepEqual(readable(result), { C0: ['t0-0', 't0-2', 't1-1'], C1: ['t0-1', 't1-0', 't1-2'] });
  });

  it('skips members not subscribed to a topic (the Java javadoc example)', () => {
    const result = assignRoundRobin(
      [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])],
      counts([['t0', 1], ['t1', 2], ['t2', 3]]),
    );
    assert.deepEqual(readable(result), { C0: ['t0-0'], C1: ['t1-0'], C2: ['t1-1', 't2-0', 't2-1', 't2-2'] });
  });

  it('follows static instance ids, so restarted static members keep their partitions', () => {
    const before = assignRoundRobin(
      [member('C0', ['t0', 't1'], { groupInstanceId: 'I0' }), member('C1', ['t0', 't1'], { groupInstanceId: 'I1' }), member('C2', ['t0', 't1'], { groupInstanceId: 'I2' })],
      counts([['t0', 3], ['t1', 3]]),
    );
    assert.deepEqual(readable(before), { C0: ['t0-0', 't1-0'], C1: ['t0-1', 't1-1'], C2: ['t0-2', 't1-2'] });
    // A rolling bounce gives new member ids; instance ids stay.
    const after = assignRoundRobin(
      [member('C5', ['t0', 't1'], { groupInstanceId: 'I0' }), member('C3', ['t0', 't1'], { groupInstanceId: 'I1' }), member('C4', ['t0', 't1'], { groupInstanceId: 'I2' })],
      counts([['t0', 3], ['t1', 3]]),
    );
    assert.deepEqual(readable(after), { C3: ['t0-1', 't1-1'], C4: ['t0-2', 't1-2'], C5: ['t0-0', 't1-0'] });
  });

  it('continues the cycle across topics', () => {
    const result = assignRoundRobin([member('a', ['x', 'y']), member('b', ['x', 'y']), member('c', ['x', 'y'])], counts([['x', 2], ['y', 2]]));
    assert.deepEqual(readable(result), { a: ['x-0', 'y-1'], b: ['x-1'], c: ['y-0'] });
  });

  it('gives every subscribed partition to one subscriber; identical subscriptions balance within one', () => {
    fc.assert(
      fc.property(groupArbitrary(false), fc.nat(), ({ members, partitionsPerTopic }, seed) => {
        const result = assignRoundRobin(members, partitionsPerTopic);
        assert.deepEqual([...ownersOf(members, result).keys()].sort(), subscribedPartitions(members, partitionsPerTopic));
        assert.deepEqual(readable(assignRoundRobin(shuffled(members, seed), partitionsPerTopic)), readable(result));
      }),
      { numRuns: 300, seed: 2 },
    );
    fc.assert(
      fc.property(groupArbitrary(true), ({ members, partitionsPerTopic }) => {
        const sizes = [...assignRoundRobin(members, partitionsPerTopic).values()].map((l) => l.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`);
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});
