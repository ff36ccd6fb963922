/** Types of the chaos checker (check.mjs), which is plain JavaScript so it shares nothing with src/. */

/** Recovery after one fault event. */
export interface RecoveryFigure {
  label: string;
  /** When the event happened, ms since the epoch. */
  t: number;
  /** Worst time from the event to the first delivery of a newer record, over the partitions. */
  worstMs: number;
  worstPartition: number | null;
  /** Partitions with records produced after the event and never delivered after it. */
  unrecovered: number[];
}

/** A final committed offset that differs from the log end. */
export interface FinalOffset {
  p: number;
  committed: number | null;
  logEnd: number;
}

/** The checker's figures and verdict for one scenario. */
export interface ScenarioVerdict {
  produced: number;
  failedSends: number;
  consumed: number;
  logRecords: number;
  deliveries: number;
  lost: number;
  missingFromLog: number;
  ackMismatch: number;
  producerDuplicates: number;
  orderViolations: number;
  skips: number;
  duplicates: number;
  unexplainedDuplicates: number;
  i1Violations: number;
  finalBehind: FinalOffset[];
  finalAhead: FinalOffset[];
  recovery: RecoveryFigure[];
  javaRecovery: RecoveryFigure[];
  /** The producer's: from each event to the first acknowledgement of a newer record, per partition. */
  producerRecovery: RecoveryFigure[];
  maxRecoveryMs: number;
  producerMaxRecoveryMs: number;
  javaMaxRecoveryMs: number | null;
  javaLost: number | null;
  samples: Record<string, unknown[]>;
  ok: boolean;
}

/** The log lines of one scenario. */
export interface ScenarioLogs {
  producer?: string[];
  members?: Record<string, string[]>;
  java?: string[];
  log?: string[];
  committed?: string[];
  events?: string[];
}

/** Checks one scenario's logs. */
export function checkScenario(logs: ScenarioLogs): ScenarioVerdict;

/** Reads a scenario folder written by the chaos runner and checks it. */
export function checkFolder(dir: string): ScenarioVerdict;
