/**
 * A consumer of explicit partitions, without group membership (the Elixir library's standalone
 * use). Each partition starts at its given offset, else its committed offset in `groupId` (when
 * given), else the reset policy. Commits, when a `groupId` is given and the strategy is not `none`,
 * are made as Java's standalone consumer makes them: generation -1, no member id.
 */
import { Cluster } from '../cluster/cluster.js';
import { GroupCoordinator } from '../group/coordinator.js';
import { absentTopics, MissingTopicWatch } from '../group/missing-topics.js';
import { commitOffsetsTo, fetchCommittedOffsetsFrom, STANDALONE_COMMIT } from '../group/offsets.js';
import { checkSubscriber } from '../options/validate.js';
import { InvalidOptionError, KafkaStageError } from '../errors.js';
import { tpKey } from './contracts.js';
import { createDeadLetterProducer } from './dead-letter.js';
import { clusterOptionsOf } from '../cluster/options.js';
import { resolveStandaloneOptions, type ResolvedStandaloneOptions, type StandaloneConsumerOptions } from './options.js';
import { StageHost, type SubscriberFactory } from './stage-host.js';
import { ConsumerBase } from './consumer-base.js';
import type { TopicPartitionOffset } from '../protocol/topic-partition.js';

/** A consumer of explicit partitions. Events as {@link ConsumerGroup}'s (no rebalances). */
export class StandaloneConsumer<E = unknown> extends ConsumerBase<E> {
  /** The options after defaults and validation. */
  readonly options: ResolvedStandaloneOptions;
  private readonly cluster: Cluster;
  protected readonly host: StageHost<E>;
  private readonly coordinator: GroupCoordinator | null;
  private started = false;
  private stopping: Promise<void> | null = null;
  /** Topics of `partitions` that do not exist yet: warned about, looked up again, started when they appear. */
  private readonly missingTopics: MissingTopicWatch;

  /**
   * @param options partitions (with optional start offsets), brokers, optional groupId for commits
   * @param subscriber called with the stage of every partition; omit it to use {@link stream}
   * @param extra handed to every subscriber call
   */
  constructor(options: StandaloneConsumerOptions, subscriber?: SubscriberFactory<E>, extra?: E) {
    super();
    this.options = resolveStandaloneOptions(options);
    checkSubscriber(subscriber);
    this.cluster = new Cluster(this.options.cluster);
    const groupId = this.options.groupId;
    this.coordinator = groupId === null ? null : new GroupCoordinator(this.cluster, groupId);
    this.host = new StageHost<E>(
      this.cluster,
      this.options,
      {
        commit: async (offsets) => {
          if (!this.coordinator) return;
          await commitOffsetsTo(this.coordinator, STANDALONE_COMMIT, offsets);
        },
        fetchCommitted: async (partitions, signal) => {
          const out = new Map<string, number | null>();
          if (!this.coordinator) return out;
          const committed = await fetchCommittedOffsetsFrom(this.coordinator, partitions, { signal });
          for (const [key, c] of committed) out.set(key, c === null ? null : c.offset);
          return out;
        },
        createDeadLetterProducer: () => createDeadLetterProducer(clusterOptionsOf(options)),
      },
      this,
      subscriber ?? null,
      extra as E,
    );
    this.missingTopics = new MissingTopicWatch({
      logger: this.cluster.options.logger,
      what: 'topic (or a partition asked for) does not exist',
      fields: groupId === null ? {} : { group: groupId },
      lookUp: async () => {
        if (this.stopping) return 'skip';
        const waiting = this.options.partitions.filter((p) => this.missingTopics.missingTopics.includes(p.topic));
        return absentTopics(await this.cluster.refreshMetadata([...new Set(waiting.map((p) => p.topic))]), waiting);
      },
      appeared: (topics) => {
        this.assignPartitions(topics).catch((err: unknown) => this.publish('error', err instanceof Error ? err : new Error(String(err))));
      },
    });
  }

  /**
   * Connects and sets up every partition (start offsets resolved); resolves when fetching has begun.
   * A partition whose topic does not exist yet (or has fewer partitions) is not a failure: it is
   * logged as a warning once per topic, metadata is looked up again after 1 s, 2 s, 4 s, then every
   * 5 s, and the partition starts as soon as it exists.
   *
   * @throws NoOffsetError (`ERR_NO_OFFSET`) under `autoOffsetReset: 'none'` when a partition without
   *   a given offset has no committed one (Java's `NoOffsetForPartitionException`); the consumer is
   *   stopped first
   * @throws KafkaStageError `ERR_CLOSED` when stop() was called before start() finished: nothing
   *   was started (no stage, no subscriber call, no timer), or before this call
   * @throws KafkaStageError `ERR_ALREADY_STARTED` when start() was called before (the consumer runs
   *   on undisturbed)
   */
  async start(): Promise<void> {
    // A running consumer is not closed: telling its caller ERR_CLOSED would send them the wrong way.
    if (this.stopping) throw new KafkaStageError('ERR_CLOSED', this.started ? 'the consumer was stopped' : 'stop() was called before start()');
    if (this.started) throw new KafkaStageError('ERR_ALREADY_STARTED', 'start() was already called');
    this.started = true;
    try {
      await this.cluster.connect();
      this.throwIfStopped();
      this.host.start();
      // A topic that does not exist yet is a warning and is waited for, not a failure of start().
      const topics = [...new Set(this.options.partitions.map((p) => p.topic))];
      const absent = absentTopics(await this.cluster.refreshMetadata(topics), this.options.partitions);
      this.missingTopics.update(absent);
      await this.assignPartitions(topics.filter((t) => !absent.includes(t)));
      this.throwIfStopped();
    } catch (err) {
      // stop() called during start(): whatever failed on the way is a consequence of it.
      const stoppedMeanwhile = this.stopping !== null;
      await this.stop().catch(() => undefined);
      if (stoppedMeanwhile && !(err instanceof KafkaStageError && err.code === 'ERR_CLOSED')) {
        throw new KafkaStageError('ERR_CLOSED', 'stop() was called before start() finished', { cause: err });
      }
      throw err;
    }
  }

  /** Starts the partitions of `topics`, at their given offsets where the options name one. */
  private async assignPartitions(topics: readonly string[]): Promise<void> {
    const partitions = this.options.partitions.filter((p) => topics.includes(p.topic));
    if (partitions.length === 0) return;
    const given = new Map<string, number>();
    for (const p of partitions) if (p.offset !== null) given.set(tpKey(p.topic, p.partition), p.offset);
    await this.host.assign(
      partitions.map(({ topic, partition }) => ({ topic, partition })),
      -1,
      given,
    );
  }

  private throwIfStopped(): void {
    if (this.stopping) throw new KafkaStageError('ERR_CLOSED', 'stop() was called before start() finished');
  }

  /**
   * Drains (up to drainTimeoutMs), commits the acked prefix (if committing), closes. Resolves within
   * about drainTimeoutMs even when subscribers ignore their signal (they are named in an `error`
   * event, `SubscriberTimeoutError`). Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.missingTopics.stop();
      this.host.beginStop();
      try {
        await this.host.stop();
      } finally {
        await this.coordinator?.close();
        await this.cluster.close();
      }
    })();
    return this.stopping;
  }

  /** Commits every partition's acked prefix now, or exactly `offset` of one partition. Needs a groupId. */
  override async commit(target?: TopicPartitionOffset): Promise<void> {
    if (!this.coordinator) throw new InvalidOptionError('groupId', 'commit() needs a groupId');
    return super.commit(target);
  }
}
