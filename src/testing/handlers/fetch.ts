/**
 * Fetch: the batches from each asked offset, within the partition and request byte limits, and a
 * long poll as a broker does it (no data yet: wait for an append or `maxWaitMs`, whichever comes
 * first). Batches come back as they were produced; `corruptNextBatch` damages one on its way out.
 */
import { Fetch, IsolationLevel } from '../../protocol/apis/fetch.js';
import { BATCH_LENGTH_AT, LOG_OVERHEAD } from '../../protocol/records/batch-layout.js';
import type { RequestOut, ResponseIn } from '../../protocol/schema.js';
import { route, type HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { InjectedError } from '../faults.js';
import type { FakePartition } from '../topics.js';
import { findTopic, ledPartition } from './lookup.js';

type FetchRequest = RequestOut<typeof Fetch>;
type FetchAnswer = ResponseIn<typeof Fetch>;
type PartitionAnswer = FetchAnswer['responses'][number]['partitions'][number];

/** Topic ids name topics in Fetch from this version on. */
const FIRST_TOPIC_ID_VERSION = 13;
const EMPTY = Buffer.alloc(0);

/** A partition's answer carrying only an error. */
function failed(partitionIndex: number, errorCode: number): PartitionAnswer {
  return { partitionIndex, errorCode, highWatermark: -1n, records: EMPTY };
}

/** `pieces` with their first batch damaged when it is whole, else null (nothing to damage yet). */
function damaged(pieces: Buffer[]): Buffer[] | null {
  const first = pieces[0];
  if (!first || first.length < LOG_OVERHEAD || first.length !== LOG_OVERHEAD + first.readInt32BE(BATCH_LENGTH_AT)) return null;
  const copy = Buffer.from(first); // the log keeps its intact bytes
  copy[copy.length - 1] = (copy[copy.length - 1] as number) ^ 0xff; // inside the CRC's range
  return [copy, ...pieces.slice(1)];
}

/** The bytes a partition sends, damaged once if `corruptNextBatch` asked for it. */
function outgoing(context: HandlerContext, key: string, pieces: Buffer[]): Buffer[] {
  if (!context.state.corruptNext.has(key)) return pieces;
  const broken = damaged(pieces);
  if (!broken) return pieces;
  context.state.corruptNext.delete(key);
  return broken;
}

/** One pass over the request: what each partition gets now. */
function collect(request: FetchRequest, context: HandlerContext, injected: InjectedError | undefined): { answer: FetchAnswer; bytes: number; errors: boolean } {
  const byId = context.version >= FIRST_TOPIC_ID_VERSION;
  let left = request.maxBytes;
  let bytes = 0;
  let errors = false;
  const responses = request.topics.map((asked) => {
    const topic = findTopic(context, asked.topic, asked.topicId, byId);
    const partitions = asked.partitions.map((p): PartitionAnswer => {
      const name = typeof topic === 'number' ? asked.topic : topic.name;
      const code = injected?.appliesTo(name, p.partition) ? injected.code : typeof topic === 'number' ? topic : ErrorCode.NONE;
      const partition: FakePartition | number = code !== ErrorCode.NONE || typeof topic === 'number' ? code : ledPartition(context, topic, p.partition, p.currentLeaderEpoch);
      if (typeof partition === 'number') {
        errors = true;
        return failed(p.partition, partition);
      }
      const { log } = partition;
      const offset = Number(p.fetchOffset);
      if (offset < log.logStartOffset || offset > log.logEndOffset) {
        errors = true;
        return { ...failed(p.partition, ErrorCode.OFFSET_OUT_OF_RANGE), highWatermark: BigInt(log.logEndOffset), logStartOffset: BigInt(log.logStartOffset) };
      }
      const key = `${name}\0${p.partition}`;
      const pieces = outgoing(context, key, log.read(offset, Math.min(p.partitionMaxBytes, left), bytes === 0));
      const records = pieces.length === 0 ? EMPTY : Buffer.concat(pieces);
      left = Math.max(0, left - records.length);
      bytes += records.length;
      return {
        partitionIndex: p.partition,
        errorCode: ErrorCode.NONE,
        highWatermark: BigInt(log.logEndOffset),
        lastStableOffset: BigInt(log.logEndOffset),
        logStartOffset: BigInt(log.logStartOffset),
        abortedTransactions: request.isolationLevel === IsolationLevel.READ_COMMITTED ? [] : null,
        records,
      };
    });
    return { topic: asked.topic, topicId: asked.topicId, partitions };
  });
  return { answer: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses }, bytes, errors };
}

/** The Fetch handler. */
export const fetchRoute = route(Fetch, async (request, context) => {
  // From v13 a request names topics by id only: the fault rules and the request log see the name it stands for.
  const byId = context.version >= FIRST_TOPIC_ID_VERSION;
  const nameOf = (t: FetchRequest['topics'][number]): string => {
    const topic = findTopic(context, t.topic, t.topicId, byId);
    return typeof topic === 'number' ? t.topic : topic.name;
  };
  const injected = context.claimError(
    request.topics.flatMap((t) => {
      const topic = nameOf(t);
      return t.partitions.map((p) => ({ topic, partition: p.partition }));
    }),
  );
  const deadline = Date.now() + request.maxWaitMs;
  for (;;) {
    const pass = collect(request, context, injected);
    const waitMs = deadline - Date.now();
    if (pass.bytes >= request.minBytes || pass.errors || waitMs <= 0) return pass.answer;
    await context.state.nextAppend(waitMs);
    if (context.state.stopped) return pass.answer;
  }
});
