/**
 * The cluster client every role builds on: bootstrap, links to brokers, metadata cache and refresh,
 * leader lookup, and requests routed to a broker at the version negotiated with it.
 *
 * Rebootstrap (KIP-899, KIP-1102): once every broker the metadata names is
 * unreachable, metadata refreshes have failed for `metadataRecoveryRebootstrapTriggerMs`, or a
 * broker answers REBOOTSTRAP_REQUIRED, requests for 'any' broker go to the bootstrap list again
 * (fresh links, so names are resolved again and no backoff is inherited) until a metadata refresh
 * succeeds.
 */
import { kafkaError, KafkaError } from '../protocol/kafka-error.js';
import { Metadata } from '../protocol/apis/metadata.js';
import { KafkaStageError } from '../errors.js';
import type { AnyApi, RequestIn, ResponseOut } from '../protocol/schema.js';
import { ZERO_UUID } from '../protocol/schema.js';
import { mergeMetadata, type ClusterMetadata, type TopicInfo } from './metadata.js';
import { LinkLog } from './link-log.js';
import { NodeLink } from './node-link.js';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './options.js';
import { RefreshFailureClock } from './rebootstrap.js';
import { withRetry } from './retry.js';
import { ErrorCode, isInvalidMetadata } from '../protocol/error-codes.js';

/** Where a request goes: a node id, any broker, or the active controller as metadata names it. */
export type RequestTarget = number | 'any';

/** Options of one request. */
export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}


/** Client of a whole cluster. One instance per role; share it between roles if you like. */
export class Cluster {
  readonly options: ResolvedClusterOptions;
  /**
   * @internal Where the links of this client log broker outages and throttling; links made
   * elsewhere for this client (the group coordinator's) share it, so one outage is one warning.
   */
  readonly linkLog: LinkLog;
  private links = new Map<number, NodeLink>();
  private bootstrap: NodeLink[];
  private current: ClusterMetadata | null = null;
  private refreshing: Promise<ClusterMetadata> | null = null;
  private closed = false;
  /** True from a rebootstrap until a metadata refresh succeeds: 'any' means a bootstrap broker. */
  private rebootstrapping = false;
  private rebootstraps = 0;
  private readonly refreshFailures = new RefreshFailureClock();
  private lastRefreshError: unknown = undefined;

  /**
   * @param options the cluster options, or options `resolveClusterOptions` already resolved (each
   *   role resolves its cluster options once, with its own, and builds its client from them)
   */
  constructor(options: ClusterOptions | ResolvedClusterOptions) {
    this.options = resolveClusterOptions(options);
    this.linkLog = new LinkLog(this.options.logger);
    this.bootstrap = this.bootstrapLinks();
  }

  /** How many times this client went back to its bootstrap list (for tests and diagnostics). */
  get rebootstrapCount(): number {
    return this.rebootstraps;
  }

  /**
   * @internal Why the last metadata refresh attempt failed, until one succeeds (undefined then): the
   * cause a caller reports when its own deadline passes while the refresh is still retrying.
   */
  get lastMetadataFailure(): unknown {
    return this.lastRefreshError;
  }

  /** Connects to a bootstrap broker and loads the broker list. */
  async connect(): Promise<void> {
    await this.refreshMetadata([]);
  }

  /** The latest metadata snapshot, or null before the first refresh. */
  get metadata(): ClusterMetadata | null {
    return this.current;
  }

  /**
   * Fetches metadata for `topics` (null: all topics; []: brokers only) and merges it into the cache.
   * Concurrent callers share one request when they ask for the same thing.
   */
  async refreshMetadata(topics: string[] | null): Promise<ClusterMetadata> {
    this.assertOpen();
    if (this.refreshing) await this.refreshing.catch(() => undefined);
    const run = withRetry(
      'metadata refresh',
      async () => {
        const recovery = this.options.metadataRecovery;
        if (recovery.strategy === 'rebootstrap' && !this.rebootstrapping && this.refreshFailures.expired(Date.now(), recovery.triggerMs)) {
          this.rebootstrap();
        }
        try {
          // The link is picked here (as `request('any', …)` would) so a malformed answer names its broker.
          const link = this.link('any');
          const conn = await link.get();
          const version = await link.versionFor(Metadata);
          const response = await conn.request(Metadata, version, {
            topics: topics === null ? (version === 0 ? [] : null) : topics.map((name) => ({ name, topicId: ZERO_UUID })),
            allowAutoTopicCreation: false,
          });
          if (response.errorCode === ErrorCode.REBOOTSTRAP_REQUIRED && recovery.strategy === 'rebootstrap') {
            this.rebootstrap();
            // Retriable: the next attempt asks a bootstrap broker.
            throw new KafkaStageError('ERR_METADATA', `broker ${link.address} asked the client to rebootstrap`, {
              context: { broker: link.address, api: 'Metadata' },
              retriable: true,
            });
          }
          const topError = kafkaError(response.errorCode, { broker: link.address, api: 'Metadata' });
          if (topError) throw topError;
          const merged = mergeMetadata(this.current, response, Date.now(), link.address);
          this.refreshFailures.succeeded();
          this.lastRefreshError = undefined;
          this.rebootstrapping = false;
          return merged;
        } catch (err) {
          this.refreshFailures.failed(Date.now());
          this.lastRefreshError = err;
          throw err;
        }
      },
      this.options.retry,
    );
    this.refreshing = run;
    try {
      this.current = await run;
      this.syncLinks(this.current);
      return this.current;
    } finally {
      if (this.refreshing === run) this.refreshing = null;
    }
  }

