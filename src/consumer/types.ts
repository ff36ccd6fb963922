/**
 * Public shapes of the consumer: what subscribers receive, what they ack, what the group reports.
 * The classes that implement them live beside this file (partition-stage.ts, consumer-group.ts).
 */
import type { KafkaRecord } from '../protocol/records/types.js';

/** Records of one partition handed out together. `records` are in offset order. */
export interface ConsumerBatch {
  topic: string;
  partition: number;
  records: KafkaRecord[];
  /** Offset of the first and last record of `records`. */
  firstOffset: number;
  lastOffset: number;
}

/** What `ack` accepts: a record, a batch, or an offset (of one record). */
export type Ackable = KafkaRecord | ConsumerBatch | number;

/** Live figures of one partition stage (design.md §5). Offsets are "next offset" positions. */
export interface PartitionStats {
  topic: string;
  partition: number;
  /** Next offset to fetch. */
  fetchedOffset: number;
  /** One past the last record delivered to the subscriber. */
  deliveredOffset: number;
  /** First offset not acked (the committable offset). */
  ackedOffset: number;
  /** Last offset committed successfully in this assignment, or null before the first commit. */
  committedOffset: number | null;
  bufferedRecords: number;
  bufferedBytes: number;
  /** Demand the subscriber asked for and has not been given yet. */
  outstandingDemand: number;
  /** Records delivered and not acked. */
  inFlight: number;
  /** High watermark minus the delivered offset, from the last Fetch response (null before one). */
  lag: number | null;
  highWatermark: number | null;
  /** Milliseconds the oldest unacked delivery has been held, 0 when none. */
  oldestInFlightMs: number;
}

/** How a subscriber takes records: GenStage-style demand. */
export interface DemandOptions {
  /** Most records asked for at once. Default 500. */
  maxDemand?: number;
  /** Ask again when outstanding demand falls to this (GenStage `min_demand`). Default floor(maxDemand × 3 / 4), as GenStage. */
  minDemand?: number;
}

/** Events a consumer emits; also published on `node:diagnostics_channel` channels `kafka-stage:consumer:<event>`. */
export interface ConsumerEvents {
  /** Partitions assigned to this member (incremental under cooperative rebalancing). */
  assign: [{ partitions: { topic: string; partition: number }[]; generationId: number }];
  /** Partitions revoked cleanly (drained and committed). */
  revoke: [{ partitions: { topic: string; partition: number }[] }];
  /** Partitions lost without a commit (fenced, session expired). */
  lost: [{ partitions: { topic: string; partition: number }[]; reason: string }];
  /** A commit completed or failed. */
  commit: [{ offsets: { topic: string; partition: number; offset: number }[]; error: Error | null }];
  /** A failure the consumer could not absorb (typed KafkaStageError). */
  error: [Error];
  /** A handler has held records longer than maxProcessingMs (heartbeats go on regardless). */
  stuck: [{ topic: string; partition: number; heldMs: number; inFlight: number }];
}

/** Names of consumer events. */
export type ConsumerEventName = keyof ConsumerEvents;
