/**
 * What we speak with each Kafka release we test: the ApiVersions ranges below were read from real
 * brokers of these releases (scripts/kafka/start.sh with KAFKA_VERSION set; apiKey, minVersion,
 * maxVersion). Every API the client defines must have a version in common with each of them, so a
 * floor raised past what an older broker speaks, or an API an older broker lacks, fails here
 * rather than on a user's cluster.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brokerRanges, fallbackVersion } from '../../src/cluster/api-versions-handshake.js';
import { negotiateVersion } from '../../src/protocol/versions.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { ConsumerGroupDescribe } from '../../src/protocol/apis/consumer-group-describe.js';
import { Fetch } from '../../src/protocol/apis/fetch.js';
import { ALL_APIS } from '../../src/protocol/apis/index.js';
import { OffsetCommit } from '../../src/protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../src/protocol/apis/offset-fetch.js';
import { Produce } from '../../src/protocol/apis/produce.js';

const RELEASES: Record<string, [number, number, number][]> = {
  '3.7.2': [
    [0, 0, 10], [1, 0, 16], [2, 0, 8], [3, 0, 12], [8, 0, 9], [9, 0, 9], [10, 0, 4], [11, 0, 9], [12, 0, 4],
    [13, 0, 5], [14, 0, 5], [15, 0, 5], [16, 0, 4], [17, 0, 1], [18, 0, 3], [19, 0, 7], [20, 0, 6], [21, 0, 2],
    [22, 0, 4], [23, 0, 4], [24, 0, 4], [25, 0, 3], [26, 0, 3], [27, 0, 1], [28, 0, 3], [29, 0, 3], [30, 0, 3],
    [31, 0, 3], [32, 0, 4], [33, 0, 2], [34, 0, 2], [35, 0, 4], [36, 0, 2], [37, 0, 3], [38, 0, 3], [39, 0, 2],
    [40, 0, 2], [41, 0, 3], [42, 0, 2], [43, 0, 2], [44, 0, 1], [45, 0, 0], [46, 0, 0], [47, 0, 0], [48, 0, 1],
    [49, 0, 1], [50, 0, 0], [51, 0, 0], [55, 0, 1], [57, 0, 1], [60, 0, 1], [61, 0, 0], [64, 0, 0], [65, 0, 0],
    [66, 0, 0], [68, 0, 0], [74, 0, 0]
  ],
  '3.9.1': [
    [0, 0, 11], [1, 0, 17], [2, 0, 9], [3, 0, 12], [8, 0, 9], [9, 0, 9], [10, 0, 6], [11, 0, 9], [12, 0, 4],
    [13, 0, 5], [14, 0, 5], [15, 0, 5], [16, 0, 5], [17, 0, 1], [18, 0, 4], [19, 0, 7], [20, 0, 6], [21, 0, 2],
    [22, 0, 5], [23, 0, 4], [24, 0, 5], [25, 0, 4], [26, 0, 4], [27, 0, 1], [28, 0, 4], [29, 0, 3], [30, 0, 3],
    [31, 0, 3], [32, 0, 4], [33, 0, 2], [34, 0, 2], [35, 0, 4], [36, 0, 2], [37, 0, 3], [38, 0, 3], [39, 0, 2],
    [40, 0, 2], [41, 0, 3], [42, 0, 2], [43, 0, 2], [44, 0, 1], [45, 0, 0], [46, 0, 0], [47, 0, 0], [48, 0, 1],
    [49, 0, 1], [50, 0, 0], [51, 0, 0], [55, 0, 2], [57, 0, 1], [60, 0, 1], [61, 0, 0], [64, 0, 0], [65, 0, 0],
    [66, 0, 1], [68, 0, 0], [69, 0, 0], [74, 0, 0], [75, 0, 0], [80, 0, 0], [81, 0, 0]
  ],
  '4.0.2': [
    [0, 0, 12], [1, 4, 17], [2, 1, 10], [3, 0, 13], [8, 2, 9], [9, 1, 9], [10, 0, 6], [11, 0, 9], [12, 0, 4],
    [13, 0, 5], [14, 0, 5], [15, 0, 6], [16, 0, 5], [17, 0, 1], [18, 0, 4], [19, 2, 7], [20, 1, 6], [21, 0, 2],
    [22, 0, 5], [23, 2, 4], [24, 0, 5], [25, 0, 4], [26, 0, 5], [27, 1, 1], [28, 0, 5], [29, 1, 3], [30, 1, 3],
    [31, 1, 3], [32, 1, 4], [33, 0, 2], [34, 1, 2], [35, 1, 4], [36, 0, 2], [37, 0, 3], [38, 1, 3], [39, 1, 2],
    [40, 1, 2], [41, 1, 3], [42, 0, 2], [43, 0, 2], [44, 0, 1], [45, 0, 0], [46, 0, 0], [47, 0, 0], [48, 0, 1],
    [49, 0, 1], [50, 0, 0], [51, 0, 0], [55, 0, 2], [57, 0, 2], [60, 0, 2], [61, 0, 0], [64, 0, 0], [65, 0, 0],
    [66, 0, 1], [68, 0, 1], [69, 0, 1], [74, 0, 0], [75, 0, 0], [80, 0, 0], [81, 0, 0]
  ],
  '4.1.1': [
    [0, 0, 13], [1, 4, 18], [2, 1, 10], [3, 0, 13], [8, 2, 9], [9, 1, 9], [10, 0, 6], [11, 0, 9], [12, 0, 4],
    [13, 0, 5], [14, 0, 5], [15, 0, 6], [16, 0, 5], [17, 0, 1], [18, 0, 4], [19, 2, 7], [20, 1, 6], [21, 0, 2],
    [22, 0, 5], [23, 2, 4], [24, 0, 5], [25, 0, 4], [26, 0, 5], [27, 1, 1], [28, 0, 5], [29, 1, 3], [30, 1, 3],
    [31, 1, 3], [32, 1, 4], [33, 0, 2], [34, 1, 2], [35, 1, 4], [36, 0, 2], [37, 0, 3], [38, 1, 3], [39, 1, 2],
    [40, 1, 2], [41, 1, 3], [42, 0, 2], [43, 0, 2], [44, 0, 1], [45, 0, 1], [46, 0, 0], [47, 0, 0], [48, 0, 1],
    [49, 0, 1], [50, 0, 0], [51, 0, 0], [55, 0, 2], [57, 0, 2], [60, 0, 2], [61, 0, 0], [64, 0, 0], [65, 0, 0],
    [66, 0, 2], [68, 0, 1], [69, 0, 1], [74, 0, 1], [75, 0, 0], [76, 1, 1], [77, 1, 1], [78, 1, 1], [79, 1, 1],
    [80, 0, 0], [81, 0, 0], [83, 0, 0], [84, 0, 0], [85, 0, 0], [86, 0, 0], [87, 0, 0], [90, 0, 0], [91, 0, 0],
    [92, 0, 0]
  ],
  '4.4.0': [
    [0, 0, 13], [1, 4, 18], [2, 1, 11], [3, 0, 13], [8, 2, 10], [9, 1, 10], [10, 0, 6], [11, 0, 9], [12, 0, 4],
    [13, 0, 5], [14, 0, 5], [15, 0, 6], [16, 0, 5], [17, 0, 1], [18, 0, 5], [19, 2, 7], [20, 1, 6], [21, 0, 2],
    [22, 0, 5], [23, 2, 4], [24, 0, 5], [25, 0, 4], [26, 0, 5], [27, 1, 2], [28, 0, 6], [29, 1, 3], [30, 1, 3],
    [31, 1, 3], [32, 1, 4], [33, 0, 2], [34, 1, 2], [35, 1, 5], [36, 0, 2], [37, 0, 3], [38, 1, 3], [39, 1, 2],
    [40, 1, 2], [41, 1, 3], [42, 0, 3], [43, 0, 2], [44, 0, 1], [45, 0, 1], [46, 0, 0], [47, 0, 0], [48, 0, 1],
    [49, 0, 1], [50, 0, 0], [51, 0, 0], [55, 0, 2], [57, 0, 2], [60, 0, 2], [61, 0, 0], [64, 0, 0], [65, 0, 0],
    [66, 0, 2], [68, 0, 1], [69, 0, 1], [74, 0, 1], [75, 0, 0], [76, 1, 1], [77, 1, 1], [78, 1, 2], [79, 1, 2],
    [80, 0, 1], [81, 0, 0], [83, 0, 0], [84, 0, 0], [85, 0, 1], [86, 0, 0], [87, 0, 1], [88, 0, 1], [89, 0, 1],
    [90, 0, 1], [91, 0, 0], [92, 0, 0], [93, 0, 0], [94, 0, 0]
  ],
};

function rangesOf(release: string) {
  const rows = RELEASES[release] ?? [];
  return brokerRanges(rows.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion })), release);
}

/**
 * APIs an older broker may lack because the client does without them there: describeGroup asks
 * DescribeGroups when a broker does not list ConsumerGroupDescribe (Kafka 3.7; test/admin/describe-group.test.ts).
 */
