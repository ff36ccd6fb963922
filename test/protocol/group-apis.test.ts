/**
 * The group APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetFetch, OffsetCommit,
 * DescribeGroups, ListGroups) at every version we speak: round trips of representative requests
 * and responses, every response cut at every byte boundary, bytes computed by hand from Kafka's
 * specs for the version-dependent shapes, and random bytes fed to the decoders.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DescribeGroups } from '../../src/protocol/apis/describe-groups.js';
import { Heartbeat } from '../../src/protocol/apis/heartbeat.js';
import { JoinGroup } from '../../src/protocol/apis/join-group.js';
import { LeaveGroup } from '../../src/protocol/apis/leave-group.js';
import { ListGroups } from '../../src/protocol/apis/list-groups.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { SyncGroup } from '../../src/protocol/apis/sync-group.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, isFlexible } from '../../src/protocol/frame.js';
import { Reader } from '../../src/protocol/reader.js';
import type { AnyApi, Codec } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';
import { expectedAfterRoundTrip, sampleValue, seeded, versionsOf } from './golden/samples.js';

type AnyCodec = Codec<unknown, unknown>;

const GROUP_APIS: AnyApi[] = [OffsetCommit, OffsetFetch, JoinGroup, Heartbeat, LeaveGroup, SyncGroup, DescribeGroups, ListGroups] as unknown as AnyApi[];

/** [min, max, first flexible] as in Kafka 4.4's specs, from the lowest a Kafka 4.0 broker accepts. */
const EXPECTED: Record<string, [number, number, number, number]> = {
  OffsetCommit: [8, 2, 10, 8],
  OffsetFetch: [9, 1, 10, 6],
  JoinGroup: [11, 0, 9, 6],
  Heartbeat: [12, 0, 4, 4],
  LeaveGroup: [13, 0, 5, 4],
  SyncGroup: [14, 0, 5, 4],
  DescribeGroups: [15, 0, 6, 5],
  ListGroups: [16, 0, 5, 3],
};

const GROUP_FLEXIBLE_FROM = new Map(GROUP_APIS.map((a) => [a.apiKey, a.flexibleFrom]));

/** Encodes a request body alone (no frame) at `version`. */
function requestBytes(api: AnyApi, version: number, value: unknown): Buffer {
  const w = new Writer();
  (api.request as AnyCodec).write(w, value, version, isFlexible(api, version));
  return Buffer.from(w.finish());
}

/** Decodes a request body alone, checking every byte is used. */
function readRequest(api: AnyApi, version: number, bytes: Buffer): Record<string, unknown> {
  const r = new Reader(bytes);
  const out = (api.request as AnyCodec).read(r, version, isFlexible(api, version)) as Record<string, unknown>;
  assert.equal(r.remaining, 0, 'request fully consumed');
  return out;
}

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

describe('group API definitions', () => {
  it('have the keys, versions and flexible versions of the specs', () => {
    for (const api of GROUP_APIS) {
      assert.deepEqual([api.apiKey, api.minVersion, api.maxVersion, api.flexibleFrom], EXPECTED[api.name], api.name);
    }
  });
});

for (const api of GROUP_APIS) {
  describe(`${api.name} (key ${api.apiKey}) round trips`, () => {
    for (const version of versionsOf(api)) {
      const flexible = isFlexible(api, version);
      const random = seeded(api.apiKey * 7919 + version);
      const request = sampleValue(api.request as AnyCodec, random);
      const response = sampleValue(api.response as AnyCodec, random);

      it(`v${version} request survives encode → decode`, () => {
        const frame = encodeRequest(api as never, version, 11, 'group-test', request as never);
        assert.equal(frame.readInt32BE(0), frame.length - 4);
        const { header, body } = decodeRequestHeader(frame.subarray(4), (key) => GROUP_FLEXIBLE_FROM.get(key) ?? Infinity);
        assert.deepEqual(header, { apiKey: api.apiKey, apiVersion: version, correlationId: 11, clientId: 'group-test' });
        const decoded = (api.request as AnyCodec).read(body, version, flexible);
        assert.equal(body.remaining, 0);
        assert.deepEqual(decoded, expectedAfterRoundTrip(api.request as AnyCodec, request, version, flexible));
      });

      it(`v${version} response survives encode → decode; every truncation throws ProtocolError`, () => {
        const frame = Buffer.from(encodeResponse(api as never, version, 99, response as never));
        const body = frame.subarray(4);
        const decoded = decodeResponse(api, version, body);
        assert.deepEqual(decoded, expectedAfterRoundTrip(api.response as AnyCodec, response, version, flexible));
        assert.ok(Buffer.from(encodeResponse(api as never, version, 99, decoded as never)).equals(frame), 're-encodes to the same bytes');
        for (let cut = 0; cut < body.length; cut++) {
          const truncated = Buffer.from(body.subarray(0, cut));
          assert.throws(
            () => decodeResponse(api, version, truncated),
            (err: unknown) => err instanceof ProtocolError,
            `${api.name} v${version} cut at ${cut} of ${body.length}`,
          );
        }
      });
    }
  });
}

