/**
 * HeartbeatSender against a scripted coordinator: one heartbeat in flight at a time, the body per
 * version, and what each answer tells the driver (alive, refused, or nothing for a lost connection).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heartbeatBody, heartbeatOutcome, HeartbeatSender, type HeartbeatInputs } from '../../src/group/heartbeat.js';
import type { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { ConnectionError } from '../../src/network/errors.js';
import type { ResponseOut } from '../../src/protocol/schema.js';

/** A coordinator whose heartbeats wait until the test answers them, and what the sender told the driver. */
function harness() {
  const sent: { body: unknown; answer: (errorCode: number) => void; fail: (err: Error) => void }[] = [];
  const told: string[] = [];
  const coordinator: HeartbeatInputs['coordinator'] = {
    request: ((_api: unknown, build: (v: number) => unknown) =>
      new Promise<{ response: ResponseOut<typeof Heartbeat>; version: number }>((resolve, reject) => {
        sent.push({ body: build(4), answer: (errorCode) => resolve({ response: { throttleTimeMs: 0, errorCode }, version: 4 }), fail: reject });
      })) as unknown as HeartbeatInputs['coordinator']['request'],
  };
  const sender = new HeartbeatSender({
    coordinator,
    groupId: 'g',
    groupInstanceId: 'pod-0',
    timeoutMs: 5_000,
    alive: () => told.push('alive'),
    refused: (generationId, memberId, errorCode) => told.push(`refused ${generationId} ${memberId} ${errorCode}`),
  });
  return { sender, sent, told };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('heartbeat', () => {
  it('the instance id goes only from v3, where the field exists', () => {
    const member = { groupId: 'g', groupInstanceId: 'pod-0', memberId: 'm1' };
    assert.deepEqual(heartbeatBody(member, 7)(3), { groupId: 'g', generationId: 7, memberId: 'm1', groupInstanceId: 'pod-0' });
    assert.equal(heartbeatBody(member, 7)(2).groupInstanceId, null);
  });

  it('answers: 0 and REBALANCE_IN_PROGRESS mean the coordinator knows the member; every error goes to the state machine', () => {
    assert.deepEqual(heartbeatOutcome(0), { alive: true, refused: false });
    assert.deepEqual(heartbeatOutcome(27), { alive: true, refused: true });
    assert.deepEqual(heartbeatOutcome(25), { alive: false, refused: true });
    assert.deepEqual(heartbeatOutcome(16), { alive: false, refused: true });
  });

  it('one in flight at a time; each answer reported as its generation and member', async () => {
    const { sender, sent, told } = harness();
    sender.send(1, 'm1');
    sender.send(1, 'm1');
    assert.equal(sent.length, 1, 'the second waits for the first answer');
    assert.equal(sender.inFlight, true);
    assert.deepEqual(sent[0]?.body, { groupId: 'g', generationId: 1, memberId: 'm1', groupInstanceId: 'pod-0' });
    sent[0]?.answer(0);
    await settle();
    assert.equal(sender.inFlight, false);
    assert.deepEqual(told, ['alive']);

    sender.send(2, 'm1');
    sent[1]?.answer(27);
    await settle();
    sender.send(2, 'm1');
    sent[2]?.answer(25);
    await settle();
    assert.deepEqual(told, ['alive', 'alive', 'refused 2 m1 27', 'refused 2 m1 25']);
    assert.equal(sender.sent, 3);
  });

  it('a lost connection tells nothing (the session clock decides) and frees the next heartbeat', async () => {
    const { sender, sent, told } = harness();
    sender.send(1, 'm1');
    sent[0]?.fail(new ConnectionError('gone'));
    await settle();
    assert.deepEqual(told, []);
    assert.equal(sender.inFlight, false);
    sender.send(1, 'm1');
    assert.equal(sent.length, 2);
  });
});
