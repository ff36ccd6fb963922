/**
 * The stuck-handler watch: every so often (a quarter of `maxProcessingMs`, between 50 ms and 1 s)
 * it looks at the stages delivering now and reports, once per episode, each whose oldest delivered
 * record has been unacked for longer than `maxProcessingMs` (the stage decides; see
 * PartitionStage.stuck). A stage that acks again may be reported again later.
 */
import { tpKey } from './contracts.js';
import type { PartitionStage } from './partition-stage.js';
import type { ConsumerEvents } from './types.js';

/** What a `stuck` event carries. */
type StuckReport = ConsumerEvents['stuck'][0];

/** See the module documentation. */
export class StuckWatch {
  private readonly reported = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly maxProcessingMs: number,
    /** The stages delivering now. */
    private readonly stages: () => Iterable<PartitionStage>,
    private readonly report: (stuck: StuckReport) => void,
  ) {}

  /** Starts watching; nothing when `maxProcessingMs` is 0 (the watch is off). */
  start(): void {
    if (this.maxProcessingMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.check(), Math.max(50, Math.min(1000, Math.floor(this.maxProcessingMs / 4))));
    this.timer.unref();
  }

  /** Stops watching. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The partition's stage left (revoked, released, lost): a later stage of it starts unreported. */
  forget(topic: string, partition: number): void {
    this.reported.delete(tpKey(topic, partition));
  }

  private check(): void {
    for (const stage of this.stages()) {
      const key = tpKey(stage.topic, stage.partition);
      if (stage.stuck) {
        if (this.reported.has(key)) continue;
        this.reported.add(key);
        const s = stage.stats();
        this.report({ topic: stage.topic, partition: stage.partition, heldMs: Math.round(s.oldestInFlightMs), inFlight: s.inFlight });
      } else {
        this.reported.delete(key);
      }
    }
  }
}
