/**
 * Every API definition at every version we speak: representative requests and responses survive
 * encode → decode, and every response frame cut short at any byte boundary fails with ProtocolError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_APIS, apiByKey } from '../../src/protocol/apis/index.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse, isFlexible } from '../../src/protocol/frame.js';
import type { AnyApi, Codec } from '../../src/protocol/schema.js';
import { expectedAfterRoundTrip, sampleValue, seeded, versionsOf } from './golden/samples.js';

type AnyCodec = Codec<unknown, unknown>;

/** The versions we chose (lowest a Kafka 4.0 broker accepts .. highest stable in Kafka 4.4's specs). */
const EXPECTED_RANGES: Record<string, [number, number]> = {
  Produce: [3, 13],
  Fetch: [4, 18],
  ListOffsets: [1, 11],
  Metadata: [0, 13],
  FindCoordinator: [0, 6],
  ApiVersions: [0, 4],
  CreateTopics: [2, 7],
  DeleteTopics: [1, 6],
  InitProducerId: [0, 5],
  DescribeConfigs: [1, 4],
  CreatePartitions: [0, 3],
  OffsetCommit: [2, 10],
  OffsetFetch: [1, 10],
  JoinGroup: [0, 9],
  Heartbeat: [0, 4],
  LeaveGroup: [0, 5],
  SyncGroup: [0, 5],
  DescribeGroups: [0, 6],
  ListGroups: [0, 5],
  DeleteGroups: [0, 3],
  IncrementalAlterConfigs: [0, 1],
  SaslHandshake: [1, 1],
  SaslAuthenticate: [0, 2],
  ConsumerGroupHeartbeat: [0, 1],
  ConsumerGroupDescribe: [0, 1],
};

function flexibleFromOf(key: number): number {
  return apiByKey(key)?.flexibleFrom ?? Infinity;
}

function roundTripRequest(api: AnyApi, version: number, value: unknown): unknown {
  const frame = encodeRequest(api as never, version, 7, 'round-trip', value as never);
  assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
  const { header, body } = decodeRequestHeader(frame.subarray(4), flexibleFromOf);
  assert.deepEqual(header, { apiKey: api.apiKey, apiVersion: version, correlationId: 7, clientId: 'round-trip' });
  const decoded = (api.request as AnyCodec).read(body, version, isFlexible(api, version));
  assert.equal(body.remaining, 0, 'request body fully consumed');
  return decoded;
}

describe('API registry', () => {
  it('lists each API once, by key, with the chosen version ranges', () => {
    assert.deepEqual(
      ALL_APIS.map((a) => a.apiKey),
      [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 22, 32, 36, 37, 42, 44, 68, 69],
    );
    for (const api of ALL_APIS) {
      assert.deepEqual([api.minVersion, api.maxVersion], EXPECTED_RANGES[api.name], api.name);
      assert.equal(apiByKey(api.apiKey), api);
    }
    // UpdateFeatures (key 57) is a real Kafka API, and one a client library has no reason to speak.
    assert.equal(apiByKey(57), undefined);
    assert.equal(ALL_APIS.length, Object.keys(EXPECTED_RANGES).length);
  });

  it('refuses to encode a version outside the range we speak', () => {
    const produce = apiByKey(0) as AnyApi;
    assert.throws(() => encodeRequest(produce as never, 2, 1, null, {} as never), ProtocolError);
  });
});

for (const api of ALL_APIS) {
  describe(`${api.name} (key ${api.apiKey})`, () => {
    for (const version of versionsOf(api)) {
      const flexible = isFlexible(api, version);
      const random = seeded(api.apiKey * 1000 + version);
      const request = sampleValue(api.request as AnyCodec, random);
      const response = sampleValue(api.response as AnyCodec, random);

      it(`v${version} request round trip`, () => {
        const decoded = roundTripRequest(api, version, request);
        assert.deepEqual(decoded, expectedAfterRoundTrip(api.request as AnyCodec, request, version, flexible));
      });

      it(`v${version} request encodes the same value to the same bytes twice`, () => {
        const a = encodeRequest(api as never, version, 1, null, request as never);
        const b = encodeRequest(api as never, version, 1, null, roundTripRequest(api, version, request) as never);
        assert.ok(a.equals(b));
      });

      it(`v${version} response round trip, and every truncation throws ProtocolError`, () => {
        const frame = Buffer.from(encodeResponse(api as never, version, 42, response as never));
        assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
        const body = frame.subarray(4);
        const decoded = decodeResponse(api, version, body);
        assert.deepEqual(decoded, expectedAfterRoundTrip(api.response as AnyCodec, response, version, flexible));
        // Re-encoding the decoded value gives the same bytes.
        assert.ok(Buffer.from(encodeResponse(api as never, version, 42, decoded as never)).equals(frame));

        for (let cut = 0; cut < body.length; cut++) {
          const truncated = Buffer.from(body.subarray(0, cut));
          assert.throws(
            () => decodeResponse(api, version, truncated),
            (err: unknown) => err instanceof ProtocolError,
            `${api.name} v${version} cut at ${cut} of ${body.length} bytes`,
          );
        }
        // One byte too many is refused as well.
        assert.throws(() => decodeResponse(api, version, Buffer.concat([body, Buffer.of(0)])), ProtocolError);
      });
    }
  });
}

