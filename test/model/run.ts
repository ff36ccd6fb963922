/**
 * Runs the model-based test: the configuration arbitrary, one run of a command sequence (set-up,
 * the commands, the end-of-run liveness and stop checks, clean-up), the property over both, and the
 * replay of a single sequence for the named regression tests.
 */
import fc from 'fast-check';
import { commandArbitraries, segment, type Model, type Step } from './commands.js';
import { finish } from './liveness.js';
import type { SubscriberPlan } from './subscribers.js';
import { World, type WorldConfig } from './world.js';

const plan: fc.Arbitrary<SubscriberPlan> = fc.record({
  mode: fc.constantFrom<SubscriberPlan['mode']>('manual', 'manual', 'batches'),
  ignoresSignal: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  // 2000: the default (session 12); 1000: the default before it.
  maxDemand: fc.constantFrom(1, 7, 500, 1000, 2000, 5000),
});

/** Configurations: small and large partition counts, every commit strategy, tight and loose budgets. */
export const configArbitrary: fc.Arbitrary<WorldConfig> = fc
  .record({
    partitions: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 4 }) }, { weight: 2, arbitrary: fc.constant(8) }, { weight: 1, arbitrary: fc.constant(64) }),
    brokers: fc.integer({ min: 1, max: 3 }),
    strategy: fc.constantFrom<WorldConfig['strategy']>('async', 'sync', 'none'),
    readCommitted: fc.boolean(),
    budgetBytes: fc.constantFrom(64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024),
    maxBytesPerPartition: fc.constantFrom(16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024),
    maxRecordsPerPartition: fc.constantFrom(100, 1000, 2000, 6000),
    drainTimeoutMs: fc.constantFrom(0, 100, 2000, 10_000),
    commitIntervalMs: fc.constantFrom(100, 1000, 5000),
    commitThreshold: fc.constantFrom(1, 100, 100_000),
    plans: fc.array(plan, { minLength: 1, maxLength: 4 }),
    initial: fc.array(segment, { minLength: 1, maxLength: 6 }),
    initialOffsets: fc.constantFrom(10_000, 12_000),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
  })
  .map((c) => ({ ...c, maxBytesPerPartition: Math.min(c.maxBytesPerPartition, c.budgetBytes) }));

/** Command sequences of up to 60 steps. */
export const commandsArbitrary = fc.commands(commandArbitraries(), { maxCommands: 60 });

/** Runs one sequence on a fresh world; throws the first invariant violated. */
export async function runModel(config: WorldConfig, commands: Iterable<fc.AsyncCommand<Model, World>>): Promise<void> {
  const world = new World(config);
  // MODEL_TEST_TRACE=1 prints every step with its wall time (to find slow or odd steps when replaying).
  const trace = process.env.MODEL_TEST_TRACE ? (what: string, t0: number) => console.log(`${(performance.now() - t0).toFixed(0).padStart(6)} ms  ${what}`) : null;
  try {
    let t0 = performance.now();
    trace?.(describeConfig(config), t0);
    await world.init();
    world.check('init');
    trace?.('init', t0);
    const traced = trace === null ? commands : [...commands].map((c) => ({ check: () => true, run: async (m: Model, w: World) => { t0 = performance.now(); trace(`start ${String(c)}`, t0); await c.run(m, w); trace(String(c), t0); }, toString: () => String(c) }));
    await fc.asyncModelRun(() => ({ model: {} as Model, real: world }), traced);
    t0 = performance.now();
    await finish(world);
    trace?.(`finish (${world.oracle.totalDelivered} delivered, ${world.cluster.requests.get('Fetch') ?? 0} fetches, ${world.coordinator.sent} commits)`, t0);
  } finally {
    world.dispose();
  }
}

/** Replays a fixed sequence (a named regression). */
export function replay(config: WorldConfig, steps: readonly Step[]): Promise<void> {
  return runModel(config, steps);
}

/** The property: any configuration, any sequence, every invariant after every step. */
export const modelProperty = fc.asyncProperty(configArbitrary, commandsArbitrary, (config, commands) => runModel(config, commands));

/** A readable configuration for a failure report. */
export function describeConfig(config: WorldConfig): string {
  return JSON.stringify(config);
}
