/** Every shared scenario, run against the fake cluster and against the real broker. */
import { CLIENT_SCENARIOS } from './client-scenarios.js';
import type { Scenario } from './environment.js';
import { GROUP_SCENARIOS } from './group-scenarios.js';

export type { Scenario, ScenarioEnv } from './environment.js';

/** The shared scenario suite. */
export const SCENARIOS: readonly Scenario[] = [...GROUP_SCENARIOS, ...CLIENT_SCENARIOS];
