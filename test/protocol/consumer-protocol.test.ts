/**
 * The embedded consumer protocol: subscription and assignment at every version, bytes computed by
 * hand from Kafka's specs, tolerance of newer versions, and malformed input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CONSUMER_PROTOCOL_MAX_VERSION,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
  flattenTopicPartitions,
  groupByTopic,
} from '../../src/protocol/consumer-protocol.js';
import { ProtocolError } from '../../src/protocol/errors.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const text = (s: string): string => Buffer.from(s).toString('hex');

const full = {
  topics: ['orders', 'payments'],
  userData: Buffer.from([9, 8, 7]),
  ownedPartitions: [
    { topic: 'orders', partitions: [0, 2] },
    { topic: 'payments', partitions: [1] },
  ],
  generationId: 12,
  rackId: 'rack-a',
};

describe('subscription', () => {
  it('round-trips at every version; fields newer than the version decode to their defaults', () => {
    const expected = [
      { ...full, ownedPartitions: [], generationId: -1, rackId: null, version: 0 },
      { ...full, generationId: -1, rackId: null, version: 1 },
      { ...full, rackId: null, version: 2 },
      { ...full, version: 3 },
    ];
    for (let version = 0; version <= CONSUMER_PROTOCOL_MAX_VERSION; version++) {
      assert.deepEqual(decodeSubscription(encodeSubscription(full, version)), expected[version], `v${version}`);
    }
  });

  it('writes v0 as Kafka specifies it: int16 version, topics, nullable userData', () => {
    assert.deepEqual(encodeSubscription({ topics: ['t'] }, 0), hex(`0000  00000001 0001 ${text('t')}  ffffffff`));
  });

  it('writes v3 with owned partitions, generation and rack', () => {
    const bytes = encodeSubscription({ topics: ['t'], userData: null, ownedPartitions: [{ topic: 't', partitions: [4] }], generationId: 2, rackId: 'r' }, 3);
    assert.deepEqual(
      bytes,
      hex(`0003  00000001 0001 ${text('t')}  ffffffff  00000001 0001 ${text('t')} 00000001 00000004  00000002  0001 ${text('r')}`),
    );
    assert.deepEqual(encodeSubscription({ topics: ['t'] }), hex(`0003  00000001 0001 ${text('t')}  ffffffff  00000000  ffffffff  ffff`), 'defaults');
  });

  it('reads a newer version with the v3 layout and ignores what follows, as the Java client does', () => {
    const v3 = encodeSubscription(full, 3);
    const v7 = Buffer.concat([hex('0007'), v3.subarray(2), hex('0000002a cafe babe')]);
    assert.deepEqual(decodeSubscription(v7), { ...full, version: 7 });
  });

  it('refuses a negative version and truncated bytes with ProtocolError', () => {
    assert.throws(() => decodeSubscription(hex('ffff 00000000 ffffffff')), ProtocolError);
    const bytes = encodeSubscription(full, 3);
    for (let cut = 0; cut < bytes.length; cut++) {
      assert.throws(() => decodeSubscription(bytes.subarray(0, cut)), ProtocolError, `cut at ${cut}`);
    }
  });

  it('refuses to write a version it does not know', () => {
    assert.throws(() => encodeSubscription(full, 4), ProtocolError);
    assert.throws(() => encodeSubscription(full, -1), ProtocolError);
  });

  it('user data is a view of the input bytes, not a copy', () => {
    const bytes = encodeSubscription(full, 3);
    const decoded = decodeSubscription(bytes);
    assert.equal(decoded.userData?.buffer, bytes.buffer);
  });
});

describe('assignment', () => {
  const assignment = { assignedPartitions: [{ topic: 't', partitions: [0, 3] }], userData: null };

  it('round-trips at every version', () => {
    for (let version = 0; version <= CONSUMER_PROTOCOL_MAX_VERSION; version++) {
      assert.deepEqual(decodeAssignment(encodeAssignment(assignment, version)), { ...assignment, version });
    }
  });

  it('writes the bytes of the spec', () => {
    assert.deepEqual(
      encodeAssignment({ assignedPartitions: [{ topic: 't', partitions: [1] }], userData: Buffer.from([5]) }, 1),
      hex(`0001  00000001 0001 ${text('t')} 00000001 00000001  00000001 05`),
    );
  });

  it('reads a newer version and ignores trailing bytes', () => {
    const v3 = encodeAssignment(assignment, 3);
    assert.deepEqual(decodeAssignment(Buffer.concat([hex('0004'), v3.subarray(2), hex('01020304')])), { ...assignment, version: 4 });
  });

  it('refuses empty, truncated and negative-version input with ProtocolError', () => {
    assert.throws(() => decodeAssignment(Buffer.alloc(0)), ProtocolError);
    assert.throws(() => decodeAssignment(hex('8000 00000000 ffffffff')), ProtocolError);
    const bytes = encodeAssignment(assignment);
    for (let cut = 0; cut < bytes.length; cut++) assert.throws(() => decodeAssignment(bytes.subarray(0, cut)), ProtocolError);
  });

  it('random bytes decode or throw ProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        for (const decode of [decodeAssignment, decodeSubscription]) {
          try {
            decode(Buffer.from(raw));
          } catch (err) {
            if (!(err instanceof ProtocolError)) throw err;
          }
        }
      }),
      { numRuns: 3000, seed: 5150 },
    );
  });
});

describe('topic-partition helpers', () => {
  it('groupByTopic sorts topics and partitions; flatten undoes it', () => {
    const grouped = groupByTopic([
      { topic: 'b', partition: 2 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
    ]);
    assert.deepEqual(grouped, [
      { topic: 'a', partitions: [1] },
      { topic: 'b', partitions: [0, 2] },
    ]);
    assert.deepEqual(flattenTopicPartitions(grouped), [
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 2 },
    ]);
  });

  it('orders topics by UTF-16 code units as Java does, not by locale', () => {
    assert.deepEqual(
      groupByTopic([
        { topic: 'a', partition: 0 },
        { topic: 'B', partition: 0 },
      ]).map((g) => g.topic),
      ['B', 'a'],
    );
  });
});
