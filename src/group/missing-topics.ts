/**
 * Subscribed topics that metadata does not list. Kafka's own answer to them is silence: the group
 * assigns the topics that exist and looks again at the next metadata refresh (`metadataMaxAgeMs`,
 * 5 minutes by default), so a consumer started before its topic was created sat idle for minutes
 * without a word. Here a missing topic is logged as a warning once (again only if it disappears
 * after having appeared), and metadata is looked at again on a short schedule,
 * {@link MISSING_TOPIC_RETRY}, until it appears; the owner then rebalances so the topic is assigned.
 */
import type { ClusterMetadata } from '../cluster/metadata.js';
import type { Logger } from '../logger.js';
import { TopicAuthorizationError } from '../protocol/kafka-error.js';
import type { TopicPartition } from '../protocol/topic-partition.js';
import { ErrorCode } from '../protocol/error-codes.js';

/** The schedule of look-ups while a subscribed topic is missing: 1 s, doubling, at most every 5 s. */
export const MISSING_TOPIC_RETRY = Object.freeze({ initialMs: 1_000, maxMs: 5_000 });

/** The delay before look-up number `attempt` (0-based) of {@link MISSING_TOPIC_RETRY}. */
export function missingTopicDelay(attempt: number): number {
  return Math.min(MISSING_TOPIC_RETRY.maxMs, MISSING_TOPIC_RETRY.initialMs * 2 ** Math.min(attempt, 20));
}

/**
 * Topics of `wanted` that `metadata` does not list, or lists without one of the wanted partitions
 * (or with an error, as a topic being created is for a moment). A topic the principal may not
 * describe is not absent: waiting would never end, so the caller's own request reports it.
 */
export function absentTopics(metadata: ClusterMetadata, wanted: readonly TopicPartition[]): string[] {
  const absent = new Set<string>();
  for (const { topic, partition } of wanted) {
    const info = metadata.topics.get(topic);
    if (info?.errorCode === TopicAuthorizationError.ERROR_CODE) continue;
    if (!info || info.errorCode !== ErrorCode.NONE || info.partitions.length <= partition) absent.add(topic);
  }
  return [...absent];
}

/** What a {@link MissingTopicWatch} needs of its owner. */
export interface MissingTopicWatchHost {
  logger: Logger;
  /** What the warning says is missing, e.g. 'subscribed topic does not exist'. */
  what: string;
  /** Fields every warning carries (e.g. `{ group }`). */
  fields: Readonly<Record<string, string>>;
  /**
   * Looks metadata up again: the topics still missing, or `'skip'` when no look-up should happen
   * now (e.g. a rebalance is running; the watch tries again at its next turn).
   */
  lookUp(): Promise<readonly string[] | 'skip'>;
  /** Some of the missing topics exist now. */
  appeared(topics: readonly string[]): void;
}

/** Warns once per missing topic and looks again on {@link MISSING_TOPIC_RETRY} until each appears. */
export class MissingTopicWatch {
  private readonly warned = new Set<string>();
  private missing: readonly string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = false;

  constructor(private readonly host: MissingTopicWatchHost) {}

  /** The subscribed topics missing from the latest metadata (empty: none). */
  get missingTopics(): readonly string[] {
    return this.missing;
  }

  /** Takes the outcome of a metadata look-up: warns about newly missing topics and (re)starts or ends the look-ups. */
  update(missing: readonly string[]): void {
    this.stopped = false;
    for (const topic of missing) {
      if (this.warned.has(topic)) continue;
      this.warned.add(topic);
      this.host.logger.warn(
        `${this.host.what}; looking again every ${MISSING_TOPIC_RETRY.initialMs / 1000}-${MISSING_TOPIC_RETRY.maxMs / 1000} s until it appears`,
        { ...this.host.fields, topic },
      );
    }
    // A topic that appeared is warned about again should it go missing later.
    for (const topic of [...this.warned]) if (!missing.includes(topic)) this.warned.delete(topic);
    this.missing = [...missing];
    if (missing.length === 0) this.cancelTimer();
    else if (this.timer === null) {
      this.attempt = 0;
      this.schedule();
    }
  }

  /** Ends the look-ups (the owner stopped, or another member took over); warnings are kept. */
  stop(): void {
    this.stopped = true;
    this.missing = [];
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.poll(), missingTopicDelay(this.attempt++));
    // Waiting for a topic must not keep the process alive on its own.
    this.timer.unref();
  }

  private poll(): void {
    this.host
      .lookUp()
      .then(
        (still) => {
          if (this.stopped || this.timer === null) return;
          this.timer = null;
          if (still === 'skip') return this.schedule();
          const appeared = this.missing.filter((topic) => !still.includes(topic));
          if (appeared.length === 0) return this.schedule();
          this.missing = this.missing.filter((topic) => still.includes(topic));
          for (const topic of appeared) this.warned.delete(topic);
          this.host.appeared(appeared);
          if (this.missing.length > 0) this.schedule();
        },
        () => {
          // A failed look-up (broker unreachable) is reported by the cluster client; try again later.
          if (this.stopped || this.timer === null) return;
          this.timer = null;
          this.schedule();
        },
      );
  }
}
