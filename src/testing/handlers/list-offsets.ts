/** ListOffsets: a partition's earliest or latest offset, or the first offset at a timestamp. */
import { ListOffsets, OffsetSpec } from '../../protocol/apis/list-offsets.js';
import type { ResponseIn } from '../../protocol/schema.js';
import { route } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { PartitionLog } from '../partition-log.js';
import { findTopic, ledPartition } from './lookup.js';

type PartitionAnswer = ResponseIn<typeof ListOffsets>['topics'][number]['partitions'][number];

const NOT_FOUND = { offset: -1, timestamp: -1 };

/** The offset (and its timestamp) a `timestamp` spec names in `log`. */
function lookUp(log: PartitionLog, timestamp: bigint): { offset: number; timestamp: number } {
  switch (timestamp) {
    case OffsetSpec.LATEST:
      return { offset: log.logEndOffset, timestamp: -1 };
    case OffsetSpec.EARLIEST:
    case OffsetSpec.EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1 };
    case OffsetSpec.MAX_TIMESTAMP:
      return log.maxTimestamp() ?? NOT_FOUND;
    default:
      // Tiered-storage specs have no meaning here: no offset, as a cluster without tiered storage answers.
      return timestamp < 0n ? NOT_FOUND : log.offsetForTime(Number(timestamp)) ?? NOT_FOUND;
  }
}

/** The ListOffsets handler. */
export const listOffsetsRoute = route(ListOffsets, (request, context) => {
  const injected = context.claimError(request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex }))));
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((asked) => {
      const topic = findTopic(context, asked.name, '', false);
      return {
        name: asked.name,
        partitions: asked.partitions.map((p): PartitionAnswer => {
          if (injected?.appliesTo(asked.name, p.partitionIndex)) return { partitionIndex: p.partitionIndex, errorCode: injected.code };
          const partition = typeof topic === 'number' ? topic : ledPartition(context, topic, p.partitionIndex, p.currentLeaderEpoch);
          if (typeof partition === 'number') return { partitionIndex: p.partitionIndex, errorCode: partition };
          const found = lookUp(partition.log, p.timestamp);
          return {
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.NONE,
            timestamp: BigInt(found.timestamp),
            offset: BigInt(found.offset),
            leaderEpoch: partition.leaderEpoch,
          };
        }),
      };
    }),
  };
});
