/**
 * bench/rebalance/resumed.ts, the rebalance benchmark's stop watch, on hand-made logs: a change is
 * over at the last first delivery of a partition assigned since it began; partitions that never
 * moved do not count, and one taken away before its first delivery stops waiting.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resumedAfter } from '../../bench/rebalance/resumed.js';
import type { RunLine } from '../helpers/recorder.js';

const T = 't';
const assign = (ts: number, member: string, ...partitions: number[]): RunLine => ({ t: 'assign', ts, member, generation: 1, partitions: partitions.map((partition) => ({ topic: T, partition })) });
const revoke = (ts: number, member: string, ...partitions: number[]): RunLine => ({ t: 'revoke', ts, member, generation: 1, partitions: partitions.map((partition) => ({ topic: T, partition })) });
const deliver = (ts: number, member: string, partition: number): RunLine => ({ t: 'deliver', ts, member, generation: 1, topic: T, partition, offsets: [0], values: ['v'] });

describe('resumedAfter', () => {
  it('ends at the last first delivery of the partitions assigned since the change began', () => {
    const lines = [assign(1, 'm1', 0, 1, 2), deliver(2, 'm1', 0), revoke(10, 'm1', 2), assign(12, 'm2', 2), deliver(13, 'm1', 1), deliver(15, 'm2', 2), deliver(20, 'm2', 2)];
    assert.deepEqual(resumedAfter(lines, 5), { moved: 1, pending: [], at: 15 });
  });

  it('is not over while a moved partition waits for its first delivery', () => {
    const lines = [assign(6, 'm2', 2, 3), deliver(7, 'm2', 2)];
    assert.deepEqual(resumedAfter(lines, 5), { moved: 2, pending: ['m2 t:3'], at: null });
  });

  it('is not over before anything moved, and forgets a partition taken away before its first delivery', () => {
    assert.equal(resumedAfter([deliver(7, 'm1', 0)], 5).at, null);
    const lines = [assign(6, 'm2', 2, 3), deliver(7, 'm2', 2), revoke(8, 'm2', 3), assign(9, 'm3', 3), deliver(11, 'm3', 3)];
    assert.deepEqual(resumedAfter(lines, 5), { moved: 3, pending: [], at: 11 });
  });
});
