/**
 * What a shared scenario needs from the cluster it runs against: the bootstrap brokers, a way to
 * make fresh names. The same scenario runs against the fake
 * cluster (test/testing/scenarios-fake.test.ts) and the real broker
 * (test/integration/scenarios-broker.test.ts); both assert the same expected result.
 */

/** The cluster a scenario runs against. */
export interface ScenarioEnv {
  brokers: string[];
  /** A topic or group name unique to this run. */
  unique(prefix: string): string;
}

/** One scenario: what it does, run once per cluster kind, and the result both must give. */
export interface Scenario {
  name: string;
  run(env: ScenarioEnv): Promise<unknown>;
  expected: unknown;
}

/** Member settings that rebalance quickly on both kinds of cluster (6 s is the broker's minimum session). */
export const FAST_MEMBER = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' as const };
