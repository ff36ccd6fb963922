/**
 * Produce (key 0): appends record batches to partitions.
 * Spec: ProduceRequest.json / ProduceResponse.json (Kafka 4.4). v0-v2 are gone since Kafka 4.0 (KIP-896);
 * v13 names topics by id instead of by name.
 */
import { array, defineApi, field, int16, int32, int64, nullableString, records, string, struct, uuid } from '../schema.js';

/** The leader a partition error points the producer to (tagged, v10+). */
const leaderIdAndEpoch = struct({
  leaderId: field(int32, '10+', { default: -1 }),
  leaderEpoch: field(int32, '10+', { default: -1 }),
});

/** Produce: writes record batches (the `records` bytes are encoded by the record-batch codec). */
export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  versions: '3-13',
  flexibleVersions: '9+',
  request: {
    transactionalId: field(nullableString, '3+', { default: null }),
    /** 0: no acknowledgement, 1: the leader's, -1: every in-sync replica's. */
    acks: field(int16, '0+'),
    timeoutMs: field(int32, '0+'),
    topicData: field(
      array(
        struct({
          name: field(string, '0-12'),
          topicId: field(uuid, '13+'),
          partitionData: field(
            array(
              struct({
                index: field(int32, '0+'),
                records: field(records, '0+'),
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
    responses: field(
      array(
        struct({
          name: field(string, '0-12'),
          topicId: field(uuid, '13+'),
          partitionResponses: field(
            array(
              struct({
                index: field(int32, '0+'),
                errorCode: field(int16, '0+'),
                baseOffset: field(int64, '0+'),
                logAppendTimeMs: field(int64, '2+', { default: -1n }),
                logStartOffset: field(int64, '5+', { default: -1n }),
                recordErrors: field(
                  array(
                    struct({
                      batchIndex: field(int32, '8+'),
                      batchIndexErrorMessage: field(nullableString, '8+', { default: null }),
                    }),
                  ),
                  '8+',
                ),
                errorMessage: field(nullableString, '8+', { default: null }),
                currentLeader: field(leaderIdAndEpoch, '10+', { tag: 0 }),
              }),
            ),
            '0+',
          ),
        }),
      ),
      '0+',
    ),
    throttleTimeMs: field(int32, '1+', { default: 0 }),
    nodeEndpoints: field(
      array(
        struct({
          nodeId: field(int32, '10+'),
          host: field(string, '10+'),
          port: field(int32, '10+'),
          rack: field(nullableString, '10+', { default: null }),
        }),
      ),
      '10+',
      { tag: 0 },
    ),
  },
});
