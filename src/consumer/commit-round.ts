/**
 * One OffsetCommit request of the {@link CommitManager}, queued or in flight, and its outcome per
 * partition. Requests made while a commit is in flight all join the one queued round, so any of
 * them waits for at most the commit in flight plus its own.
 */
import { PartitionOffsetsError } from '../group/errors.js';
import { AuthorizationError } from '../protocol/kafka-error.js';
import { tpKey } from './contracts.js';

/** A partition's figures as the manager keeps them. */
export interface CommitSource {
  readonly topic: string;
  readonly partition: number;
  /** First offset not acked: everything before it is processed. */
  readonly committableOffset: number;
}

/** What one round asks for. */
export class CommitRound<S extends CommitSource> {
  /** Commit the acked prefix of every registered partition that moved since its last commit. */
  auto = false;
  /** Explicit offsets (`commit(target)`), by `topic:partition`; honoured even backwards. */
  readonly manual = new Map<string, { source: S; offset: number }>();
  /** Final commits of partitions being released, by `topic:partition`. */
  readonly finals = new Map<string, S>();
  /** Settles once the round's request is answered (or found empty). */
  readonly result: Promise<RoundResult>;
  /** Settles {@link result}; called once by the manager. */
  readonly finish: (result: RoundResult) => void;

  constructor() {
    let finish!: (result: RoundResult) => void;
    this.result = new Promise<RoundResult>((resolve) => {
      finish = resolve;
    });
    this.finish = finish;
  }
}

/** What a round did: the offsets it sent, and which of them failed with what. */
export class RoundResult {
  /** Offset sent per `topic:partition` (partitions with nothing to commit are absent). */
  readonly sent: ReadonlyMap<string, number>;
  /** The request's error, or null. */
  readonly error: Error | null;
  /** Partitions the error is about: those an OffsetCommitError lists, else every one sent. */
  private readonly failed: ReadonlySet<string>;

  constructor(sent: ReadonlyMap<string, number>, error: Error | null) {
    this.sent = sent;
    this.error = error;
    if (error === null) this.failed = new Set();
    else {
      // An authorization error thrown for a per-partition answer carries that answer as its cause.
      const perPartition = error instanceof PartitionOffsetsError ? error : error instanceof AuthorizationError && error.cause instanceof PartitionOffsetsError ? error.cause : null;
      // The coordinator answered per partition: those not listed were committed.
      this.failed = perPartition ? new Set(perPartition.failures.map((f) => tpKey(f.topic, f.partition))) : new Set(sent.keys());
    }
  }

  /** The error that concerns partition `key`, or null when it was committed or not in the round. */
  errorFor(key: string): Error | null {
    return this.failed.has(key) ? this.error : null;
  }

  /** A round that sent nothing. */
  static readonly EMPTY = new RoundResult(new Map(), null);
}
