/**
 * The embedded "consumer" protocol of classic groups: what a member puts in JoinGroup's protocol
 * metadata (its subscription) and what the leader puts in SyncGroup's assignment bytes.
 *
 * Both are an int16 version followed by a struct in the plain (never flexible) encoding of that
 * version. Specs: ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json (Kafka 4.4).
 * As the Java client does, a version newer than the newest we know is read with the newest
 * layout and the bytes after it are ignored: newer versions may only append fields.
 */
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { array, field, int32, nullableBytes, nullableString, string, struct } from './schema.js';
import type { StructIn, StructOut } from './schema.js';
import type { TopicPartition } from './topic-partition.js';
import { Writer } from './writer.js';

/** JoinGroup `protocolType` of consumer groups. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/** Newest subscription and assignment version we read and write (the two move together). */
export const CONSUMER_PROTOCOL_MAX_VERSION = 3;

/** One topic and some of its partitions, as the consumer protocol groups them. */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

// The one topic-partition type, re-exported for the group code that reads assignments through here.
export type { TopicPartition };

const topicPartitions = (versions: '0+' | '1+') =>
  struct({
    topic: field(string, versions),
    partitions: field(array(int32), versions),
  });

const subscriptionFields = {
  topics: field(array(string), '0+'),
  userData: field(nullableBytes, '0+', { default: null }),
  ownedPartitions: field(array(topicPartitions('1+')), '1+'),
  generationId: field(int32, '2+', { default: -1 }),
  rackId: field(nullableString, '3+', { default: null }),
};
const subscriptionStruct = struct(subscriptionFields);

const assignmentFields = {
  assignedPartitions: field(array(topicPartitions('0+')), '0+'),
  userData: field(nullableBytes, '0+', { default: null }),
};
const assignmentStruct = struct(assignmentFields);

/**
 * @internal The two payloads' field schemas, for the test that holds them against Kafka's
 * ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json (not part of any public entry).
 */
export const CONSUMER_PROTOCOL_FIELDS = { subscription: subscriptionFields, assignment: assignmentFields } as const;

/**
 * A member's subscription (JoinGroup protocol metadata). Fields absent from `version` hold their
 * defaults: no owned partitions before v1, generation -1 before v2, no rack before v3.
 */
export type ConsumerProtocolSubscription = StructOut<typeof subscriptionFields> & {
  /** The version the sender wrote (possibly newer than {@link CONSUMER_PROTOCOL_MAX_VERSION}). */
  version: number;
};

/** What {@link encodeSubscription} accepts: `topics` is required, the rest default. */
export type ConsumerProtocolSubscriptionIn = StructIn<typeof subscriptionFields>;

/** A member's assignment (SyncGroup assignment bytes). */
export type ConsumerProtocolAssignment = StructOut<typeof assignmentFields> & {
  /** The version the sender wrote (possibly newer than {@link CONSUMER_PROTOCOL_MAX_VERSION}). */
  version: number;
};

/** What {@link encodeAssignment} accepts. */
export type ConsumerProtocolAssignmentIn = StructIn<typeof assignmentFields>;

function checkWriteVersion(version: number, what: string): void {
  if (!Number.isInteger(version) || version < 0 || version > CONSUMER_PROTOCOL_MAX_VERSION) {
    throw new ProtocolError(`cannot write consumer protocol ${what} v${version}: versions 0-${CONSUMER_PROTOCOL_MAX_VERSION} are known`);
  }
}

/** The version to read a payload of `sent` with: ours when theirs is newer, as in the Java client. */
function readVersion(sent: number, what: string): number {
  if (sent < 0) throw new ProtocolError(`unsupported consumer protocol ${what} version ${sent}`);
  return Math.min(sent, CONSUMER_PROTOCOL_MAX_VERSION);
}

/**
 * Encodes a subscription (version prefix included). Topics and owned partitions are written as
 * given; the Java client sorts them, which {@link groupByTopic} does for owned partitions.
 */
export function encodeSubscription(subscription: ConsumerProtocolSubscriptionIn, version = CONSUMER_PROTOCOL_MAX_VERSION): Buffer {
  checkWriteVersion(version, 'subscription');
  const w = new Writer(64);
  w.int16(version);
  subscriptionStruct.write(w, subscription, version, false);
  // Copy out of the writer's oversized scratch buffer: the result is kept for the group's lifetime.
  return Buffer.from(w.finish());
}

/**
 * Decodes a subscription. Throws {@link ProtocolError} on truncated or malformed bytes or a
 * negative version. `userData` is a view into `bytes`.
 */
export function decodeSubscription(bytes: Buffer): ConsumerProtocolSubscription {
  const r = new Reader(bytes);
  const version = r.int16();
  const body = subscriptionStruct.read(r, readVersion(version, 'subscription'), false);
  return { ...body, version };
}

/** Encodes an assignment (version prefix included). */
export function encodeAssignment(assignment: ConsumerProtocolAssignmentIn, version = CONSUMER_PROTOCOL_MAX_VERSION): Buffer {
  checkWriteVersion(version, 'assignment');
  const w = new Writer(64);
  w.int16(version);
  assignmentStruct.write(w, assignment, version, false);
  return Buffer.from(w.finish());
}

/**
 * Decodes an assignment. Throws {@link ProtocolError} on truncated or malformed bytes or a
 * negative version. Note that the coordinator hands a member an empty buffer (no version at all)
 * when the leader sent it no assignment; that is the caller's case to handle, not a valid payload.
 */
export function decodeAssignment(bytes: Buffer): ConsumerProtocolAssignment {
  const r = new Reader(bytes);
  const version = r.int16();
  const body = assignmentStruct.read(r, readVersion(version, 'assignment'), false);
  return { ...body, version };
}

/** Groups partitions by topic, topics and partitions sorted (the order the Java client writes). */
export function groupByTopic(partitions: Iterable<TopicPartition>): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic);
    if (list) list.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return [...byTopic.keys()]
    .sort(compareStrings)
    .map((topic) => ({ topic, partitions: (byTopic.get(topic) as number[]).sort((a, b) => a - b) }));
}

/** Flattens grouped partitions into one entry per partition, in the order given. */
export function flattenTopicPartitions(groups: readonly TopicPartitions[]): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const { topic, partitions } of groups) for (const partition of partitions) out.push({ topic, partition });
  return out;
}

/** Orders strings by UTF-16 code units, as Java's `String.compareTo` does (not by locale). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
