/**
 * A consumer group member: the product's main shape. Every partition the group assigns to this
 * member becomes a {@link PartitionStage} handed to the subscriber factory (or fed into the merged
 * stream); records flow on demand; acks become commits; rebalances and stop() drain and commit the
 * acked prefix; fencing drops the assignment without committing.
 *
 * ```ts
 * const group = new ConsumerGroup({ brokers, groupId: 'billing', topics: ['orders'] }, async (stage) => {
 *   for await (const batch of stage.batches({ maxDemand: 200 })) {
 *     for (const record of batch.records) await handle(record);
 *     await stage.ack(batch);
 *   }
 * });
 * await group.start();
 * // ...
 * await group.stop();
 * ```
 */
import { Cluster } from '../cluster/cluster.js';
import { ConsumerProtocolMembership } from '../group/consumer-protocol-membership.js';
import { GroupMembership } from '../group/membership.js';
import type { MembershipListener } from '../group/membership-contracts.js';
import { checkSubscriber } from '../options/validate.js';
import { KafkaStageError } from '../errors.js';
import type { TopicPartition } from './contracts.js';
import { createDeadLetterProducer } from './dead-letter.js';
import { clusterOptionsOf } from '../cluster/options.js';
import { resolveConsumerGroupOptions, type ConsumerGroupOptions, type ResolvedConsumerGroupOptions } from './options.js';
import { StageHost, type SubscriberFactory } from './stage-host.js';
import { ConsumerBase } from './consumer-base.js';

export type { SubscriberFactory, SubscriberContext } from './stage-host.js';

type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** One member of a consumer group (classic or KIP-848 `consumer` protocol). Events: see {@link ConsumerEvents}. */
export class ConsumerGroup<E = unknown> extends ConsumerBase<E> {
  /** The options after defaults and validation. */
  readonly options: ResolvedConsumerGroupOptions;
  private readonly cluster: Cluster;
  protected readonly host: StageHost<E>;
  /** Classic (JoinGroup/SyncGroup) or KIP-848 (ConsumerGroupHeartbeat) membership, as `groupProtocol` says. */
  private readonly membership: GroupMembership | ConsumerProtocolMembership;
  private phase: Phase = 'new';
  private stopping: Promise<void> | null = null;
  /** Why the first assignment could not be started (start() rejects with it). */
  private startFailure: Error | null = null;

  /**
   * @param options group, topics, brokers and tuning; invalid options throw InvalidOptionError naming the option
   * @param subscriber called with the stage of every partition assigned to this member; omit it to use {@link stream}
   * @param extra handed to every subscriber call (the Elixir `extra_consumer_args`)
   */
  constructor(options: ConsumerGroupOptions, subscriber?: SubscriberFactory<E>, extra?: E) {
    super();
    this.options = resolveConsumerGroupOptions(options);
    checkSubscriber(subscriber);
    this.cluster = new Cluster(this.options.cluster);
    const listener: MembershipListener = {
      onAssigned: (partitions, generationId) => this.assigned(partitions, generationId),
      // Signals of a stop say 'stopped' (membership.stop revokes through this listener).
      onRevoked: (partitions) => this.host.revoke(partitions, this.host.stopping ? 'stopped' : 'revoked'),
      onLost: async (partitions) => this.host.lose(partitions, 'the group fenced this member or its session expired'),
    };
    this.membership =
      this.options.groupProtocol === 'consumer'
        ? new ConsumerProtocolMembership(this.cluster, this.options, listener)
        : new GroupMembership(this.cluster, this.options, listener);
    this.membership.on('error', (err) => this.publish('error', err));
    this.host = new StageHost<E>(
      this.cluster,
      this.options,
      {
        // Membership adds generation and member id, and refuses partitions this member does not own.
        // A fencing error is not retried with a newer generation (that would commit a zombie's acks):
        // membership notices on its next heartbeat and reports the partitions lost.
        commit: (offsets) => this.membership.commitOffsets(offsets),
        fetchCommitted: (partitions, signal) => this.membership.fetchCommittedOffsets(partitions, signal),
        owns: (topic, partition) => this.membership.assignment.some((tp) => tp.topic === topic && tp.partition === partition),
        createDeadLetterProducer: () => createDeadLetterProducer(clusterOptionsOf(options)),
      },
      this,
      subscriber ?? null,
      extra as E,
    );
  }

