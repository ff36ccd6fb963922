/**
 * The wire formats that are not an API's request or response, checked against Kafka's own specs
 * from the pinned release's kafka-clients jar (message-specs.test.ts checks the APIs):
 * - the consumer protocol's payloads (ConsumerProtocolSubscription / ConsumerProtocolAssignment),
 *   every version we write and read, field by field as the API schemas are;
 * - the request header (v1 for a non-flexible request, v2 for a flexible one) and the response
 *   header (v0 / v1, and v0 for every ApiVersions answer), which frame.ts writes by hand: the bytes
 *   our encoder produces are read back field by field the way the spec lays them out.
 *
 * Files under a `kafka-jars` folder need the Kafka jars: scripts/test.mjs installs them first.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { CONSUMER_PROTOCOL_FIELDS, CONSUMER_PROTOCOL_MAX_VERSION } from '../../../src/protocol/consumer-protocol.js';
import { ApiVersions } from '../../../src/protocol/apis/api-versions.js';
import { Heartbeat } from '../../../src/protocol/apis/heartbeat.js';
import { Metadata } from '../../../src/protocol/apis/metadata.js';
import { encodeRequest, encodeResponse, isFlexible } from '../../../src/protocol/frame.js';
import { Reader } from '../../../src/protocol/reader.js';
import { ZERO_UUID, type AnyApi } from '../../../src/protocol/schema.js';
import { loadKafkaSpec, type MessageSpec } from '../../helpers/kafka-message-specs.js';
import { inVersions, payloadDifferences } from '../../helpers/schema-vs-spec.js';

describe("the consumer protocol's payloads against Kafka's specs", () => {
  for (const [which, specName] of [
    ['subscription', 'ConsumerProtocolSubscription'],
    ['assignment', 'ConsumerProtocolAssignment'],
  ] as const) {
    for (let version = 0; version <= CONSUMER_PROTOCOL_MAX_VERSION; version++) {
      test(`${specName} v${version}`, () => {
        const diffs = payloadDifferences(CONSUMER_PROTOCOL_FIELDS[which], loadKafkaSpec(specName), version);
        if (diffs.length > 0) assert.fail(`our ${which} v${version} differs from Kafka's ${specName}:\n  ${diffs.join('\n  ')}`);
      });
    }
  }
});

/** A header field's value read from our bytes as the spec lays the field out. */
type HeaderValue = number | string | null;

/**
 * Reads the header `spec` describes at `headerVersion` from `r`: each field present in that version
 * by its spec type (a string is compact only where both the header and the field are flexible: the
 * request header's ClientId is `flexibleVersions: none`), then the tagged fields when flexible.
 */
function readHeader(r: Reader, spec: MessageSpec, headerVersion: number): Map<string, HeaderValue> {
  const flexible = inVersions(spec.flexibleVersions, headerVersion);
  const values = new Map<string, HeaderValue>();
  for (const field of spec.fields ?? []) {
    if (!inVersions(field.versions, headerVersion)) continue;
    const nullable = inVersions(field.nullableVersions, headerVersion);
    const compact = flexible && (field.flexibleVersions === undefined || inVersions(field.flexibleVersions, headerVersion));
    switch (field.type) {
      case 'int16':
        values.set(field.name, r.int16());
        break;
      case 'int32':
        values.set(field.name, r.int32());
        break;
      case 'string':
        if (compact) values.set(field.name, nullable ? r.compactNullableString() : r.compactString());
        else values.set(field.name, nullable ? r.nullableString() : r.string());
        break;
      default:
        throw new Error(`${spec.name}.${field.name}: type ${field.type} is not one a header uses yet; teach readHeader it`);
    }
  }
  if (flexible) r.taggedFields();
  return values;
}

describe("the request and response headers against Kafka's specs", () => {
  let requestHeader: MessageSpec;
  let responseHeader: MessageSpec;
  before(() => {
    requestHeader = loadKafkaSpec('RequestHeader');
    responseHeader = loadKafkaSpec('ResponseHeader');
  });

  const heartbeat = { groupId: 'g', generationId: 7, memberId: 'm', groupInstanceId: null };
  const metadata = { topics: [{ name: 't', topicId: ZERO_UUID }], allowAutoTopicCreation: false };
  // Heartbeat v3 is not flexible, v4 is; Metadata likewise at v8 / v12.
  const cases: [AnyApi, number, unknown][] = [
    [Heartbeat, 3, heartbeat],
    [Heartbeat, 4, heartbeat],
    [Metadata, 8, metadata],
    [Metadata, 12, metadata],
  ];
  for (const [api, version, body] of cases) {
    const headerVersion = isFlexible(api, version) ? 2 : 1;
    test(`request header v${headerVersion} (${api.name} v${version})`, () => {
      for (const clientId of ['kafka-stage-test', null]) {
        const frame = encodeRequest(api as never, version, 0x01020304, clientId, body as never);
        const r = new Reader(frame.subarray(4));
        const values = readHeader(r, requestHeader, headerVersion);
        assert.deepEqual(Object.fromEntries(values), {
          RequestApiKey: api.apiKey,
          RequestApiVersion: version,
          CorrelationId: 0x01020304,
          ClientId: clientId,
        });
        // What follows the header is the body, whole: decoding it leaves nothing.
        api.request.read(r, version, isFlexible(api, version));
        assert.equal(r.remaining, 0, 'the body ends the frame');
      }
    });
  }

  const heartbeatAnswer = { throttleTimeMs: 0, errorCode: 0 };
  const versionsAnswer = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 };
  // ApiVersions answers with header v0 even when flexible (v3+), so that any client can read it.
  for (const [api, version, headerVersion, body] of [
    [Heartbeat, 3, 0, heartbeatAnswer],
    [Heartbeat, 4, 1, heartbeatAnswer],
    [ApiVersions, 3, 0, versionsAnswer],
  ] as [AnyApi, number, number, unknown][]) {
    test(`response header v${headerVersion} (${api.name} v${version})`, () => {
      const frame = encodeResponse(api as never, version, 0x0a0b0c0d, body as never);
      const r = new Reader(frame.subarray(4));
      assert.deepEqual(Object.fromEntries(readHeader(r, responseHeader, headerVersion)), { CorrelationId: 0x0a0b0c0d });
      api.response.read(r, version, isFlexible(api, version));
      assert.equal(r.remaining, 0, 'the body ends the frame');
    });
  }
});
