/**
 * The request log of a fake cluster: every request its brokers handled, in the order they began
 * handling them, with what a test asserts on — which partitions it named, which batches a Produce
 * carried (with their producer fields) and what was answered for them, how many requests were in
 * flight on its connection, and whether the answer was sent or lost. Pure state; the dispatcher
 * opens an entry per request and the handlers fill it in.
 */

/** A topic-partition a request names (`partition` absent for APIs that name topics only). */
export interface TouchedPartition {
  topic: string;
  partition?: number;
}

/** One record batch a Produce request carried, as its header says, and what the broker answered for it. */
export interface FakeProducedBatch {
  readonly topic: string;
  readonly partition: number;
  /** -1 for a producer that is not idempotent. */
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly recordCount: number;
  /** The error code answered for the batch's partition (0: written); null until answered. */
  readonly errorCode: number | null;
}

/** What became of a request's answer. */
export type FakeAnswerFate = 'pending' | 'sent' | 'none' | 'closed';

/**
 * One request a broker of the fake cluster handled, as {@link FakeKafkaCluster.requests} lists it.
 * `Body` types {@link FakeRequest.body} for the caller; it is not checked.
 */
export interface FakeRequest<Body = unknown> {
  /** Kafka's name of the API (`'Produce'`). */
  readonly api: string;
  readonly apiKey: number;
  /** 0 for the first request of this API the cluster handled, 1 for the next, and so on. */
  readonly index: number;
  readonly version: number;
  /** Node id of the broker it came to. */
  readonly broker: number;
  /** The client connection it came on: a number unique within the cluster. */
  readonly connection: number;
  /**
   * The request as the project's schema decodes it: Kafka's field names in camelCase
   * (`memberId`, `generationIdOrMemberEpoch`, `topics[].partitions[].committedOffset`).
   */
  readonly body: Body;
  /** The topic-partitions it named, once its handler has read them. */
  readonly partitions: readonly TouchedPartition[];
  /** The batches of a Produce request, one per partition; empty for other APIs. */
  readonly batches: readonly FakeProducedBatch[];
  /** The error a `fail` rule injected into it, if one did. */
  readonly injectedError: number | null;
  /**
   * Requests of the same API on the same connection received and not yet answered when this one
   * was answered, itself included (0 while pending): the client's requests in flight.
   */
  readonly inFlight: number;
  /**
   * `sent`; `none`: no answer (a Produce with acks=0, or lost by `loseAnswer` with `how: 'ignore'`);
   * `closed`: the connection closed instead (`loseAnswer`'s default); `pending` until then.
   */
  readonly answer: FakeAnswerFate;
}

/** The mutable entry behind a {@link FakeRequest}: only the dispatcher and the handlers write it. */
export interface RequestEntry extends FakeRequest {
  partitions: TouchedPartition[];
  batches: { -readonly [K in keyof FakeProducedBatch]: FakeProducedBatch[K] }[];
  injectedError: number | null;
  inFlight: number;
  answer: FakeAnswerFate;
}

/** Every request the cluster handled, per API. */
export class RequestLog {
  private readonly byApi = new Map<number, RequestEntry[]>();

  /** Opens the entry of a request the dispatcher begins handling. */
  open(request: Pick<FakeRequest, 'api' | 'apiKey' | 'version' | 'broker' | 'connection' | 'body'>): RequestEntry {
    const list = this.byApi.get(request.apiKey) ?? [];
    this.byApi.set(request.apiKey, list);
    const entry: RequestEntry = { ...request, index: list.length, partitions: [], batches: [], injectedError: null, inFlight: 0, answer: 'pending' };
    list.push(entry);
    return entry;
  }

  /** The requests of `apiKey`, oldest first. */
  of(apiKey: number): readonly FakeRequest[] {
    return [...(this.byApi.get(apiKey) ?? [])];
  }
}
