/**
 * Partition counts an assignor must not trust blindly (issue #8, defect 15): a count of 2³¹−1 (the
 * highest index 2³¹−2 plus one, as metadata used to report it) made each assignor allocate an entry
 * per partition until the heap ran out. Every assignor refuses an implausible count with
 * ERR_PROTOCOL naming the topic, before allocating anything, and handles real counts at scale.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ASSIGNORS, type AssignorMember } from '../../../src/group/assignors/index.js';
import { MAX_PARTITIONS_PER_TOPIC } from '../../../src/group/assignors/member-order.js';
import { KafkaStageError } from '../../../src/errors.js';
import { member, ownersOf, subscribedPartitions } from './helpers.js';

const members: AssignorMember[] = [member('c0', ['good', 'bad']), member('c1', ['good', 'bad']), member('c2', ['good'])];

function refusedFor(topic: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof KafkaStageError, `a KafkaStageError, got ${String(err)}`);
    assert.equal(err.code, 'ERR_PROTOCOL');
    assert.equal(err.context.topic, topic);
    assert.match(err.message, new RegExp(topic));
    return true;
  };
}

for (const [name, assignor] of ASSIGNORS) {
  describe(`${name} assignor, defect 15: implausible partition counts`, () => {
    for (const count of [2 ** 31 - 1, 2 ** 31 - 2, MAX_PARTITIONS_PER_TOPIC + 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses a count of ${count} with ERR_PROTOCOL naming the topic, allocating nothing by it`, () => {
        const before = process.memoryUsage().heapUsed;
        assert.throws(() => assignor.assign(members, new Map([['good', 6], ['bad', count]])), refusedFor('bad'));
        assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
      });
    }

    it('ignores the count of a topic nobody subscribes to (as Java, only subscribed topics are assigned)', () => {
      const result = assignor.assign(members, new Map([['good', 6], ['elsewhere', 2 ** 31 - 1]]));
      assert.deepEqual([...ownersOf(members, result).keys()].sort(), subscribedPartitions(members, new Map([['good', 6]])));
    });

    it('at scale: 64 topics of 1100 partitions over 3 members, every partition given exactly once', () => {
      const topics = Array.from({ length: 64 }, (_, i) => `t${String(i).padStart(2, '0')}`);
      const many = ['a', 'b', 'c'].map((id) => member(id, topics));
      const counts = new Map(topics.map((t) => [t, 1100]));
      const result = assignor.assign(many, counts);
      const owners = ownersOf(many, result);
      assert.equal(owners.size, 64 * 1100);
      assert.deepEqual([...owners.keys()].sort(), subscribedPartitions(many, counts));
      const sizes = many.map((m) => result.get(m.memberId)?.length ?? 0);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= (name === 'range' ? 64 : 1), `balanced: ${sizes.join(', ')}`);
    });
  });
}