  /** A topic from the cache, refreshing when unknown or older than metadataMaxAgeMs. Throws KafkaError for unknown topics. */
  async topic(name: string, options: { refresh?: boolean } = {}): Promise<TopicInfo> {
    return (await this.topics([name], options)).get(name) as TopicInfo;
  }

  /**
   * Topics from the cache, by name, refreshing those unknown (or all, when the cache is older than
   * metadataMaxAgeMs) in one Metadata request: one per topic would queue each behind whatever the
   * connection carries (a Fetch waiting out its maxWaitMs), 60 topics 60 times over. Throws
   * KafkaError for the first unknown topic.
   */
  async topics(names: readonly string[], options: { refresh?: boolean } = {}): Promise<Map<string, TopicInfo>> {
    const stale = !this.current || Date.now() - this.current.fetchedAt > this.options.metadataMaxAgeMs;
    const unknown = (name: string): boolean => {
      const info = this.current?.topics.get(name);
      return !info || info.errorCode !== ErrorCode.NONE;
    };
    const missing = stale || options.refresh ? [...names] : names.filter(unknown);
    const known = missing.length > 0 ? await this.refreshMetadata([...new Set(missing)]) : (this.current as ClusterMetadata);
    const out = new Map<string, TopicInfo>();
    for (const name of names) {
      const info = known.topics.get(name);
      if (!info) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { topic: name });
      const err = kafkaError(info.errorCode, { topic: name });
      if (err) throw err;
      out.set(name, info);
    }
    return out;
  }

  /** Node id of the leader of a partition; refreshes metadata when unknown. */
  async leaderFor(topic: string, partition: number): Promise<number> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const info = await this.topic(topic, { refresh: attempt > 0 });
      const p = info.partitions[partition];
      if (!p) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, { topic, partition });
      if (p.leader >= 0 && this.current?.brokers.has(p.leader)) return p.leader;
    }
    throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, { topic, partition });
  }

  /** The version of `api` to speak with `target`. */
  async versionFor(target: RequestTarget, api: AnyApi): Promise<number> {
    return this.link(target).versionFor(api);
  }

  /**
   * Sends one request (no retry: callers decide, usually through {@link Cluster.withRetry}). The body
   * is built for the negotiated version, since bodies differ between versions (topic names or ids).
   */
  async request<A extends AnyApi>(
    target: RequestTarget,
    api: A,
    build: (version: number) => RequestIn<A>,
    options: RequestOptions = {},
  ): Promise<ResponseOut<A>> {
    this.assertOpen();
    const link = this.link(target);
    const conn = await link.get();
    const version = await link.versionFor(api);
    return conn.request(api, version, build(version), options);
  }

  /** Like {@link Cluster.request} but returns the version too, for responses whose reading depends on it. */
  async requestWithVersion<A extends AnyApi>(
    target: RequestTarget,
    api: A,
    build: (version: number) => RequestIn<A>,
    options: RequestOptions = {},
  ): Promise<{ response: ResponseOut<A>; version: number }> {
    this.assertOpen();
    const link = this.link(target);
    const conn = await link.get();
    const version = await link.versionFor(api);
    const response = await conn.request(api, version, build(version), options);
    return { response, version };
  }

  /**
   * Sends a request the broker does not answer (Produce with acks=0). Resolves once the bytes are
   * written to the socket; the version is negotiated as for {@link Cluster.request}.
   */
  async send<A extends AnyApi>(target: RequestTarget, api: A, build: (version: number) => RequestIn<A>): Promise<void> {
    this.assertOpen();
    const link = this.link(target);
    const conn = await link.get();
    const version = await link.versionFor(api);
    await conn.send(api, version, build(version));
  }

  /** Runs `operation` with the cluster's retry policy, refreshing metadata after errors that make it stale. */
  withRetry<T>(what: string, operation: (attempt: number) => Promise<T>, topics: string[] = [], signal?: AbortSignal): Promise<T> {
    return withRetry(what, operation, this.options.retry, {
      signal,
      beforeRetry: async (err) => {
        const stale =
          // NOT_CONTROLLER is no InvalidMetadataException, but it says the controller moved: Java's
          // admin client refreshes metadata for it too.
          (err instanceof KafkaError && (isInvalidMetadata(err.errorCode) || err.errorCode === ErrorCode.NOT_CONTROLLER)) ||
          (err instanceof KafkaStageError && (err.code === 'ERR_CONNECTION' || err.code === 'ERR_CONNECTION_CLOSED'));
        // A refresh that fails here is not the operation's failure: the next attempt reports what is wrong.
        if (stale) await this.refreshMetadata(topics).catch(() => undefined);
      },
    });
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.links.values(), ...this.bootstrap].map((l) => l.close()));
  }

  private link(target: RequestTarget): NodeLink {
    if (target === 'any') {
      const known = [...this.links.values()];
      if (this.rebootstrapping) {
        // Bootstrap brokers first; once they all failed too, any broker at all (the known ones may be
        // back, as when the whole cluster restarts at the same addresses).
        return this.bootstrap.every((l) => l.failing) ? pick([...this.bootstrap, ...known]) : pick(this.bootstrap);
      }
      const connected = known.find((l) => l.isConnected) ?? this.bootstrap.find((l) => l.isConnected);
      if (connected) return connected;
      if (known.length === 0) return pick(this.bootstrap);
      // KIP-899: when no known broker can be reached, the cluster may live elsewhere now.
      if (this.options.metadataRecovery.strategy === 'rebootstrap' && known.every((l) => l.failing)) {
        this.rebootstrap();
        return pick(this.bootstrap);
      }
      return pick(known);
    }
    const link = this.links.get(target);
    if (!link) {
      throw new KafkaStageError('ERR_METADATA', `broker ${target} is not in the cluster metadata`, {
        context: { broker: target },
        retriable: true,
      });
    }
    return link;
  }

  /**
   * Goes back to the bootstrap list: 'any' picks a bootstrap broker until a metadata refresh
   * succeeds. Bootstrap links not connected now are replaced by new ones, so their host names are
   * resolved again on connect and no backoff of an earlier failure is carried over; connected ones
   * are alive and kept. The staleness clock starts over.
   */
  private rebootstrap(): void {
    this.rebootstrapping = true;
    this.rebootstraps++;
    this.options.logger.info('rebootstrap: looking the cluster up again from the bootstrap brokers', {
      bootstrap: this.options.brokers.map((b) => `${b.host}:${b.port}`).join(','),
    });
    this.refreshFailures.restart(Date.now());
    this.bootstrap = this.bootstrap.map((old, i) => {
      if (old.isConnected) return old;
      void old.close();
      return this.bootstrapLink(i);
    });
  }

  private bootstrapLinks(): NodeLink[] {
    return this.options.brokers.map((_, i) => this.bootstrapLink(i));
  }

  private bootstrapLink(index: number): NodeLink {
    const b = this.options.brokers[index] as { host: string; port: number };
    return new NodeLink(-(index + 1), b.host, b.port, this.options, this.linkLog);
  }

  /** Keeps one link per advertised broker; links of brokers that left are closed. */
  private syncLinks(metadata: ClusterMetadata): void {
    for (const [id, b] of metadata.brokers) {
      const existing = this.links.get(id);
      if (existing && existing.host === b.host && existing.port === b.port) continue;
      void existing?.close();
      this.links.set(id, new NodeLink(id, b.host, b.port, this.options, this.linkLog));
    }
    for (const [id, link] of this.links) {
      if (!metadata.brokers.has(id)) {
        void link.close();
        this.links.delete(id);
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new KafkaStageError('ERR_CLOSED', 'the cluster client is closed');
  }
}

/**
 * A connected link of `pool`, else one not backing off after a failure (so a dead address is not
 * picked again and again); among equals one at random, spreading clients over the brokers.
 */
function pick(pool: readonly NodeLink[]): NodeLink {
  const connected = pool.find((l) => l.isConnected);
  if (connected) return connected;
  const soonest = Math.min(...pool.map((l) => l.readyAt));
  const ready = pool.filter((l) => l.readyAt === soonest);
  return ready[Math.floor(Math.random() * ready.length)] as NodeLink;
}
