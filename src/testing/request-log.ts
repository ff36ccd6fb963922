/**
 * What a fake cluster was asked: every request any of its brokers received, in arrival order, so a
 * test can assert how often a client sent an API (one OffsetFetch, no retry loop) and to which
 * broker. Pure state; the dispatcher adds to it before a request is delayed, held or answered.
 */

/** One request a broker of the fake cluster received. */
export interface FakeRequestSeen {
  /** Kafka's name of the API (`'Fetch'`). */
  readonly api: string;
  /** The broker (node id) it came to. */
  readonly broker: number;
  /** Its API version. */
  readonly version: number;
}

/** Every request received, per API key. */
export class RequestLog {
  private readonly byApi = new Map<number, FakeRequestSeen[]>();

  /** Notes one request of `apiKey`. */
  add(apiKey: number, seen: FakeRequestSeen): void {
    let list = this.byApi.get(apiKey);
    if (!list) this.byApi.set(apiKey, (list = []));
    list.push(seen);
  }

  /** The requests of `apiKey` received so far, oldest first (a copy). */
  of(apiKey: number): FakeRequestSeen[] {
    return [...(this.byApi.get(apiKey) ?? [])];
  }
}
