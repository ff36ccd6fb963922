/**
 * The pure member-side protocol helpers: the cooperative diff, the JoinGroup protocols a member
 * offers, the leader's encoded assignment, reading an assignment, and the cooperative rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffAssignment, uniquePartitions, withoutPartitions } from '../../src/group/assignment-diff.js';
import { decodeCooperativeStickyUserData } from '../../src/group/assignors/index.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../src/protocol/consumer-protocol.js';
import { assignGroup, decodeMembers, isCooperative, joinProtocols, readAssignment, subscribedTopics } from '../../src/group/member-protocol.js';
import { ProtocolError } from '../../src/protocol/errors.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

describe('diffAssignment', () => {
  it('splits owned and assigned into revoked, added and kept, sorted and without duplicates', () => {
    const diff = diffAssignment([tp('b', 1), tp('a', 2), tp('a', 0), tp('a', 0)], [tp('a', 2), tp('c', 0), tp('a', 1), tp('c', 0)]);
    assert.deepEqual(diff.revoked, [tp('a', 0), tp('b', 1)]);
    assert.deepEqual(diff.added, [tp('a', 1), tp('c', 0)]);
    assert.deepEqual(diff.kept, [tp('a', 2)]);
  });

  it('tells topics apart even when one name is a prefix of another', () => {
    const diff = diffAssignment([tp('t1', 1)], [tp('t', 11)]);
    assert.deepEqual(diff.revoked, [tp('t1', 1)]);
    assert.deepEqual(diff.added, [tp('t', 11)]);
  });

  it('uniquePartitions and withoutPartitions', () => {
    assert.deepEqual(uniquePartitions([tp('b', 0), tp('a', 3), tp('b', 0)]), [tp('a', 3), tp('b', 0)]);
    assert.deepEqual(withoutPartitions([tp('a', 0), tp('a', 1)], [tp('a', 1)]), [tp('a', 0)]);
  });
});

describe('joinProtocols', () => {
  it('one subscription per assignor, in preference order; cooperative-sticky carries its generation in userData', () => {
    const protocols = joinProtocols(['cooperative-sticky', 'range'], { topics: ['t2', 't1'], owned: [tp('t1', 3), tp('t1', 1)], generationId: 7 });
    assert.deepEqual(protocols.map((p) => p.name), ['cooperative-sticky', 'range']);
    const sticky = decodeSubscription(protocols[0]?.metadata as Buffer);
    assert.deepEqual(sticky.topics, ['t2', 't1']);
    assert.deepEqual(sticky.ownedPartitions, [{ topic: 't1', partitions: [1, 3] }]);
    assert.equal(sticky.generationId, 7);
    assert.equal(sticky.version, 3);
    assert.equal(decodeCooperativeStickyUserData(sticky.userData), 7);
    const range = decodeSubscription(protocols[1]?.metadata as Buffer);
    assert.equal(range.userData, null);
  });

  it('cooperative only when every assignor is (the Java rule)', () => {
    assert.equal(isCooperative(['cooperative-sticky']), true);
    assert.equal(isCooperative(['cooperative-sticky', 'range']), false);
    assert.equal(isCooperative(['roundrobin']), false);
    assert.equal(isCooperative([]), false);
  });
});

describe('leader assignment', () => {
  const member = (memberId: string, topics: string[], groupInstanceId: string | null = null) => ({
    memberId,
    groupInstanceId,
    metadata: encodeSubscription({ topics }),
  });

  it('decodes members, runs the chosen assignor, and encodes an entry for every member', () => {
    const members = decodeMembers('range', [member('b', ['t']), member('a', ['t', 'u']), member('c', ['zz'])]);
    assert.deepEqual(subscribedTopics(members), ['t', 'u', 'zz']);
    const out = assignGroup('range', members, new Map([['t', 3], ['u', 1]]));
    assert.deepEqual(out.map((o) => o.memberId), ['b', 'a', 'c']);
    const decoded = new Map(out.map((o) => [o.memberId, decodeAssignment(o.assignment).assignedPartitions]));
    assert.deepEqual(decoded.get('a'), [{ topic: 't', partitions: [0, 1] }, { topic: 'u', partitions: [0] }]);
    assert.deepEqual(decoded.get('b'), [{ topic: 't', partitions: [2] }]);
    assert.deepEqual(decoded.get('c'), [], 'a topic without metadata is skipped, the member still gets an entry');
  });

  it('a member whose metadata is not a consumer subscription is a ProtocolError naming it', () => {
    assert.throws(
      () => decodeMembers('range', [{ memberId: 'odd', groupInstanceId: null, metadata: Buffer.from([0, 0, 0]) }]),
      (err: unknown) => err instanceof ProtocolError && err.message.includes('odd'),
    );
  });
});

describe('readAssignment', () => {
  it('reads, flattens and sorts; an empty buffer is no partitions', () => {
    const bytes = encodeAssignment({ assignedPartitions: [{ topic: 'b', partitions: [2, 0] }, { topic: 'a', partitions: [1] }] });
    assert.deepEqual(readAssignment(bytes), [tp('a', 1), tp('b', 0), tp('b', 2)]);
    assert.deepEqual(readAssignment(Buffer.alloc(0)), []);
    assert.throws(() => readAssignment(Buffer.from([0, 3, 0])), ProtocolError);
  });
});
