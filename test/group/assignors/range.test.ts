/** The range assignor against results worked out by hand from the Java client's algorithm. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assignRange, RangeAssignor } from '../../../src/group/assignors/index.js';
import { groupArbitrary, member, ownersOf, readable, shuffled, subscribedPartitions } from './helpers.js';

const counts = (entries: [string, number][]) => new Map(entries);

describe('range assignor', () => {
  it('is named "range" and eager', () => {
    assert.equal(RangeAssignor.name, 'range');
    assert.equal(RangeAssignor.cooperative, false);
  });

  it('two consumers, two topics of three partitions (the Java javadoc example)', () => {
    const result = assignRange([member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])], counts([['t0', 3], ['t1', 3]]));
    assert.deepEqual(readable(result), { C0: ['t0-0', 't0-1', 't1-0', 't1-1'], C1: ['t0-2', 't1-2'] });
  });

  it('the first partitions % members members take one extra, in consecutive ranges', () => {
    const result = assignRange([member('c2', ['t']), member('c0', ['t']), member('c1', ['t'])], counts([['t', 7]]));
    assert.deepEqual(readable(result), { c0: ['t-0', 't-1', 't-2'], c1: ['t-3', 't-4'], c2: ['t-5', 't-6'] });
  });

  it('more members than partitions leaves the last members empty', () => {
    const result = assignRange([member('a', ['t']), member('b', ['t']), member('c', ['t'])], counts([['t', 2]]));
    assert.deepEqual(readable(result), { a: ['t-0'], b: ['t-1'], c: [] });
  });

  it('each topic is split among its own subscribers only', () => {
    const result = assignRange([member('c0', ['t0']), member('c1', ['t0', 't1'])], counts([['t0', 4], ['t1', 2]]));
    assert.deepEqual(readable(result), { c0: ['t0-0', 't0-1'], c1: ['t0-2', 't0-3', 't1-0', 't1-1'] });
  });

  it('static members come first, by instance id, then dynamic ones by member id', () => {
    const result = assignRange(
      [member('m-0', ['t']), member('m-a', ['t'], { groupInstanceId: 'i-2' }), member('m-b', ['t'], { groupInstanceId: 'i-1' })],
      counts([['t', 3]]),
    );
    assert.deepEqual(readable(result), { 'm-0': ['t-2'], 'm-a': ['t-1'], 'm-b': ['t-0'] });
  });

  it('compares member ids by UTF-16 code units (Java String.compareTo), not by locale', () => {
    const result = assignRange([member('a', ['t']), member('B', ['t'])], counts([['t', 2]]));
    assert.deepEqual(readable(result), { B: ['t-0'], a: ['t-1'] });
  });

  it('skips topics without a partition count and keeps members with nothing', () => {
    const result = assignRange([member('a', ['gone']), member('b', ['t'])], counts([['t', 1]]));
    assert.deepEqual(readable(result), { a: [], b: ['t-0'] });
  });

  it('ignores owned partitions (eager protocol)', () => {
    const owned = member('b', ['t'], { ownedPartitions: [{ topic: 't', partition: 0 }], generation: 4 });
    assert.deepEqual(readable(assignRange([member('a', ['t']), owned], counts([['t', 2]]))), { a: ['t-0'], b: ['t-1'] });
  });

  it('gives every subscribed partition to exactly one subscriber, whatever the input order', () => {
    fc.assert(
      fc.property(groupArbitrary(false), fc.nat(), ({ members, partitionsPerTopic }, seed) => {
        const result = assignRange(members, partitionsPerTopic);
        assert.deepEqual([...ownersOf(members, result).keys()].sort(), subscribedPartitions(members, partitionsPerTopic));
        assert.deepEqual(readable(assignRange(shuffled(members, seed), partitionsPerTopic)), readable(result));
      }),
      { numRuns: 300, seed: 1 },
    );
  });
});
