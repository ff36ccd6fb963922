/**
 * The group coordinator of the model: the stage host's owner. It holds the committed offsets,
 * answers commits after a latency in model time (a mocked `setTimeout`), and fails or fences them
 * on command, as a broker would with a retriable error or ILLEGAL_GENERATION.
 */
import type { OffsetToCommit } from '../../src/group/membership-contracts.js';
import type { TopicPartition } from '../../src/consumer/contracts.js';
import type { StageHostOwner } from '../../src/consumer/stage-host.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';

/** How the coordinator answers commits now. */
export type CommitMode = 'ok' | 'fail' | 'fence';

/** What the coordinator tells the oracle. */
export interface CoordinatorRecorder {
  /** A commit was sent (checked when sent: ownership, acked prefix). */
  onCommitSent(offsets: readonly OffsetToCommit[]): void;
  /** A commit became durable. */
  onCommitDurable(offsets: readonly OffsetToCommit[]): void;
}

const COORDINATOR_NOT_AVAILABLE = 15;
const ILLEGAL_GENERATION = 22;

/** See the module documentation. */
export class ModelCoordinator implements StageHostOwner {
  readonly committed = new Map<string, number>();
  mode: CommitMode = 'ok';
  /** The group generation: a commit stamped with an older one is fenced when it arrives. */
  generation = 1;
  /** Model milliseconds a commit takes to be answered; 0: the next microtask. */
  latencyMs = 0;
  /** Commits sent, and how many are unanswered. */
  sent = 0;
  inFlight = 0;
  /**
   * A commit was fenced on command ('fence') since the member last rejoined: the real member's commit
   * gate reports that to its membership, which loses everything and rejoins (see liveness `finish`).
   */
  fencedSinceRejoin = false;
  /**
   * The last commit sent was one the coordinator fails ('fail'): an `async` commit manager retries it
   * after its backoff, with no new ack needed (see liveness `finish`).
   */
  lastSentFailing = false;
  /** Errors the host reported through `onCommitError`. */
  readonly reportedErrors: Error[] = [];

  constructor(
    private readonly recorder: CoordinatorRecorder,
    /** Whether the member owns a partition now (the group's assignment, as the model keeps it). */
    private readonly owned: (partition: number) => boolean,
  ) {}

  owns(_topic: string, partition: number): boolean {
    return this.owned(partition);
  }

  commit(offsets: readonly OffsetToCommit[]): Promise<void> {
    this.sent++;
    this.inFlight++;
    this.recorder.onCommitSent(offsets);
    // The outcome is decided when the commit is sent, as the coordinator judges the request it got.
    const mode = this.mode;
    const generation = this.generation;
    this.lastSentFailing = mode === 'fail';
    const copy = offsets.map((o) => ({ ...o }));
    return new Promise<void>((resolve, reject) => {
      const answer = (): void => {
        this.inFlight--;
        if (mode === 'ok' && generation === this.generation) {
          for (const o of copy) this.committed.set(`${o.topic}:${o.partition}`, o.offset);
          this.recorder.onCommitDurable(copy);
          resolve();
        } else {
          if (mode === 'fence') this.fencedSinceRejoin = true;
          reject(new KafkaError(mode !== 'fail' ? ILLEGAL_GENERATION : COORDINATOR_NOT_AVAILABLE, { api: 'OffsetCommit' }));
        }
      };
      if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
      else queueMicrotask(answer);
    });
  }

  async fetchCommitted(partitions: readonly TopicPartition[]): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const tp of partitions) {
      const key = `${tp.topic}:${tp.partition}`;
      out.set(key, this.committed.get(key) ?? null);
    }
    return out;
  }

  onCommitError(error: Error): void {
    this.reportedErrors.push(error);
  }
}
