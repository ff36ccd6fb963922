/** A small timing harness: warm-up, then several timed rounds, median reported. */

/** One measured case. */
export interface Measurement {
  name: string;
  /**
   * Median units per CPU second over the rounds (records, megabytes or operations, per `unit`).
   * CPU time (user + system, all threads of the process) rather than wall time, because on a shared
   * machine wall time mostly measures the neighbours; it also counts GC and codec threads.
   */
  perCpuSecond: number;
  /** Lowest and highest round by CPU time, to show the spread. */
  min: number;
  max: number;
  /** Median units per wall-clock second. */
  perWallSecond: number;
  unit: string;
}

/** How long to warm up and how many rounds to time. */
export interface MeasureOptions {
  warmupMs?: number;
  rounds?: number;
  roundMs?: number;
}

const DEFAULTS = { warmupMs: 400, rounds: 7, roundMs: 250 } as const;

function nowNs(): bigint {
  return process.hrtime.bigint();
}

/**
 * Times `fn`, which performs `unitsPerCall` units of work per call (and may return a promise).
 * Calls are grouped so each round lasts about `roundMs`; the median round rate is reported.
 */
export async function measure(
  name: string,
  unit: string,
  unitsPerCall: number,
  fn: () => unknown,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const { warmupMs, rounds, roundMs } = { ...DEFAULTS, ...options };
  // Warm-up also calibrates how many calls fill a round.
  let calls = 0;
  const warmStart = nowNs();
  const warmEnd = warmStart + BigInt(warmupMs) * 1_000_000n;
  while (nowNs() < warmEnd) {
    const r = fn();
    if (r instanceof Promise) await r;
    calls++;
  }
  const nsPerCall = Number(nowNs() - warmStart) / Math.max(1, calls);
  const callsPerRound = Math.max(1, Math.round((roundMs * 1e6) / nsPerCall));
  const cpuRates: number[] = [];
  const wallRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = nowNs();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < callsPerRound; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    const cpu = process.cpuUsage(cpuStart);
    const wallSeconds = Number(nowNs() - start) / 1e9;
    const cpuSeconds = Math.max(1e-6, (cpu.user + cpu.system) / 1e6);
    cpuRates.push((callsPerRound * unitsPerCall) / cpuSeconds);
    wallRates.push((callsPerRound * unitsPerCall) / wallSeconds);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return {
    name,
    unit,
    perCpuSecond: median(cpuRates),
    min: cpuRates[0] as number,
    max: cpuRates[cpuRates.length - 1] as number,
    perWallSecond: median(wallRates),
  };
}
