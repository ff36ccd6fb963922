/**
 * InitProducerId (key 22): a producer id and epoch for an idempotent or transactional producer.
 * Spec: InitProducerIdRequest.json / InitProducerIdResponse.json (Kafka 4.4).
 *
 * The specs go up to v6 (two-phase commit, KIP-939), but Kafka marks v6 unstable: brokers do not
 * advertise it unless unstable versions are enabled, and its format may still change. We speak
 * up to v5; the v6 fields are declared so that raising `versions` is the only change needed.
 */
import { bool, defineApi, field, int16, int32, int64, nullableString } from '../schema.js';

/** InitProducerId: allocates (or bumps the epoch of) a producer id. */
export const InitProducerId = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  versions: '0-5',
  flexibleVersions: '2+',
  request: {
    transactionalId: field(nullableString, '0+'),
    transactionTimeoutMs: field(int32, '0+'),
    producerId: field(int64, '3+', { default: -1n }),
    producerEpoch: field(int16, '3+', { default: -1 }),
    enable2Pc: field(bool, '6+', { default: false }),
    keepPreparedTxn: field(bool, '6+', { default: false }),
  },
  response: {
    throttleTimeMs: field(int32, '0+'),
    errorCode: field(int16, '0+'),
    producerId: field(int64, '0+', { default: -1n }),
    producerEpoch: field(int16, '0+'),
    ongoingTxnProducerId: field(int64, '6+', { default: -1n }),
    ongoingTxnProducerEpoch: field(int16, '6+', { default: -1 }),
  },
});