  /**
   * Connects, joins the group and sets up the first assignment. Resolves once joined and the
   * assigned partitions' stages have started.
   *
   * A partition that cannot be started is never held silently. Under `autoOffsetReset: 'none'` a
   * partition without a committed offset is a `NoOffsetError` (`ERR_NO_OFFSET`, naming the
   * partitions), as Java's poll() throws NoOffsetForPartitionException: the member gives its
   * partitions back by leaving the group (stop()), and start() rejects with that error. The same
   * holds when the committed or reset offsets cannot be looked up: each look-up retries with the
   * cluster's retry policy, a failed round is reported as an `error` event and tried again
   * (3 rounds), and after the last the member leaves and start() rejects with the failure.
   * After start(), such a failure in a later assignment is an `error` event (the NoOffsetError, or
   * the last look-up failure), and the member stops (drains what it has, commits, leaves) so the
   * group can give the partitions to others: restart it once offsets are committed or reset.
   *
   * @throws NoOffsetError, or the look-up failure, as above
   * @throws KafkaStageError `ERR_CLOSED` when stop() was called before start() finished, or
   *   before this call; `ERR_ALREADY_STARTED` when start() was called before (the consumer runs on
   *   undisturbed)
   */
  async start(): Promise<void> {
    if (this.phase !== 'new') {
      // A running consumer is not closed: telling its caller ERR_CLOSED would send them the wrong way.
      const code = this.phase === 'starting' || this.phase === 'running' ? 'ERR_ALREADY_STARTED' : 'ERR_CLOSED';
      throw new KafkaStageError(code, `start() called on a consumer that is ${this.phase}`);
    }
    this.phase = 'starting';
    try {
      await this.cluster.connect();
      this.host.start();
      await this.membership.start();
      if (this.startFailure) throw this.startFailure;
      if (this.phase !== 'starting') throw new KafkaStageError('ERR_CLOSED', 'stop() was called before start() finished');
      this.phase = 'running';
    } catch (err) {
      // stop() called during start(): whatever failed on the way is a consequence of it.
      const stoppedMeanwhile = this.stopping !== null && this.startFailure === null;
      await this.stop().catch(() => undefined);
      if (stoppedMeanwhile && !(err instanceof KafkaStageError && err.code === 'ERR_CLOSED')) {
        throw new KafkaStageError('ERR_CLOSED', 'stop() was called before start() finished', { cause: err });
      }
      throw err;
    }
  }

  /**
   * Drains every partition (up to drainTimeoutMs), commits the acked prefix, leaves the group,
   * closes. Subscribers still running drainTimeoutMs after stop() began are left behind and named
   * in an `error` event (`SubscriberTimeoutError`): stop() resolves regardless. Subscriber signals
   * abort with reason 'stopped'. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.phase = 'stopping';
      // Before membership revokes through the listener: the drain deadline starts now, and
      // nothing is assigned or released any more.
      this.host.beginStop();
      try {
        // Membership revokes every partition through the listener (drain + commit), then leaves.
        await this.membership.stop();
      } finally {
        await this.host.stop();
        await this.cluster.close();
        this.phase = 'stopped';
      }
    })();
    return this.stopping;
  }

  /** The listener's onAssigned: starts the stages, and gives the partitions back when that fails. */
  private async assigned(partitions: readonly TopicPartition[], generationId: number): Promise<void> {
    try {
      await this.host.assign(partitions, generationId);
    } catch (err) {
      if (this.host.stopping) return;
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.phase === 'starting') {
        // start() rejects with it (and stops) once membership hands control back.
        this.startFailure ??= error;
        return;
      }
      this.publish('error', error);
      // Not awaited: membership awaits this listener, and its stop waits for the listener's return.
      void this.stop().catch(() => undefined);
    }
  }

  /** The member id the coordinator gave this member ('' before joining). */
  get memberId(): string {
    return this.membership.memberId;
  }

  protected override generationForRelease(): number {
    return this.membership.generationId;
  }

  /**
   * The current generation (-1 before joining); under `groupProtocol: 'consumer'` the member epoch
   * (0 before joining), which fences commits the same way.
   */
  get generationId(): number {
    return this.membership.generationId;
  }
}
