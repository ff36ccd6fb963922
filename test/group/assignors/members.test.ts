/** From JoinGroup members (consumer-protocol metadata) to assignor input. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ASSIGNORS, assignorMemberFromJoin, encodeCooperativeStickyUserData, isAssignorName } from '../../../src/group/assignors/index.js';
import { encodeSubscription } from '../../../src/protocol/consumer-protocol.js';
import { ProtocolError } from '../../../src/protocol/errors.js';

describe('assignorMemberFromJoin', () => {
  it('takes topics, owned partitions, generation and rack from a v3 subscription', () => {
    const metadata = encodeSubscription({
      topics: ['a', 'b'],
      ownedPartitions: [{ topic: 'a', partitions: [1, 2] }],
      generationId: 9,
      rackId: 'r1',
    });
    assert.deepEqual(assignorMemberFromJoin({ memberId: 'm', groupInstanceId: 'i', metadata }, 'cooperative-sticky'), {
      memberId: 'm',
      groupInstanceId: 'i',
      topics: ['a', 'b'],
      ownedPartitions: [
        { topic: 'a', partition: 1 },
        { topic: 'a', partition: 2 },
      ],
      generation: 9,
      rackId: 'r1',
    });
  });

  it('reads the generation of a v1 cooperative-sticky subscription from its userData', () => {
    const metadata = encodeSubscription({ topics: ['a'], userData: encodeCooperativeStickyUserData(4), ownedPartitions: [{ topic: 'a', partitions: [0] }] }, 1);
    assert.equal(assignorMemberFromJoin({ memberId: 'm', groupInstanceId: null, metadata }, 'cooperative-sticky').generation, 4);
    assert.equal(assignorMemberFromJoin({ memberId: 'm', groupInstanceId: null, metadata }, 'range').generation, -1, 'other assignors give userData no meaning');
  });

  it('treats an empty rack as none', () => {
    const metadata = encodeSubscription({ topics: ['a'], rackId: '' });
    assert.equal(assignorMemberFromJoin({ memberId: 'm', groupInstanceId: null, metadata }, 'range').rackId, null);
  });

  it('refuses metadata that is not a subscription', () => {
    assert.throws(() => assignorMemberFromJoin({ memberId: 'm', groupInstanceId: null, metadata: Buffer.from([0, 1, 0]) }, 'range'), ProtocolError);
  });
});

describe('assignor registry', () => {
  it('has the three assignors under the names the Java client uses', () => {
    assert.deepEqual([...ASSIGNORS.keys()], ['range', 'roundrobin', 'cooperative-sticky']);
    for (const [name, assignor] of ASSIGNORS) assert.equal(assignor.name, name);
    assert.equal(isAssignorName('sticky'), false);
    assert.equal(isAssignorName('roundrobin'), true);
  });
});
