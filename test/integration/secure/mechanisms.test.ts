/**
 * Every SASL mechanism against the real secured broker (scripts/kafka/start.sh --security), over
 * SASL_PLAINTEXT and SASL_SSL: alice produces, then consumes as a group and commits. Topics are made
 * by the super user on the PLAINTEXT listener; the checks of the committed offsets go there too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import { ALICE, ALL_MECHANISMS, produceAndConsumeAsGroup, saslFor, secureBroker, secureTopic, tlsFor, values } from '../../helpers/secure-broker.js';

const broker = secureBroker();
let admin: Admin;
const topics: string[] = [];

before(() => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
});
after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

for (const listener of ['saslPlaintext', 'saslSsl'] as const) {
  const protocol = listener === 'saslSsl' ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  describe(protocol, () => {
    for (const mechanism of ALL_MECHANISMS) {
      test(`${mechanism}: produce, consume as a group, commit`, async () => {
        const topic = await secureTopic(admin, `mech-${mechanism.toLowerCase()}`);
        topics.push(topic);
        const options = {
          brokers: broker.brokers(listener),
          sasl: saslFor(mechanism, ALICE),
          ...(listener === 'saslSsl' ? { tls: tlsFor(broker) } : {}),
        };
        const got = await produceAndConsumeAsGroup(admin, options, topic, 60);
        assert.deepEqual(got, values(60).sort());
      });
    }
  });
}
