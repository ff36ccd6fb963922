/**
 * What a fake cluster was asked: every request any of its brokers received, in arrival order, so a
 * test can assert how often a client sent an API (one OffsetFetch, no retry loop), to which broker,
 * and what it said (the member id of a JoinGroup, the generation of an OffsetCommit). Pure state;
 * the dispatcher adds to it before a request is delayed or answered.
 */

/** One request a broker of the fake cluster received. */
export interface FakeRequestSeen<Body = unknown> {
  /** Kafka's name of the API (`'Fetch'`). */
  readonly api: string;
  /** The broker (node id) it came to. */
  readonly broker: number;
  /** Its API version. */
  readonly version: number;
  /**
   * The request as the project's schema decodes it: Kafka's field names in camelCase
   * (`memberId`, `generationIdOrMemberEpoch`, `topics[].partitions[].committedOffset`).
   */
  readonly body: Body;
}

/** How many requests of one API the log keeps: the oldest go first, so a long test's Fetch loop stays bounded. */
const KEPT_PER_API = 10_000;

/** Every request received, per API key. */
export class RequestLog {
  private readonly byApi = new Map<number, FakeRequestSeen[]>();

  /** Notes one request of `apiKey`. */
  add(apiKey: number, seen: FakeRequestSeen): void {
    let list = this.byApi.get(apiKey);
    if (!list) this.byApi.set(apiKey, (list = []));
    list.push(seen);
    if (list.length > KEPT_PER_API) list.shift();
  }

  /** The requests of `apiKey` received so far, oldest first (a copy). */
  of(apiKey: number): FakeRequestSeen[] {
    return [...(this.byApi.get(apiKey) ?? [])];
  }
}
