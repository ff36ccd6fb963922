/**
 * Every API version we speak, request and response, checked against Kafka's own JSON message
 * specs from the pinned release's kafka-clients jar (test/helpers/kafka-message-specs.ts): the
 * version is one the spec defines, flexible when the spec's is, and every field the spec puts in
 * it is ours, in order, with the same name, type, nullability, tag and (where it reaches the wire
 * or the caller) default. One test per API version, failing with every difference of it listed.
 *
 * Files under a `kafka-jars` folder need the Kafka jars: scripts/test.mjs installs them first
 * (scripts/kafka/install.sh). Without the jar these tests fail, saying how to install it.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ALL_APIS } from '../../../src/protocol/apis/index.js';
import type { AnyApi } from '../../../src/protocol/schema.js';
import { loadKafkaMessageSpecs, type ApiSpecs } from '../../helpers/kafka-message-specs.js';
import { versionDifferences } from '../../helpers/schema-vs-spec.js';

/** A difference kept on purpose: the API, how its text starts, and why it stays. */
interface Deliberate {
  readonly api: string;
  readonly startsWith: string;
  readonly why: string;
}

const CLIENT_SOFTWARE_WHY =
  'our default is what we send when the caller leaves it out (a v3+ broker refuses an empty name); ' +
  'v0-v2 do not carry the field, so only a fake broker decoding such a request sees the default';

/** The differences we keep, each with its reason; the last test fails when one no longer occurs. */
const DELIBERATE: readonly Deliberate[] = [
  { api: 'ApiVersions', startsWith: 'request.clientSoftwareName (absent from ', why: CLIENT_SOFTWARE_WHY },
  { api: 'ApiVersions', startsWith: 'request.clientSoftwareVersion (absent from ', why: CLIENT_SOFTWARE_WHY },
];

const isDeliberate = (api: AnyApi, diff: string): boolean => DELIBERATE.some((d) => d.api === api.name && diff.startsWith(d.startsWith));

describe("our API schemas against Kafka's message specs", () => {
  let specs: Map<number, ApiSpecs>;
  before(() => {
    specs = loadKafkaMessageSpecs();
  });

  const specsOf = (api: AnyApi): ApiSpecs => {
    const spec = specs.get(api.apiKey);
    assert.ok(spec, `API key ${api.apiKey} (${api.name}) has no message spec in the jar`);
    return spec;
  };

  for (const api of ALL_APIS) {
    for (let version = api.minVersion; version <= api.maxVersion; version++) {
      test(`${api.name} (key ${api.apiKey}) v${version}`, () => {
        const spec = specsOf(api);
        const diffs = versionDifferences(api, spec, version).filter((d) => !isDeliberate(api, d));
        if (diffs.length > 0) {
          assert.fail(`${api.name} v${version} differs from Kafka's ${spec.request.name} / ${spec.response.name}:\n  ${diffs.join('\n  ')}`);
        }
      });
    }
  }

  test('every difference kept on purpose still occurs (else it goes from the list)', () => {
    for (const d of DELIBERATE) {
      const api = ALL_APIS.find((a) => a.name === d.api);
      assert.ok(api, `no API named ${d.api}`);
      let seen = false;
      for (let version = api.minVersion; version <= api.maxVersion && !seen; version++) {
        seen = versionDifferences(api, specsOf(api), version).some((diff) => diff.startsWith(d.startsWith));
      }
      assert.ok(seen, `${d.api}: no difference starts with "${d.startsWith}" any more`);
    }
  });
});
