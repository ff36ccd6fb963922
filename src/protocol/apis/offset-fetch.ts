/**
 * OffsetFetch (key 9): the committed offsets of a group. v1-v7 ask for one group; v8+ batch
 * several groups; v9+ carry the member id and epoch of the KIP-848 protocol; v10 names topics by
 * id instead of by name. Spec: OffsetFetchRequest.json / OffsetFetchResponse.json (Kafka 4.4).
 * Version 0 (offsets in ZooKeeper) is gone from Kafka 4.0 brokers; v1 is the baseline.
 */
import { array, bool, defineApi, field, int16, int32, int64, nullableArray, nullableString, string, struct, uuid } from '../schema.js';

/** `committedOffset` of a partition the group has no commit for. */
export const NO_COMMITTED_OFFSET = -1n;

/** OffsetFetch: committed offsets (and their leader epochs and metadata) of one or more groups. */
export const OffsetFetch = defineApi({
  apiKey: 9,
  name: 'OffsetFetch',
  versions: '1-10',
  flexibleVersions: '6+',
  request: {
    groupId: field(string, '0-7'),
    // Null (v2-v7 only) asks for every topic the group has offsets for. Left out, it is the
    // spec's default, an empty array: no topic.
    topics: field(
      nullableArray(
        struct({
          name: field(string, '0-7'),
          partitionIndexes: field(array(int32), '0-7'),
        }),
      ),
      '0-7',
      { default: [], nullableVersions: '2-7' },
    ),
    groups: field(
      array(
        struct({
          groupId: field(string, '8+'),
          // Filled in only by members of KIP-848 `consumer` groups.
          memberId: field(nullableString, '9+', { default: null }),
          memberEpoch: field(int32, '9+', { default: -1 }),
          // Null asks for every topic the group has offsets for.
          topics: field(
            nullableArray(
              struct({
                name: field(string, '8-9'),
                topicId: field(uuid, '10+'),
                partitionIndexes: field(array(int32), '8+'),
              }),
            ),
            '8+',
            { default: [] },
          ),
        }),
      ),
      '8+',
    ),
    requireStable: field(bool, '7+', { default: false }),
  },
  response: {
    throttleTimeMs: field(int32, '3+'),
    topics: field(
      array(
        struct({
          name: field(string, '0-7'),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32, '0-7'),
                committedOffset: field(int64, '0-7'),
                committedLeaderEpoch: field(int32, '5-7', { default: -1 }),
                metadata: field(nullableString, '0-7'),
                errorCode: field(int16, '0-7'),
              }),
            ),
            '0-7',
          ),
        }),
      ),
      '0-7',
    ),
    errorCode: field(int16, '2-7', { default: 0 }),
    groups: field(
      array(
        struct({
          groupId: field(string, '8+'),
          topics: field(
            array(
              struct({
                name: field(string, '8-9'),
                topicId: field(uuid, '10+'),
                partitions: field(
                  array(
                    struct({
                      partitionIndex: field(int32, '8+'),
                      committedOffset: field(int64, '8+'),
                      committedLeaderEpoch: field(int32, '8+', { default: -1 }),
                      metadata: field(nullableString, '8+'),
                      errorCode: field(int16, '8+'),
                    }),
                  ),
                  '8+',
                ),
              }),
            ),
            '8+',
          ),
          errorCode: field(int16, '8+', { default: 0 }),
        }),
      ),
      '8+',
    ),
  },
});
