/**
 * OffsetCommit (key 8): a group member commits offsets, fenced by its generation (classic groups)
 * or member epoch (KIP-848 groups). v10 names topics by id instead of by name.
 * Spec: OffsetCommitRequest.json / OffsetCommitResponse.json (Kafka 4.4). Versions 0-1 are gone
 * from Kafka 4.0 brokers; v2 is the baseline.
 */
import { array, defineApi, field, int16, int32, int64, nullableString, string, struct, uuid } from '../schema.js';

/** OffsetCommit: commit offsets for a group, fenced by generation and member id. */
export const OffsetCommit = defineApi({
  apiKey: 8,
  name: 'OffsetCommit',
  versions: '2-10',
  flexibleVersions: '8+',
  request: {
    groupId: field(string, '0+'),
    // -1 with an empty member id commits as a standalone (non-member) consumer.
    generationIdOrMemberEpoch: field(int32, '1+', { default: -1 }),
    memberId: field(string, '1+'),
    groupInstanceId: field(nullableString, '7+', { default: null }),
    // v2-v4 only; later versions take retention from the broker's `offsets.retention.minutes`.
    retentionTimeMs: field(int64, '2-4', { default: -1n }),
    topics: field(
      array(
        struct({
          name: field(string, '0-9'),
          topicId: field(uuid, '10+'),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32, '0+'),
                committedOffset: field(int64, '0+'),
                committedLeaderEpoch: field(int32, '6+', { default: -1 }),
                committedMetadata: field(nullableString, '0+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
  },
  response: {
    throttleTimeMs: field(int32, '3+'),
    topics: field(
      array(
        struct({
          name: field(string, '0-9'),
          topicId: field(uuid, '10+'),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32, '0+'),
                errorCode: field(int16, '0+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
  },
});
