/**
 * Model-based (stateful property) test of the real consumer core: StageHost, PartitionStage,
 * FetchScheduler, CommitManager and ByteBudget against the model cluster and coordinator, driven by
 * random command sequences, with invariants I1-I8 checked after every step (see oracle.ts,
 * liveness.ts).
 *
 * CI runs a fixed set of seeds, then a random run for MODEL_TEST_MS (default 20 000 ms). A failure
 * prints the seed and the shrunk sequence; replay it with MODEL_TEST_SEED=<seed> (add
 * MODEL_TEST_TRACE=1 to print every step), or copy the sequence into regressions.test.ts.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { modelProperty } from './run.js';

/** Seeds every CI run checks. */
const FIXED_SEEDS = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946];

const envSeed = process.env.MODEL_TEST_SEED;

/** Most time the shrinking of one failed seed may take. */
const SHRINK_LIMIT_MS = Number(process.env.MODEL_TEST_SHRINK_MS ?? 60_000);

/** One seeded run of the property (and its shrinking when it fails); throws a replayable report. */
async function check(seed: number): Promise<void> {
  // The run itself is never cut off: fast-check's time limit abandons the running predicate without
  // stopping it, and the abandoned world keeps the mocked clock, so every later seed would fail with
  // "MockTimers is already enabled" (and on a loaded machine a healthy run can outlast any wall-clock
  // bound). A run ends by itself in model time.
  const first = await fc.check(modelProperty, { seed, numRuns: 1, verbose: 0, endOnFailure: true });
  if (!first.failed) return;
  // Shrinking re-runs whole worlds (64 partitions × 10 000s of offsets): bounded so that a failure
  // reports within a minute, unshrunk past that.
  const shrunk = await fc.check(modelProperty, { seed, numRuns: 1, verbose: 0, interruptAfterTimeLimit: SHRINK_LIMIT_MS, markInterruptAsFailure: false });
  // A shrink cut off before its first run reports no counterexample: the unshrunk one stands then.
  const details = shrunk.failed && shrunk.counterexample !== null ? shrunk : first;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${fc.defaultReportMessage(details) ?? 'model test failed'}\n${cause}\nreplay: MODEL_TEST_SEED=${seed}`);
}

if (envSeed !== undefined) {
  test(`model run of seed ${envSeed}`, async () => {
    await check(Number(envSeed));
  });
} else {
  for (const seed of FIXED_SEEDS) {
    test(`model: fixed seed ${seed} keeps I1-I8`, async () => {
      await check(seed);
    });
  }

  test('model: time-boxed random runs keep I1-I8 (MODEL_TEST_MS)', async () => {
    const ms = Number(process.env.MODEL_TEST_MS ?? 20_000);
    const first = (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 1;
    const deadline = Date.now() + ms;
    // One whole run per seed (never cut off half-way: a run owns the mocked clock until it ends).
    for (let seed = first; Date.now() < deadline; seed++) {
      console.log(`model random run: seed ${seed}`);
      await check(seed);
    }
  });
}
