/**
 * Fetch (key 1): reads record batches from partitions.
 * Spec: FetchRequest.json / FetchResponse.json (Kafka 4.4). v0-v3 are gone since Kafka 4.0 (KIP-896);
 * v12 is the first flexible version; v13+ names topics by id instead of by name.
 */
import { array, defineApi, field, int16, int32, int64, int8, nullableArray, nullableString, records, string, struct, uuid } from '../schema.js';

/** Isolation levels of Fetch and ListOffsets. */
export const IsolationLevel = {
  /** Every record is visible, transactional or not. */
  READ_UNCOMMITTED: 0,
  /** Only records below the last stable offset; aborted transactions are listed. */
  READ_COMMITTED: 1,
} as const;

/** The `highWatermark` a v18+ request sends when the fetcher does not track one. */
export const HIGH_WATERMARK_UNSUPPORTED = 9223372036854775807n;

/** Fetch: record batches of the partitions asked for (the `records` bytes are decoded by the record-batch codec). */
export const Fetch = defineApi({
  apiKey: 1,
  name: 'Fetch',
  versions: '4-18',
  flexibleVersions: '12+',
  request: {
    clusterId: field(nullableString, '12+', { tag: 0, default: null }),
    /** -1 for a consumer; replicas send their broker id (v15+ in `replicaState`). */
    replicaId: field(int32, '0-14', { default: -1 }),
    replicaState: field(
      struct({
        replicaId: field(int32, '15+', { default: -1 }),
        replicaEpoch: field(int64, '15+', { default: -1n }),
      }),
      '15+',
      { tag: 1 },
    ),
    maxWaitMs: field(int32, '0+'),
    minBytes: field(int32, '0+'),
    maxBytes: field(int32, '3+', { default: 0x7fffffff }),
    isolationLevel: field(int8, '4+', { default: 0 }),
    sessionId: field(int32, '7+', { default: 0 }),
    sessionEpoch: field(int32, '7+', { default: -1 }),
    topics: field(
      array(
        struct({
          topic: field(string, '0-12'),
          topicId: field(uuid, '13+'),
          partitions: field(
            array(
              struct({
                partition: field(int32, '0+'),
                currentLeaderEpoch: field(int32, '9+', { default: -1 }),
                fetchOffset: field(int64, '0+'),
                lastFetchedEpoch: field(int32, '12+', { default: -1 }),
                logStartOffset: field(int64, '5+', { default: -1n }),
                partitionMaxBytes: field(int32, '0+'),
                replicaDirectoryId: field(uuid, '17+', { tag: 0 }),
                highWatermark: field(int64, '18+', { tag: 1, default: HIGH_WATERMARK_UNSUPPORTED }),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
    forgottenTopicsData: field(
      array(
        struct({
          topic: field(string, '7-12'),
          topicId: field(uuid, '13+'),
          partitions: field(array(int32), '7+'),
        }),
      ),
      '7+',
    ),
    rackId: field(string, '11+', { default: '' }),
  },
  response: {
    throttleTimeMs: field(int32, '1+'),
    errorCode: field(int16, '7+'),
    sessionId: field(int32, '7+', { default: 0 }),
    responses: field(
      array(
        struct({
          topic: field(string, '0-12'),
          topicId: field(uuid, '13+'),
          partitions: field(
            array(
              struct({
                partitionIndex: field(int32, '0+'),
                errorCode: field(int16, '0+'),
                highWatermark: field(int64, '0+'),
                lastStableOffset: field(int64, '4+', { default: -1n }),
                logStartOffset: field(int64, '5+', { default: -1n }),
                divergingEpoch: field(
                  struct({
                    epoch: field(int32, '12+', { default: -1 }),
                    endOffset: field(int64, '12+', { default: -1n }),
                  }),
                  '12+',
                  { tag: 0 },
                ),
                currentLeader: field(
                  struct({
                    leaderId: field(int32, '12+', { default: -1 }),
                    leaderEpoch: field(int32, '12+', { default: -1 }),
                  }),
                  '12+',
                  { tag: 1 },
                ),
                snapshotId: field(
                  struct({
                    endOffset: field(int64, '0+', { default: -1n }),
                    epoch: field(int32, '0+', { default: -1 }),
                  }),
                  '12+',
                  { tag: 2 },
                ),
                abortedTransactions: field(
                  nullableArray(
                    struct({
                      producerId: field(int64, '4+'),
                      firstOffset: field(int64, '4+'),
                    }),
                  ),
                  '4+',
                ),
                preferredReadReplica: field(int32, '11+', { default: -1 }),
                records: field(records, '0+'),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
    nodeEndpoints: field(
      array(
        struct({
          nodeId: field(int32, '16+'),
          host: field(string, '16+'),
          port: field(int32, '16+'),
          rack: field(nullableString, '16+', { default: null }),
        }),
      ),
      '16+',
      { tag: 0 },
    ),
  },
});
