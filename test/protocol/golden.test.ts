/**
 * Golden bytes captured from a real Kafka broker by scripts/capture-golden.ts: we still encode each
 * fixed request to exactly the bytes the broker accepted, and each captured response decodes and
 * re-encodes to exactly the bytes the broker sent. Group requests that speak for a member are
 * re-built from the member recorded with them (its id is the broker's), and that member must be
 * one a captured JoinGroup response handed out. No broker needed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALL_APIS, Fetch, JoinGroup } from '../../src/protocol/apis/index.js';
import { decodeResponse, encodeRequest, encodeResponse } from '../../src/protocol/frame.js';
import type { AnyApi, ApiDefinition } from '../../src/protocol/schema.js';
import {
  errorCodesOf,
  GOLDEN_CLIENT_ID,
  GOLDEN_INSTANCE_ID,
  goldenCorrelationId,
  goldenExpectedErrors,
  goldenFileName,
  goldenRecordBatch,
  goldenRequest,
  speaksForMember,
  STATIC_JOIN_FROM,
  type GoldenContext,
  type GoldenMember,
} from './golden/requests.js';

const DIR = join(import.meta.dirname, 'golden');
/**
 * APIs with no golden capture: the SASL exchange only runs on a SASL listener; the KIP-848 APIs are
 * not captured yet (scripts/capture-golden.ts runs classic members only): Kafka's message specs
 * check their schemas (kafka-jars/message-specs.test.ts), apis.test.ts their round trips.
 */
const NOT_CAPTURED = new Set(['SaslHandshake', 'SaslAuthenticate', 'ConsumerGroupHeartbeat', 'ConsumerGroupDescribe']);

interface Capture {
  api: string;
  apiKey: number;
  version: number;
  correlationId: number;
  clientId: string;
  topicId: string;
  member?: GoldenMember;
  request: string;
  response: string;
}

const files = readdirSync(DIR)
  .filter((f) => /-v\d+\.json$/.test(f))
  .sort();
const captures = files.map((file) => ({ file, capture: JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Capture }));
const brokerRanges = (
  JSON.parse(readFileSync(join(DIR, 'broker-api-versions.json'), 'utf8')) as {
    apis: Record<string, { minVersion: number; maxVersion: number } | null>;
  }
).apis;

function apiNamed(name: string): AnyApi {
  const api = ALL_APIS.find((a) => a.name === name);
  assert.ok(api, `unknown API ${name}`);
  return api;
}

function contextOf(capture: Capture): GoldenContext {
  return capture.member ? { topicId: capture.topicId, member: capture.member } : { topicId: capture.topicId };
}

describe('golden captures', () => {
  it('exist for every version we speak that the capture broker supports, and no others', () => {
    const expected: string[] = [];
    for (const api of ALL_APIS) {
      // The capture broker has only a PLAINTEXT listener, where the SASL APIs answer ILLEGAL_SASL_STATE;
      // their encoding is checked by the round trips and by the SASL tests against a FakeBroker.
      if (NOT_CAPTURED.has(api.name)) continue;
      const theirs = brokerRanges[api.name];
      assert.ok(theirs, `the capture broker does not list ${api.name}`);
      for (let v = Math.max(api.minVersion, theirs.minVersion); v <= Math.min(api.maxVersion, theirs.maxVersion); v++) {
        expected.push(goldenFileName(api, v));
      }
    }
    assert.deepEqual(files, expected.sort());
  });

  for (const { file, capture } of captures) {
    describe(file, () => {
      const api = apiNamed(capture.api);
      const version = capture.version;

      it('names the right API, correlation id and client id', () => {
        assert.equal(capture.apiKey, api.apiKey);
        assert.equal(file, goldenFileName(api, version));
        assert.equal(capture.correlationId, goldenCorrelationId(api, version));
        assert.equal(capture.clientId, GOLDEN_CLIENT_ID);
        assert.equal(capture.member !== undefined, speaksForMember(api), 'a member is recorded exactly when the request speaks for one');
      });

      it('the fixed request encodes to exactly the captured bytes', async () => {
        const body = await goldenRequest(api, version, contextOf(capture));
        const encoded = encodeRequest(api as ApiDefinition<unknown, unknown, unknown, never>, version, capture.correlationId, capture.clientId, body);
        assert.equal(encoded.toString('hex'), capture.request);
      });

      it('the captured response decodes, with only the errors its request is meant to get, and re-encodes to exactly its bytes', () => {
        const frame = Buffer.from(capture.response, 'hex');
        assert.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix');
        assert.equal(frame.readInt32BE(4), capture.correlationId);
        const decoded = decodeResponse(api, version, frame.subarray(4));
        // Every capture is of a request the broker accepted, but for the errors that are its point.
        assert.deepEqual(errorCodesOf(decoded), goldenExpectedErrors(api, version));
        const reencoded = encodeResponse(api as ApiDefinition<unknown, never, unknown, unknown>, version, capture.correlationId, decoded);
        assert.equal(reencoded.toString('hex'), capture.response);
      });
    });
  }

  it('group captures speak for members a captured JoinGroup was given, in the generation it was given', () => {
    const joins = captures
      .filter((c) => c.capture.api === JoinGroup.name)
      .map(({ capture }) => ({ version: capture.version, response: decodeResponse(JoinGroup, capture.version, Buffer.from(capture.response, 'hex').subarray(4)) }));
    assert.ok(joins.length > 0);
    const withMembers = captures.filter((c) => c.capture.member !== undefined);
    assert.ok(withMembers.length > 0);
    for (const { file, capture } of withMembers) {
      const member = capture.member as GoldenMember;
      const join = joins.find((j) => j.response.memberId === member.memberId);
      assert.ok(join, `${file}: member ${member.memberId} comes from no JoinGroup capture`);
      assert.equal(member.groupInstanceId, join.version >= STATIC_JOIN_FROM ? GOLDEN_INSTANCE_ID : null, `${file}: instance id of the join`);
      // A first join that only handed out the id (MEMBER_ID_REQUIRED) has no generation yet: the
      // rejoin that got one is not a capture.
      if (join.response.errorCode === 0) assert.equal(member.generationId, join.response.generationId, `${file}: generation of the join`);
      else assert.ok(member.generationId > 0, `${file}: a generation`);
    }
  });

  it('fetched partition 0 starts with the golden batch, stored verbatim by the broker', async () => {
    const batch = await goldenRecordBatch();
    const fetches = captures.filter((c) => c.capture.api === Fetch.name);
    assert.ok(fetches.length > 0);
    for (const { capture } of fetches) {
      const decoded = decodeResponse(Fetch, capture.version, Buffer.from(capture.response, 'hex').subarray(4));
      const records = decoded.responses[0]?.partitions.find((p) => p.partitionIndex === 0)?.records;
      assert.ok(records && records.length >= batch.length, `v${capture.version} returned records`);
      // The broker rewrites base offset (bytes 0-7) and partition leader epoch (12-15); the CRC
      // (from byte 17) covers everything after it, which must be ours.
      assert.equal(records.readBigInt64BE(0), 0n);
      assert.ok(records.subarray(8, 12).equals(batch.subarray(8, 12)), 'batch length');
      assert.ok(records.subarray(16, batch.length).equals(batch.subarray(16)), 'magic, CRC, attributes and records');
    }
  });
});
