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
import { GroupMembership } from '../group/membership.js';
import { KafkaStageError } from '../protocol/errors.js';
import type { MembershipListener } from './contracts.js';
import { resolveConsumerGroupOptions, type ConsumerGroupOptions, type ResolvedConsumerGroupOptions } from './options.js';
import { StageHost, type SubscriberFactory } from './stage-host.js';
import { ConsumerBase } from './consumer-base.js';

export type { SubscriberFactory, SubscriberContext } from './stage-host.js';

type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/** One member of a consumer group (classic protocol). Events: see {@link ConsumerEvents}. */
export class ConsumerGroup<E = unknown> extends ConsumerBase<E> {
  /** The options after defaults and validation. */
  readonly options: ResolvedConsumerGroupOptions;
  private readonly cluster: Cluster;
  protected readonly host: StageHost<E>;
  private readonly membership: GroupMembership;
  private phase: Phase = 'new';
  private stopping: Promise<void> | null = null;

  /**
   * @param options group, topics, brokers and tuning; invalid options throw InvalidOptionError naming the option
   * @param subscriber called with the stage of every partition assigned to this member; omit it to use {@link stream}
   * @param extra handed to every subscriber call (the Elixir `extra_consumer_args`)
   */
  constructor(options: ConsumerGroupOptions, subscriber?: SubscriberFactory<E>, extra?: E) {
    super();
    this.options = resolveConsumerGroupOptions(options);
    this.cluster = new Cluster(options);
    const listener: MembershipListener = {
      onAssigned: (partitions, generationId) => this.host.assign(partitions, generationId),
      onRevoked: (partitions) => this.host.revoke(partitions),
      onLost: async (partitions) => this.host.lose(partitions, 'the group fenced this member or its session expired'),
    };
    this.membership = new GroupMembership(this.cluster, this.options, listener);
    this.membership.on('error', (err) => this.publish('error', err));
    this.host = new StageHost<E>(
      this.cluster,
      this.options,
      {
        // Membership adds generation and member id, and refuses partitions this member does not own.
        // A fencing error is not retried with a newer generation (that would commit a zombie's acks):
        // membership notices on its next heartbeat and reports the partitions lost.
        commit: (offsets) => this.membership.commitOffsets(offsets),
        fetchCommitted: (partitions) => this.membership.fetchCommittedOffsets(partitions),
      },
      this,
      subscriber ?? null,
      extra as E,
    );
  }

  /** Connects, joins the group and sets up the first assignment. Resolves once joined. */
  async start(): Promise<void> {
    if (this.phase !== 'new') throw new KafkaStageError('ERR_CLOSED', `start() called on a consumer that is ${this.phase}`);
    this.phase = 'starting';
    try {
      await this.cluster.connect();
      this.host.start();
      await this.membership.start();
      this.phase = 'running';
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  /** Drains every partition (up to drainTimeoutMs), commits the acked prefix, leaves the group, closes. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.phase = 'stopping';
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


  /** The member id the coordinator gave this member ('' before joining). */
  get memberId(): string {
    return this.membership.memberId;
  }

  protected override generationForRelease(): number {
    return this.membership.generationId;
  }

  /** The current generation (-1 before joining). */
  get generationId(): number {
    return this.membership.generationId;
  }
}
