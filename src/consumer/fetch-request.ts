/**
 * One broker's Fetch request as the scheduler sends it, and the lookup of its answer: the request
 * body for a negotiated version (topic names before v13, topic ids from v13 on) and an index that
 * finds, for each partition of the response, the entry the request was built from.
 */
import { IsolationLevel, type Fetch } from '../protocol/apis/fetch.js';
import type { RequestIn, ResponseOut } from '../protocol/schema.js';

/** Topic ids name topics in Fetch from this version on. */
export const FIRST_TOPIC_ID_VERSION = 13;

/** What one partition of a Fetch asks for. */
export interface FetchPart {
  topic: string;
  /** Topic id from metadata (v13+). */
  topicId: string;
  partition: number;
  fetchOffset: number;
  /** Leader epoch the broker fences against; -1 when unknown. */
  currentLeaderEpoch: number;
  partitionMaxBytes: number;
}

/** The per-request settings of a Fetch. */
export interface FetchRequestSettings {
  maxWaitMs: number;
  minBytes: number;
  readCommitted: boolean;
}

/** A Fetch response's partition entry. */
/** A Fetch response, as decoded. */
export type FetchResponse = ResponseOut<typeof Fetch>;
/** One partition of a Fetch response. */
export type FetchResponsePartition = ResponseOut<typeof Fetch>['responses'][number]['partitions'][number];

/**
 * The request body: every part grouped by topic, in the order given (the broker fills partitions
 * in request order, and only the first one it fills may overshoot its limit with one whole batch).
 * Names and ids both go in; the schema writes the one the negotiated version carries. No fetch
 * session: a full fetch each time (session id 0, epoch -1).
 */
export function buildFetchRequest(parts: readonly FetchPart[], settings: FetchRequestSettings): RequestIn<typeof Fetch> {
  const topics: RequestIn<typeof Fetch>['topics'] = [];
  const byTopic = new Map<string, RequestIn<typeof Fetch>['topics'][number]>();
  let maxBytes = 0;
  for (const part of parts) {
    let topic = byTopic.get(part.topic);
    if (!topic) {
      topic = { topic: part.topic, topicId: part.topicId, partitions: [] };
      byTopic.set(part.topic, topic);
      topics.push(topic);
    }
    topic.partitions.push({
      partition: part.partition,
      currentLeaderEpoch: part.currentLeaderEpoch,
      fetchOffset: BigInt(part.fetchOffset),
      partitionMaxBytes: part.partitionMaxBytes,
    });
    maxBytes += part.partitionMaxBytes;
  }
  return {
    maxWaitMs: settings.maxWaitMs,
    minBytes: settings.minBytes,
    maxBytes: Math.min(maxBytes, 0x7fffffff),
    isolationLevel: settings.readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED,
    sessionId: 0,
    sessionEpoch: -1,
    topics,
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** Finds the part a response partition answers: by topic id from v13, by name before. */
export class FetchPartIndex<P extends FetchPart> {
  private readonly parts = new Map<string, P>();

  constructor(
    private readonly version: number,
    parts: readonly P[],
  ) {
    for (const p of parts) this.parts.set(this.key(p.topic, p.topicId, p.partition), p);
  }

  /** The part for `partition` of a response topic entry, or undefined when the request had none. */
  find(topic: { topic: string; topicId: string }, partition: number): P | undefined {
    return this.parts.get(this.key(topic.topic, topic.topicId, partition));
  }

  private key(name: string, id: string, partition: number): string {
    return `${this.version >= FIRST_TOPIC_ID_VERSION ? id : name}:${partition}`;
  }
}