const OPTIONAL_BEFORE_3_8: ReadonlySet<string> = new Set([ConsumerGroupDescribe.name]);

for (const release of Object.keys(RELEASES)) {
  test(`Kafka ${release}: every API we define has a version in common with the broker`, () => {
    const ranges = rangesOf(release);
    for (const api of ALL_APIS) {
      if (release === '3.7.2' && OPTIONAL_BEFORE_3_8.has(api.name)) {
        assert.equal(ranges.get(api.apiKey), undefined, `${api.name}: listed by ${release} after all`);
        continue;
      }
      const version = negotiateVersion(api, ranges, release);
      const theirs = ranges.get(api.apiKey);
      assert.ok(theirs && version <= theirs.maxVersion && version >= theirs.minVersion, `${api.name} v${version}`);
    }
  });
}

test('the ApiVersions exchange ends at v3 with 3.7 (after one fallback) and at our top with 3.9 and later', () => {
  for (const [release, expected] of [['3.7.2', 3], ['3.9.1', 4], ['4.0.2', 4], ['4.1.1', 4], ['4.4.0', 4]] as const) {
    const theirs = rangesOf(release).get(ApiVersions.apiKey);
    assert.ok(theirs);
    // Refused only when our top is above the broker's; then the fallback is the top of the overlap.
    const version = ApiVersions.maxVersion > theirs.maxVersion ? fallbackVersion(rangesOf(release), ApiVersions.maxVersion) : ApiVersions.maxVersion;
    assert.equal(version, expected, release);
  }
});

test('the versions whose shape changes the data path: topic ids in Fetch everywhere, in Produce and OffsetCommit/OffsetFetch only where the broker has them', () => {
  const speak = (release: string) => ({
    produce: negotiateVersion(Produce, rangesOf(release), release),
    fetch: negotiateVersion(Fetch, rangesOf(release), release),
    offsetCommit: negotiateVersion(OffsetCommit, rangesOf(release), release),
    offsetFetch: negotiateVersion(OffsetFetch, rangesOf(release), release),
  });
  assert.deepEqual(speak('3.7.2'), { produce: 10, fetch: 16, offsetCommit: 9, offsetFetch: 9 });
  assert.deepEqual(speak('3.9.1'), { produce: 11, fetch: 17, offsetCommit: 9, offsetFetch: 9 });
  assert.deepEqual(speak('4.0.2'), { produce: 12, fetch: 17, offsetCommit: 9, offsetFetch: 9 });
  assert.deepEqual(speak('4.4.0'), { produce: 13, fetch: 18, offsetCommit: 10, offsetFetch: 10 });
});
