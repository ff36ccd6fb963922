/**
 * The shared scenario suite (test/scenarios/) against the real broker; the same scenarios run
 * against the fake cluster in test/testing/scenarios-fake.test.ts and must give the same results.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCENARIOS } from '../scenarios/index.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

for (const scenario of SCENARIOS) {
  test(`real broker: ${scenario.name}`, async () => {
    const result = await scenario.run({ brokers: testBrokers(), unique: uniqueTopic });
    assert.deepEqual(result, scenario.expected);
  });
}
