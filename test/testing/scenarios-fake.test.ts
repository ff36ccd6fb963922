/**
 * The shared scenario suite (test/scenarios/) against the fake cluster; the same scenarios run
 * against the real broker in test/integration/scenarios-broker.test.ts and must give the same results.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeKafkaCluster } from '../../src/testing/index.js';
import { SCENARIOS } from '../scenarios/index.js';

let cluster: FakeKafkaCluster;
let names = 0;

before(async () => {
  cluster = await FakeKafkaCluster.start({ brokers: 3 });
});
after(async () => {
  await cluster.stop();
});

for (const scenario of SCENARIOS) {
  test(`fake cluster: ${scenario.name}`, async () => {
    const result = await scenario.run({ brokers: cluster.bootstrap, unique: (prefix) => `${prefix}-${++names}` });
    assert.deepEqual(result, scenario.expected);
  });
}