describe('defaults from the specs', () => {
  it('Fetch request fields left out take the spec defaults', () => {
    const fetch = apiByKey(1) as AnyApi;
    for (const version of [4, 12, 15, 18]) {
      const value = {
        maxWaitMs: 500,
        minBytes: 1,
        topics: [{ topic: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ partition: 0, fetchOffset: 5n, partitionMaxBytes: 1024 }] }],
      };
      const decoded = roundTripRequest(fetch, version, value) as Record<string, unknown>;
      assert.equal(decoded.replicaId, -1);
      assert.equal(decoded.maxBytes, 0x7fffffff);
      assert.equal(decoded.isolationLevel, 0);
      assert.equal(decoded.sessionId, 0);
      assert.equal(decoded.sessionEpoch, -1);
      assert.equal(decoded.rackId, '');
      assert.equal(decoded.clusterId, null);
      assert.deepEqual(decoded.replicaState, { replicaId: -1, replicaEpoch: -1n });
      const [topic] = decoded.topics as { partitions: Record<string, unknown>[] }[];
      const [p] = topic?.partitions ?? [];
      assert.deepEqual(p, {
        partition: 0,
        currentLeaderEpoch: -1,
        fetchOffset: 5n,
        lastFetchedEpoch: -1,
        logStartOffset: -1n,
        partitionMaxBytes: 1024,
        replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
        highWatermark: 9223372036854775807n,
      });
    }
  });

  it('Metadata v4+ asks not to auto-create topics only when told', () => {
    const metadata = apiByKey(3) as AnyApi;
    const decoded = roundTripRequest(metadata, 12, { topics: null }) as Record<string, unknown>;
    assert.equal(decoded.allowAutoTopicCreation, true);
    assert.equal(decoded.topics, null);
  });

  it('a struct-typed tagged field equal to its default is not written', () => {
    const produce = apiByKey(0) as AnyApi;
    const body = (partition: Record<string, unknown>) => ({
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 0n, ...partition }] }],
    });
    const plain = encodeResponse(produce as never, 11, 1, body({}) as never);
    const withDefault = encodeResponse(produce as never, 11, 1, body({ currentLeader: { leaderId: -1, leaderEpoch: -1 } }) as never);
    const withLeader = encodeResponse(produce as never, 11, 1, body({ currentLeader: { leaderId: 3, leaderEpoch: -1 } }) as never);
    assert.ok(plain.equals(withDefault));
    assert.ok(withLeader.length > plain.length);
    const decoded = decodeResponse(produce, 11, withLeader.subarray(4)) as { responses: { partitionResponses: { currentLeader: unknown }[] }[] };
    assert.deepEqual(decoded.responses[0]?.partitionResponses[0]?.currentLeader, { leaderId: 3, leaderEpoch: -1 });
  });
});

describe("null only in the versions Kafka's specs allow it (nullableVersions)", () => {
  const metadata = apiByKey(3) as AnyApi;
  const joinGroup = apiByKey(11) as AnyApi;
  const deleteTopics = apiByKey(20) as AnyApi;
  const offsetFetch = apiByKey(9) as AnyApi;
  const refused = (name: string, version: number) => (err: unknown) => err instanceof ProtocolError && err.message.includes(`${name} is null in version ${version}`);

  it('Metadata: null topics (every topic) from v1, a null topic name from v10; v0 asks for every topic with []', () => {
    assert.throws(() => encodeRequest(metadata as never, 0, 1, null, { topics: null } as never), refused('topics', 0));
    assert.equal((roundTripRequest(metadata, 1, { topics: null }) as Record<string, unknown>).topics, null);
    const byId = { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', name: null }] };
    assert.throws(() => encodeRequest(metadata as never, 9, 1, null, byId as never), refused('name', 9));
    assert.deepEqual((roundTripRequest(metadata, 10, byId) as Record<string, unknown>).topics, byId.topics);
    const unknownId = { brokers: [], topics: [{ errorCode: 100, name: null, partitions: [] }] };
    assert.throws(() => encodeResponse(metadata as never, 11, 1, unknownId as never), refused('name', 11));
    assert.doesNotThrow(() => encodeResponse(metadata as never, 12, 1, unknownId as never));
  });

  it('OffsetFetch: null topics (every topic) in v2-v7 only', () => {
    assert.throws(() => encodeRequest(offsetFetch as never, 1, 1, null, { groupId: 'g', topics: null } as never), refused('topics', 1));
    assert.equal((roundTripRequest(offsetFetch, 2, { groupId: 'g', topics: null }) as Record<string, unknown>).topics, null);
  });

  it('JoinGroup: a null protocolName from v7; DeleteTopics: a null topic name from v6', () => {
    const joined = { errorCode: 0, generationId: 1, protocolName: null, leader: 'm', memberId: 'm', members: [] };
    assert.throws(() => encodeResponse(joinGroup as never, 6, 1, joined as never), refused('protocolName', 6));
    const frame = encodeResponse(joinGroup as never, 7, 1, joined as never);
    assert.equal((decodeResponse(joinGroup, 7, frame.subarray(4)) as Record<string, unknown>).protocolName, null);
    const deleted = { responses: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', errorCode: 100 }] };
    assert.throws(() => encodeResponse(deleteTopics as never, 5, 1, deleted as never), refused('name', 5));
    assert.doesNotThrow(() => encodeResponse(deleteTopics as never, 6, 1, deleted as never));
  });
});
