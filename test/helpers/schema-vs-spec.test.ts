/**
 * The comparison of our schemas with Kafka's message specs (test/helpers/schema-vs-spec.ts), on a
 * small API and hand-written specs: it passes when they agree and names each kind of difference
 * (versions, flexibility, field order, types, nullability, tags, defaults) when they do not.
 * The comment stripper of test/helpers/kafka-message-specs.ts is checked here too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { array, defineApi, field, int16, int32, int64, nullableArray, nullableString, records, string, struct, type AnyApi } from '../../src/protocol/schema.js';
import { stripLineComments, type ApiSpecs, type MessageSpec, type SpecField } from './kafka-message-specs.js';
import { versionDifferences } from './schema-vs-spec.js';

/** The request spec of the test API; `fields` replaces its field list. */
function requestSpec(fields: SpecField[], extra: Partial<MessageSpec> = {}): MessageSpec {
  return { apiKey: 99, type: 'request', name: 'TestRequest', validVersions: '0-4', flexibleVersions: '3+', fields, ...extra };
}

const RESPONSE: MessageSpec = {
  apiKey: 99,
  type: 'response',
  name: 'TestResponse',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [{ name: 'ErrorCode', type: 'int16', versions: '0+' }],
};

const SPEC_FIELDS: SpecField[] = [
  { name: 'GroupId', type: 'string', versions: '0+' },
  { name: 'Offset', type: 'int64', versions: '1+', default: -1 },
  { name: 'Topics', type: '[]Topic', versions: '0+', nullableVersions: '2+' },
  { name: 'Records', type: 'records', versions: '0+', nullableVersions: '0+' },
  { name: 'Hint', type: 'string', versions: '3+', nullableVersions: '3+', tag: 0, taggedVersions: '3+', default: 'null' },
];
const COMMON = [{ name: 'Topic', versions: '0+', fields: [{ name: 'Name', type: 'string', versions: '0+' }, { name: 'Partitions', type: '[]int32', versions: '0+' }] }];

/** Our side of the test API; `overrides` replaces request fields by name. */
function ourApi(overrides: Record<string, ReturnType<typeof field>> = {}, spec: { versions?: `${number}-${number}`; flexibleVersions?: '3+' | '2+' } = {}): AnyApi {
  return defineApi({
    apiKey: 99,
    name: 'Test',
    versions: spec.versions ?? '0-4',
    flexibleVersions: spec.flexibleVersions ?? '3+',
    request: {
      groupId: field(string, '0+'),
      offset: field(int64, '1+', { default: -1n }),
      topics: field(nullableArray(struct({ name: field(string, '0+'), partitions: field(array(int32), '0+') })), '0+', { nullableVersions: '2+' }),
      records: field(records, '0+'),
      hint: field(nullableString, '3+', { tag: 0, default: null }),
      ...overrides,
    },
    response: { errorCode: field(int16, '0+') },
  }) as unknown as AnyApi;
}

const specs = (fields = SPEC_FIELDS, extra: Partial<MessageSpec> = {}): ApiSpecs => ({
  request: requestSpec(fields, { commonStructs: COMMON, ...extra }),
  response: RESPONSE,
});
const all = (api: AnyApi, s: ApiSpecs): string[] => [0, 1, 2, 3, 4].flatMap((v) => versionDifferences(api, s, v));