describe('group API bytes by hand', () => {
  it('Heartbeat v0 (plain) and v4 (flexible, with an instance id)', () => {
    const v0 = requestBytes(Heartbeat as unknown as AnyApi, 0, { groupId: 'g', generationId: 5, memberId: 'm' });
    assert.deepEqual(v0, hex('0001 67  00000005  0001 6d'));
    const v4 = requestBytes(Heartbeat as unknown as AnyApi, 4, { groupId: 'g', generationId: 5, memberId: 'm', groupInstanceId: 'i' });
    assert.deepEqual(v4, hex('02 67  00000005  02 6d  02 69  00'));
    // v2 has no instance id field: it is not written even when given.
    const v2 = requestBytes(Heartbeat as unknown as AnyApi, 2, { groupId: 'g', generationId: 5, memberId: 'm', groupInstanceId: 'i' });
    assert.deepEqual(v2, v0);
  });

  it('OffsetCommit v9 names topics, v10 identifies them by id', () => {
    const topicId = Buffer.alloc(16, 0xab).toString('base64url');
    const value = {
      groupId: 'g',
      generationIdOrMemberEpoch: 3,
      memberId: 'm',
      topics: [{ name: 't', topicId, partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: null }] }],
    };
    const tail = '02  00000000  000000000000002a  ffffffff  00  00  00  00';
    const v9 = requestBytes(OffsetCommit as unknown as AnyApi, 9, value);
    assert.deepEqual(v9, hex(`02 67  00000003  02 6d  00  02  02 74 ${tail}`));
    const v10 = requestBytes(OffsetCommit as unknown as AnyApi, 10, value);
    assert.deepEqual(v10, hex(`02 67  00000003  02 6d  00  02  ${'ab'.repeat(16)} ${tail}`));
    const decoded = readRequest(OffsetCommit as unknown as AnyApi, 10, v10) as { topics: { name: string; topicId: string }[] };
    assert.equal(decoded.topics[0]?.name, '', 'no name on the wire at v10');
    assert.equal(decoded.topics[0]?.topicId, topicId);
  });

  it('OffsetCommit v2-v4 carry the retention time (default -1), v5+ do not', () => {
    const value = { groupId: 'g', memberId: 'm', topics: [] };
    const v2 = requestBytes(OffsetCommit as unknown as AnyApi, 2, value);
    // group, generation -1 (default), member, retention -1 (default), no topics.
    assert.deepEqual(v2, hex('0001 67  ffffffff  0001 6d  ffffffffffffffff  00000000'));
    const v5 = requestBytes(OffsetCommit as unknown as AnyApi, 5, value);
    assert.deepEqual(v5, hex('0001 67  ffffffff  0001 6d  00000000'));
  });

  it('OffsetFetch v7 asks for one group, v8 batches groups', () => {
    const v7 = requestBytes(OffsetFetch as unknown as AnyApi, 7, {
      groupId: 'g',
      topics: [{ name: 't', partitionIndexes: [0, 1] }],
      requireStable: true,
    });
    assert.deepEqual(v7, hex('02 67  02  02 74  03 00000000 00000001  00  01  00'));
    const v8 = requestBytes(OffsetFetch as unknown as AnyApi, 8, {
      groups: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }],
      requireStable: true,
    });
    assert.deepEqual(v8, hex('02  02 67  02  02 74  03 00000000 00000001  00  00  01  00'));
  });

  it('OffsetFetch topics: null asks for all topics, left out means none (the spec default)', () => {
    const all = readRequest(OffsetFetch as unknown as AnyApi, 8, requestBytes(OffsetFetch as unknown as AnyApi, 8, { groups: [{ groupId: 'g', topics: null }] }));
    assert.equal((all.groups as { topics: unknown }[])[0]?.topics, null);
    const none = readRequest(OffsetFetch as unknown as AnyApi, 8, requestBytes(OffsetFetch as unknown as AnyApi, 8, { groups: [{ groupId: 'g' }] }));
    assert.deepEqual((none.groups as { topics: unknown }[])[0]?.topics, []);
    const v2all = requestBytes(OffsetFetch as unknown as AnyApi, 2, { groupId: 'g', topics: null });
    assert.deepEqual(v2all, hex('0001 67  ffffffff'));
  });

  it('OffsetFetch v10 responses identify topics by id; absent fields decode to defaults', () => {
    const topicId = Buffer.alloc(16, 0x11).toString('base64url');
    const frame = encodeResponse(OffsetFetch as never, 10, 1, {
      groups: [{ groupId: 'g', topics: [{ topicId, partitions: [{ partitionIndex: 2, committedOffset: 7n, metadata: null, errorCode: 0 }] }] }],
    } as never);
    const decoded = decodeResponse(OffsetFetch, 10, frame.subarray(4));
    assert.deepEqual(decoded.topics, []);
    assert.equal(decoded.errorCode, 0);
    assert.deepEqual(decoded.groups, [
      {
        groupId: 'g',
        errorCode: 0,
        topics: [{ name: '', topicId, partitions: [{ partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] }],
      },
    ]);
  });

  it('LeaveGroup v2 names one member, v3+ a batch', () => {
    const v2 = requestBytes(LeaveGroup as unknown as AnyApi, 2, { groupId: 'g', memberId: 'm' });
    assert.deepEqual(v2, hex('0001 67  0001 6d'));
    const v3 = requestBytes(LeaveGroup as unknown as AnyApi, 3, { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: 'i' }] });
    assert.deepEqual(v3, hex('0001 67  00000001  0001 6d  0001 69'));
    const v5 = requestBytes(LeaveGroup as unknown as AnyApi, 5, { groupId: 'g', members: [{ memberId: 'm', reason: 'bye' }] });
    assert.deepEqual(v5, hex('02 67  02  02 6d  00  04 627965  00  00'));
  });

  it('JoinGroup: v0 has no rebalance timeout, v5 adds the instance id, v8 the reason', () => {
    const base = {
      groupId: 'g',
      sessionTimeoutMs: 10,
      rebalanceTimeoutMs: 20,
      memberId: '',
      groupInstanceId: 'i',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }],
      reason: 'r',
    };
    const consumer = Buffer.from('consumer').toString('hex');
    const range = Buffer.from('range').toString('hex');
    assert.deepEqual(
      requestBytes(JoinGroup as unknown as AnyApi, 0, base),
      hex(`0001 67  0000000a  0000  0008 ${consumer}  00000001  0005 ${range}  00000002 0102`),
    );
    assert.deepEqual(
      requestBytes(JoinGroup as unknown as AnyApi, 5, base),
      hex(`0001 67  0000000a  00000014  0000  0001 69  0008 ${consumer}  00000001  0005 ${range}  00000002 0102`),
    );
    assert.deepEqual(
      requestBytes(JoinGroup as unknown as AnyApi, 8, base),
      hex(`02 67  0000000a  00000014  01  02 69  09 ${consumer}  02  06 ${range}  03 0102  00  02 72  00`),
    );
  });

  it('JoinGroup v7+ response may carry a null protocol name; v9 the skip-assignment flag', () => {
    const frame = encodeResponse(JoinGroup as never, 9, 1, {
      errorCode: 79,
      protocolName: null,
      leader: '',
      skipAssignment: true,
      memberId: 'm-1',
      members: [],
    } as never);
    const decoded = decodeResponse(JoinGroup, 9, frame.subarray(4));
    assert.equal(decoded.errorCode, 79);
    assert.equal(decoded.generationId, -1, 'spec default');
    assert.equal(decoded.protocolName, null);
    assert.equal(decoded.protocolType, null);
    assert.equal(decoded.skipAssignment, true);
    assert.equal(decoded.memberId, 'm-1');
  });

  it('DescribeGroups: authorized operations default to "not asked for" below v3', () => {
    const frame = encodeResponse(DescribeGroups as never, 2, 1, {
      groups: [{ errorCode: 0, groupId: 'g', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', members: [] }],
    } as never);
    const decoded = decodeResponse(DescribeGroups, 2, frame.subarray(4));
    assert.equal(decoded.groups[0]?.authorizedOperations, -2147483648);
    assert.equal(decoded.groups[0]?.errorMessage, null);
  });

  it('ListGroups v5 request carries both filters', () => {
    const bytes = requestBytes(ListGroups as unknown as AnyApi, 5, { statesFilter: ['Stable'], typesFilter: ['classic'] });
    const stable = Buffer.from('Stable').toString('hex');
    const classic = Buffer.from('classic').toString('hex');
    assert.deepEqual(bytes, hex(`02 07 ${stable}  02 08 ${classic}  00`));
  });
});

describe('group API decoders on random bytes', () => {
  it('either decode or throw ProtocolError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GROUP_APIS),
        fc.nat(20),
        fc.uint8Array({ maxLength: 96 }),
        (api, v, bytes) => {
          const version = api.minVersion + (v % (api.maxVersion - api.minVersion + 1));
          const frame = Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from(bytes)]);
          try {
            decodeResponse(api, version, frame);
          } catch (err) {
            if (!(err instanceof ProtocolError)) throw err;
          }
        },
      ),
      { numRuns: 3000, seed: 424242 },
    );
  });

  it('random mutations of a valid response decode or throw ProtocolError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GROUP_APIS), fc.nat(20), fc.nat(), fc.integer({ min: 0, max: 255 }), (api, v, at, byte) => {
        const version = api.minVersion + (v % (api.maxVersion - api.minVersion + 1));
        const sample = sampleValue(api.response as AnyCodec, seeded(version + at));
        const frame = Buffer.from(encodeResponse(api as never, version, 1, sample as never)).subarray(4);
        frame[4 + (at % Math.max(1, frame.length - 4))] = byte;
        try {
          decodeResponse(api, version, frame);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
        }
      }),
      { numRuns: 2000, seed: 777 },
    );
  });
});
