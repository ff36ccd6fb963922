/**
 * ListOffsets (key 2): the offset of a partition at a timestamp, or its earliest / latest offset.
 * Spec: ListOffsetsRequest.json / ListOffsetsResponse.json (Kafka 4.4). v0 is gone since Kafka 4.0 (KIP-896).
 */
import { array, defineApi, field, int16, int32, int64, int8, string, struct } from '../schema.js';

/** Special `timestamp` values of a ListOffsets partition request. */
export const OffsetSpec = {
  /** The offset of the next record to be written (the log end, or the last stable offset under read_committed). */
  LATEST: -1n,
  /** The first offset still in the log. */
  EARLIEST: -2n,
  /** The offset of the record with the highest timestamp (v7+). */
  MAX_TIMESTAMP: -3n,
  /** The first offset still in local (non-tiered) storage (v8+). */
  EARLIEST_LOCAL: -4n,
  /** The highest offset already uploaded to tiered storage (v9+). */
  LATEST_TIERED: -5n,
  /** The first offset not yet uploaded to tiered storage (v11+). */
  EARLIEST_PENDING_UPLOAD: -6n,
} as const;

/** ListOffsets: offsets by timestamp, earliest or latest. */
export const ListOffsets = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  versions: '1-11',
  flexibleVersions: '6+',
  request: {
    /** -1 for a consumer. */
    replicaId: field(int32, '0+'),
    isolationLevel: field(int8, '2+'),
    topics: field(
      array(
        struct({
          name: field(string, '0+'),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32, '0+'),
                currentLeaderEpoch: field(int32, '4+', { default: -1 }),
                timestamp: field(int64, '0+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
    timeoutMs: field(int32, '10+'),
  },
  response: {
    throttleTimeMs: field(int32, '2+'),
    topics: field(
      array(
        struct({
          name: field(string, '0+'),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32, '0+'),
                errorCode: field(int16, '0+'),
                timestamp: field(int64, '1+', { default: -1n }),
                offset: field(int64, '1+', { default: -1n }),
                leaderEpoch: field(int32, '4+', { default: -1 }),
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