describe('schemas against message specs (test/helpers/schema-vs-spec.ts)', () => {
  it('finds nothing when schema and spec agree (commonStructs, records, nullableVersions, tags)', () => {
    assert.deepEqual(all(ourApi(), specs()), []);
  });

  it('names versions outside validVersions, the unstable latest one, and flexibility that differs', () => {
    assert.deepEqual(versionDifferences(ourApi(), specs(SPEC_FIELDS, { validVersions: '1-4' }), 0), [
      "request: v0 is outside TestRequest's validVersions 1-4",
    ]);
    assert.deepEqual(versionDifferences(ourApi(), specs(SPEC_FIELDS, { latestVersionUnstable: true }), 4), [
      "request: v4 is TestRequest's unstable latest version (brokers do not offer it)",
    ]);
    const diffs = versionDifferences(ourApi({}, { flexibleVersions: '2+' }), specs(), 2);
    assert.ok(diffs.includes('request: v2 is not flexible in TestRequest (flexibleVersions 3+), ours says the opposite'), diffs.join('\n'));
    assert.ok(diffs.includes('response: v2 is not flexible in TestResponse (flexibleVersions 3+), ours says the opposite'), diffs.join('\n'));
  });

  it('names fields out of order, missing or extra, and differing types', () => {
    const swapped = [SPEC_FIELDS[1], SPEC_FIELDS[0], ...SPEC_FIELDS.slice(2)] as SpecField[];
    assert.deepEqual(versionDifferences(ourApi(), specs(swapped), 1), [
      'request: fields in v1 are [offset, groupId, topics, records] in the spec, [groupId, offset, topics, records] in ours',
    ]);
    assert.deepEqual(versionDifferences(ourApi({ offset: field(int32, '1+', { default: -1 }) }), specs(), 1), ['request.offset: type int64 in the spec, int32 in ours']);
    const nested = ourApi({ topics: field(nullableArray(struct({ name: field(string, '0+'), partitions: field(array(int16), '0+') })), '0+', { nullableVersions: '2+' }) });
    assert.deepEqual(versionDifferences(nested, specs(), 2), ['request.topics[].partitions[]: type int32 in the spec, int16 in ours']);
  });

  it('names nullability that differs in a version, and nullableVersions on a codec without null', () => {
    const everywhere = ourApi({ topics: field(nullableArray(struct({ name: field(string, '0+'), partitions: field(array(int32), '0+') })), '0+') });
    assert.deepEqual(versionDifferences(everywhere, specs(), 1), ['request.topics: not nullable in v1 in the spec, nullable in ours']);
    assert.deepEqual(versionDifferences(everywhere, specs(), 2), []);
    const never = ourApi({ groupId: field(string, '0+', { nullableVersions: '1+' }) });
    assert.deepEqual(versionDifferences(never, specs(), 0), ['request.groupId: has nullableVersions but its codec admits no null']);
  });

  it('names tagged fields under other tags or names, and tagged defaults that differ', () => {
    const retagged = ourApi({ hint: field(nullableString, '3+', { tag: 1, default: null }) });
    assert.deepEqual(versionDifferences(retagged, specs(), 3), [
      "request: the spec's tagged field 0 (hint) is missing from ours in v3",
      'request: our tagged field 1 (hint) is not a tagged field of the spec in v3',
    ]);
    const defaulted = ourApi({ hint: field(nullableString, '3+', { tag: 0, default: '' }) });
    assert.deepEqual(versionDifferences(defaulted, specs(), 3), ['request.hint (tagged): default null in the spec, "" in ours']);
  });

  it('names the default of a field absent from a version when it differs (null for an unset nullable default aside)', () => {
    const zeroOffset = ourApi({ offset: field(int64, '1+') });
    assert.deepEqual(versionDifferences(zeroOffset, specs(), 0), ['request.offset (absent from v0): default -1n in the spec, 0n in ours']);
    const late = [...SPEC_FIELDS.slice(0, 4), { name: 'Hint', type: 'string', versions: '3+', nullableVersions: '3+', tag: 0, taggedVersions: '3+' }];
    // The spec's default is "" (none given); ours reads the absent field as null: accepted.
    assert.deepEqual(versionDifferences(ourApi(), specs(late), 2), []);
  });

  it("strips // comments from a spec, but not // inside a string (an about's URL)", () => {
    const text = '// licence\n{ "about": "see http://kafka.apache.org // not a comment", // a comment\n "n": "a\\"//b" }';
    assert.deepEqual(JSON.parse(stripLineComments(text)), { about: 'see http://kafka.apache.org // not a comment', n: 'a"//b' });
  });
});
