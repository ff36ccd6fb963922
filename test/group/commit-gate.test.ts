/**
 * CommitGate: commits only of owned (or revoking) partitions in a generation, held while a
 * rebalance is in flight, retried once in the new generation when a rebalance overtook them, and a
 * fencing refusal reported to the member at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyCommitFailure, CommitGate, notOwnedPartitions, type CommittingMember } from '../../src/group/commit-gate.js';
import { PartitionNotOwnedError } from '../../src/group/errors.js';
import type { OffsetToCommit } from '../../src/group/membership-contracts.js';
import type { CommitIdentity } from '../../src/group/offsets.js';
import { ConnectionError } from '../../src/network/errors.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';

const tp = (partition: number) => ({ topic: 't', partition });
const offset = (partition: number, at = 10): OffsetToCommit => ({ topic: 't', partition, offset: at, leaderEpoch: -1 });

/**
 * A gate over a member the test changes, whose sends answer from `answers` in turn (undefined:
 * committed); `onSend` runs as each commit reaches the coordinator.
 */
function harness(member: CommittingMember, answers: (Error | undefined)[] = [], onSend: (m: CommittingMember) => void = () => undefined) {
  const sends: CommitIdentity[] = [];
  const fenced: string[] = [];
  const gate = new CommitGate({
    groupId: 'g',
    groupInstanceId: null,
    settleTimeoutMs: 60_000,
    member: () => member,
    send: async (identity) => {
      sends.push(identity);
      onSend(member);
      const answer = answers.shift();
      if (answer) throw answer;
    },
    fenced: (identity, code) => fenced.push(`${identity.generationId} ${identity.memberId} ${code}`),
  });
  return { gate, sends, fenced, member };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('commit gate: decisions', () => {
  it('not owned: neither owned now nor being revoked, each partition once', () => {
    assert.deepEqual(notOwnedPartitions([tp(0), tp(1), tp(2), tp(2)], [tp(0)], [tp(1)]), [tp(2)]);
    assert.deepEqual(notOwnedPartitions([tp(0)], [tp(0)], []), []);
  });

  it('failures: ILLEGAL_GENERATION of a generation left behind is moved-on, in the current one fenced', () => {
    assert.equal(classifyCommitFailure(new KafkaError(22), 1, 2, false), 'moved-on', 'the generation moved on');
    assert.equal(classifyCommitFailure(new KafkaError(22), 1, 1, true), 'moved-on', 'a rebalance is in flight');
    assert.equal(classifyCommitFailure(new KafkaError(22), 1, 1, false), 'fenced');
    assert.equal(classifyCommitFailure(new KafkaError(25), 1, 2, true), 'fenced', 'UNKNOWN_MEMBER_ID fences whatever the generation');
    assert.equal(classifyCommitFailure(new KafkaError(82), 1, 1, false), 'fenced');
    assert.equal(classifyCommitFailure(new KafkaError(27), 1, 1, false), 'rebalancing');
    assert.equal(classifyCommitFailure(new ConnectionError('gone'), 1, 1, false), 'other');
    assert.equal(classifyCommitFailure(new KafkaError(ErrorCode.STALE_MEMBER_EPOCH), 4, 5, false), 'moved-on', 'KIP-848: a newer epoch is known');
    assert.equal(classifyCommitFailure(new KafkaError(ErrorCode.STALE_MEMBER_EPOCH), 5, 5, false), 'stale', 'KIP-848: the newer epoch is on its way');
    assert.equal(classifyCommitFailure(new KafkaError(ErrorCode.FENCED_MEMBER_EPOCH), 5, 5, false), 'fenced');
  });
});

describe('commit gate: commits', () => {
  it('sends owned and revoking partitions as the current generation and member; refuses others without sending', async () => {
    const { gate, sends } = harness({ generationId: 3, memberId: 'm1', owned: [tp(0)] });
    gate.setRevoking([tp(1)]);
    await gate.commit([offset(0), offset(1)]);
    assert.deepEqual(sends, [{ generationId: 3, memberId: 'm1', groupInstanceId: null }]);
    gate.setRevoking([]);
    await assert.rejects(gate.commit([offset(1)]), (err: unknown) => err instanceof PartitionNotOwnedError && err.partitions.length === 1);
    assert.equal(sends.length, 1, 'nothing sent');
  });

  it('no generation: refused; nothing to commit: nothing sent', async () => {
    const { gate, sends } = harness({ generationId: -1, memberId: '', owned: [tp(0)] });
    await assert.rejects(gate.commit([offset(0)]), PartitionNotOwnedError);
    await gate.commit([]);
    assert.equal(sends.length, 0);
  });

  it('waits for a rebalance in flight and goes in the generation it ends in', async () => {
    const h = harness({ generationId: 1, memberId: 'm1', owned: [tp(0)] });
    h.gate.setRebalancing(true);
    let done = false;
    const commit = h.gate.commit([offset(0)]).then(() => (done = true));
    await settle();
    assert.equal(h.sends.length, 0, 'held');
    h.member.generationId = 2;
    h.gate.setRebalancing(false);
    await commit;
    assert.ok(done);
    assert.deepEqual(h.sends.map((s) => s.generationId), [2]);
  });

  it('REBALANCE_IN_PROGRESS: retried once, after the rebalance ends, if the partition stayed', async () => {
    const h = harness({ generationId: 1, memberId: 'm1', owned: [tp(0)] }, [new KafkaError(27)]);
    await h.gate.commit([offset(0)]);
    assert.equal(h.sends.length, 2);
    assert.deepEqual(h.fenced, []);

    // The rebalance that answered REBALANCE_IN_PROGRESS gave the partition to another member.
    const moved = harness({ generationId: 1, memberId: 'm1', owned: [tp(0)] }, [new KafkaError(27)], (m) => {
      m.owned = [];
      m.generationId = 2;
    });
    await assert.rejects(moved.gate.commit([offset(0)]), PartitionNotOwnedError);
    assert.equal(moved.sends.length, 1, 'not sent again');
  });

  it('ILLEGAL_GENERATION for a generation a rebalance left: retried in the new one, the member not told it was fenced', async () => {
    // The coordinator moved on to generation 2 while the commit of generation 1 was on its way.
    const h = harness({ generationId: 1, memberId: 'm1', owned: [tp(0)] }, [new KafkaError(22)], (m) => (m.generationId = 2));
    await h.gate.commit([offset(0)]);
    assert.deepEqual(h.sends.map((s) => s.generationId), [1, 2]);
    assert.deepEqual(h.fenced, []);
  });

  it('fenced in the current generation: the member is told at once, the commit rejects, no retry', async () => {
    const h = harness({ generationId: 4, memberId: 'm1', owned: [tp(0)] }, [new KafkaError(25)]);
    await assert.rejects(h.gate.commit([offset(0)]), (err: unknown) => err instanceof KafkaError && err.errorCode === 25);
    assert.deepEqual(h.fenced, ['4 m1 25']);
    assert.equal(h.sends.length, 1);
  });

  it('other failures pass through untouched', async () => {
    const lost = new ConnectionError('gone');
    const h = harness({ generationId: 4, memberId: 'm1', owned: [tp(0)] }, [lost]);
    await assert.rejects(h.gate.commit([offset(0)]), (err: unknown) => err === lost);
    assert.equal(h.sends.length, 1);
  });
});
