/**
 * What a fake cluster was asked: every request any of its brokers received, in arrival order, so a
 * test can assert how often a client sent an API (one OffsetFetch, no retry loop) and to which
 * broker; and, for Fetch, what each asked for (partitions, offsets, byte limits, leader epochs).
 * Pure state; the dispatcher adds each request before it is delayed, held or answered, the Fetch
 * handler each Fetch as it takes it up.
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

/** One partition of a Fetch, as the client asked for it. */
export interface FakeFetchPartition {
  /** The topic's name (resolved from its id when the Fetch names topics by id); '' for an unknown id. */
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  /** The partition's byte limit (`partitionMaxBytes`). */
  readonly maxBytes: number;
  /** The leader epoch the client knows (-1: not checked). */
  readonly currentLeaderEpoch: number;
}

/** One Fetch a broker of the fake cluster took up. */
export interface FakeFetchSeen {
  /** The broker (node id) it came to. */
  readonly broker: number;
  /** The request's byte limit over all partitions (`maxBytes`). */
  readonly maxBytes: number;
  readonly partitions: readonly FakeFetchPartition[];
}

/** Every request received, per API key, and every Fetch's partitions. */
export class RequestLog {
  private readonly byApi = new Map<number, FakeRequestSeen[]>();
  private readonly fetchList: FakeFetchSeen[] = [];

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

  /** Notes what one Fetch asked for. */
  addFetch(seen: FakeFetchSeen): void {
    this.fetchList.push(seen);
  }

  /** The Fetches taken up so far, oldest first (a copy). */
  fetches(): FakeFetchSeen[] {
    return [...this.fetchList];
  }
}
