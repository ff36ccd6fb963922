/**
 * Produce and InitProducerId: batches are checked as a broker checks them (one sound batch per
 * partition, within `message.max.bytes`, CRC intact) and appended to the leader's log with the
 * idempotence rules of {@link PartitionLog.append}.
 */
import { InitProducerId } from '../../protocol/apis/init-producer-id.js';
import { Produce } from '../../protocol/apis/produce.js';
import { BASE_SEQUENCE_AT, PRODUCER_EPOCH_AT, PRODUCER_ID_AT, RECORD_COUNT_AT, RECORDS_AT } from '../../protocol/records/batch-layout.js';
import { decodeRecordBatches } from '../../protocol/records/decode-batches.js';
import type { ResponseIn } from '../../protocol/schema.js';
import { NO_RESPONSE, route, type HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { InjectedError } from '../faults.js';
import type { RequestEntry } from '../request-log.js';
import type { FakeTopic } from '../topics.js';
import { findTopic, ledPartition } from './lookup.js';

type PartitionAnswer = ResponseIn<typeof Produce>['responses'][number]['partitionResponses'][number];

/** Topic ids name topics in Produce from this version on. */
const FIRST_TOPIC_ID_VERSION = 13;
/** Decompression bound while validating a batch: far above any batch a test writes, still bounded. */
const MAX_VALIDATED_BYTES = 256 * 1024 * 1024;

function failed(index: number, errorCode: number, errorMessage: string | null = null): PartitionAnswer {
  return { index, errorCode, baseOffset: -1n, errorMessage };
}

async function appendOne(
  context: HandlerContext,
  topic: FakeTopic,
  index: number,
  raw: Buffer | null,
  injected: InjectedError | undefined,
): Promise<PartitionAnswer> {
  if (injected?.appliesTo(topic.name, index)) return failed(index, injected.code);
  const partition = ledPartition(context, topic, index);
  if (typeof partition === 'number') return failed(index, partition);
  if (raw === null || raw.length === 0) return failed(index, ErrorCode.INVALID_RECORD, 'no record batch');
  if (raw.length > context.state.settings.messageMaxBytes) {
    return failed(index, ErrorCode.MESSAGE_TOO_LARGE, `batch of ${raw.length} bytes exceeds message.max.bytes (${context.state.settings.messageMaxBytes})`);
  }
  let decoded;
  try {
    decoded = await decodeRecordBatches(raw, { maxDecompressedBytes: MAX_VALIDATED_BYTES, topic: topic.name, partition: index });
  } catch (error) {
    return failed(index, ErrorCode.CORRUPT_MESSAGE, error instanceof Error ? error.message : String(error));
  }
  const [batch, extra] = decoded.batches;
  if (!batch || extra || decoded.truncatedTail) return failed(index, ErrorCode.INVALID_RECORD, 'a produce request carries exactly one record batch per partition');
  const result = partition.log.append(raw, batch, partition.leaderEpoch);
  return { index, errorCode: result.errorCode, baseOffset: BigInt(result.baseOffset), logStartOffset: BigInt(partition.log.logStartOffset) };
}

/** The Produce handler. */
export const produceRoute = route(Produce, async (request, context) => {
  const byId = context.version >= FIRST_TOPIC_ID_VERSION;
  const topics = request.topicData.map((data) => findTopic(context, data.name, data.topicId, byId));
  // From v13 a request names topics by id only: the log and the fault rules see the name it stands for.
  const names = request.topicData.map((data, i) => nameOf(topics[i] as FakeTopic | number, data.name));
  const logged = request.topicData.map((data, i) => data.partitionData.map((p) => logBatch(context, names[i] as string, p.index, p.records)));
  const injected = context.claimError(request.topicData.flatMap((t, i) => t.partitionData.map((p) => ({ topic: names[i] as string, partition: p.index }))));
  const badAcks = request.acks !== 0 && request.acks !== 1 && request.acks !== -1;
  const responses: ResponseIn<typeof Produce>['responses'] = [];
  let appended = false;
  for (const [i, data] of request.topicData.entries()) {
    const topic = topics[i] as FakeTopic | number;
    const partitionResponses: PartitionAnswer[] = [];
    for (const [j, { index, records }] of data.partitionData.entries()) {
      let answer: PartitionAnswer;
      if (badAcks) answer = failed(index, ErrorCode.INVALID_REQUIRED_ACKS);
      else if (typeof topic === 'number') answer = failed(index, topic);
      else {
        answer = await appendOne(context, topic, index, records, injected);
        appended ||= answer.errorCode === ErrorCode.NONE;
      }
      const batch = logged[i]?.[j];
      if (batch) batch.errorCode = answer.errorCode;
      partitionResponses.push(answer);
    }
    responses.push({ name: data.name, topicId: data.topicId, partitionResponses });
  }
  if (appended) context.state.appended();
  return request.acks === 0 ? NO_RESPONSE : { responses, throttleTimeMs: 0 };
});

function nameOf(topic: FakeTopic | number, named: string): string {
  return typeof topic === 'number' ? named : topic.name;
}

/** Puts the header of the partition's batch into the request log (nothing for bytes too short to hold one). */
function logBatch(context: HandlerContext, topic: string, partition: number, raw: Buffer | null): RequestEntry['batches'][number] | undefined {
  if (raw === null || raw.length < RECORDS_AT) return undefined;
  const batch = {
    topic,
    partition,
    producerId: raw.readBigInt64BE(PRODUCER_ID_AT),
    producerEpoch: raw.readInt16BE(PRODUCER_EPOCH_AT),
    baseSequence: raw.readInt32BE(BASE_SEQUENCE_AT),
    recordCount: raw.readInt32BE(RECORD_COUNT_AT),
    errorCode: null,
  };
  context.request.batches.push(batch);
  return batch;
}

/** The InitProducerId handler: idempotent producers only (the fake has no transaction coordinator). */
export const initProducerIdRoute = route(InitProducerId, (request, context) => {
  const injected = context.claimError([]);
  if (injected) return { throttleTimeMs: 0, errorCode: injected.code, producerEpoch: -1 };
  if (request.transactionalId !== null) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerEpoch: -1 };
  if (request.producerId >= 0n) {
    // A producer bumping its epoch keeps its id (KIP-360).
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: request.producerId, producerEpoch: request.producerEpoch + 1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: context.state.newProducerId(), producerEpoch: 0 };
});
