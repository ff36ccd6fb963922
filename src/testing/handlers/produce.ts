/**
 * Produce and InitProducerId: batches are checked as a broker checks them (one sound batch per
 * partition, within `message.max.bytes`, CRC intact) and appended to the leader's log with the
 * idempotence rules of {@link PartitionLog.append}.
 */
import { InitProducerId } from '../../protocol/apis/init-producer-id.js';
import { Produce } from '../../protocol/apis/produce.js';
import { decodeRecordBatches } from '../../protocol/records/decode-batches.js';
import type { ResponseIn } from '../../protocol/schema.js';
import { NO_RESPONSE, route, type HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { InjectedError } from '../faults.js';
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
  const injected = context.claimError(request.topicData.flatMap((t) => t.partitionData.map((p) => ({ topic: t.name, partition: p.index }))));
  const badAcks = request.acks !== 0 && request.acks !== 1 && request.acks !== -1;
  const responses: ResponseIn<typeof Produce>['responses'] = [];
  let appended = false;
  for (const data of request.topicData) {
    const topic = findTopic(context, data.name, data.topicId, byId);
    const partitionResponses: PartitionAnswer[] = [];
    for (const { index, records } of data.partitionData) {
      if (badAcks) partitionResponses.push(failed(index, ErrorCode.INVALID_REQUIRED_ACKS));
      else if (typeof topic === 'number') partitionResponses.push(failed(index, topic));
      else {
        const answer = await appendOne(context, topic, index, records, injected);
        appended ||= answer.errorCode === ErrorCode.NONE;
        partitionResponses.push(answer);
      }
    }
    responses.push({ name: data.name, topicId: data.topicId, partitionResponses });
  }
  if (appended) context.state.appended();
  return request.acks === 0 ? NO_RESPONSE : { responses, throttleTimeMs: 0 };
});

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
