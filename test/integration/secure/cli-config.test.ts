/**
 * One Java client properties file serves the Kafka tools and `kafka-stage --config`, against the real
 * secured broker: kafka-stage produces with it, the Java console consumer (`--command-config`, or
 * `--consumer.config` before 4.1) reads with the very same file, and kafka-stage consumes as a
 * group with it. Over SASL_SSL with SCRAM-SHA-512 (sasl.jaas.config, a PEM trust store), over
 * mutual TLS with a PEM key store (key and certificate chain in one file), and over SASL_PLAINTEXT
 * with OAUTHBEARER's unsecured test tokens (OAuthBearerLoginModule unsecuredLoginStringClaim_sub).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import type { ConsumeSummary } from '../../../src/cli/consume.js';
import type { ProduceSummary } from '../../../src/cli/produce.js';
import { uniqueTopic } from '../../helpers/env.js';
import { javaConsume } from '../../helpers/java-tools.js';
import { ALICE, SECURE_PREFIX, secureBroker } from '../../helpers/secure-broker.js';
import { cliEnv, runCli, summaryOf } from '../../helpers/cli-process.js';

const broker = secureBroker();
const dir = mkdtempSync(join(tmpdir(), 'kafka-stage-cli-config-'));
let admin: Admin;
const topics: string[] = [];

before(() => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
});
after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

function writeConfig(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

/** Produces `count` generated records with kafka-stage and `config`; returns the topic. */
async function produceWith(config: string, label: string, count: number, extra: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const topic = uniqueTopic(`${SECURE_PREFIX}${label}`);
  topics.push(topic);
  const r = await runCli(['produce', '--config', config, '--topic', topic, '--create', '--partitions', '2', '--count', String(count), '--size', '30', ...extra], { env: cliEnv(env) });
  assert.equal(r.code, 0, r.stderr);
  const s = summaryOf<ProduceSummary>(r.stdout);
  assert.deepEqual([s.records, s.errors], [count, 0]);
  return topic;
}

/** The sequence numbers at the start of generated values, sorted. */
function sequenceNumbers(values: (string | null)[]): number[] {
  return values.map((v) => Number((v ?? '').split(' ')[0])).sort((a, b) => a - b);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('SASL_SSL + SCRAM-SHA-512 from one properties file: kafka-stage produces, the Java console consumer and kafka-stage (as a group) read it all', async () => {
  const config = writeConfig('scram.properties', [
    '# The same file for kafka-stage --config and the Java tools.',
    `bootstrap.servers=${broker.brokers('saslSsl').join(',')}`,
    'security.protocol=SASL_SSL',
    'sasl.mechanism=SCRAM-SHA-512',
    // A continuation line and a quoted password, as people write them.
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
    `    username="${ALICE.username}" password="${ALICE.password}";`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${broker.certs.ca}`,
    'client.id=cli-config-test',
  ]);
  const count = 150;
  const topic = await produceWith(config, 'cli-config', count);

  const java = await javaConsume({ brokers: broker.brokers('saslSsl'), topic, maxMessages: count, timeoutMs: 20_000, from: 'earliest', group: uniqueTopic(`${SECURE_PREFIX}java`), clientConfig: config });
  assert.deepEqual(sequenceNumbers(java.map((r) => r.value)), range(count));

  const group = uniqueTopic(`${SECURE_PREFIX}cli-config-group`);
  const r = await runCli(['consume', '--config', config, '--topic', topic, '--group', group, '--max-messages', String(count), '--format', 'value'], { env: cliEnv() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(sequenceNumbers(r.stdout.trimEnd().split('\n')), range(count));
  const s = summaryOf<ConsumeSummary>(r.stderr);
  assert.equal(s.records, count);
  // Nothing in the file was ignored: no warning line before the summary.
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
});

test('mutual TLS from one properties file (PEM key store): kafka-stage produces and the Java console consumer reads with the same file', async () => {
  // A PEM key store: the PKCS#8 private key and the certificate chain in one file, as Java reads it.
  const bundle = join(dir, 'alice-bundle.pem');
  writeFileSync(bundle, readFileSync(broker.certs.aliceKey, 'utf8') + readFileSync(broker.certs.aliceCert, 'utf8'), { mode: 0o600 });
  const config = writeConfig('mtls.properties', [
    `bootstrap.servers=${broker.brokers('mtls').join(',')}`,
    'security.protocol=SSL',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${broker.certs.ca}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${bundle}`,
  ]);
  const count = 60;
  const topic = await produceWith(config, 'cli-config-mtls', count);
  const java = await javaConsume({ brokers: broker.brokers('mtls'), topic, maxMessages: count, timeoutMs: 20_000, from: 'earliest', group: uniqueTopic(`${SECURE_PREFIX}java-mtls`), clientConfig: config });
  assert.deepEqual(sequenceNumbers(java.map((r) => r.value)), range(count));
});

test('flags override the file: a file for bob (no ACLs) with --sasl-username alice and her password from the environment works', async () => {
  const config = writeConfig('bob.properties', [
    `bootstrap.servers=${broker.brokers('saslSsl').join(',')}`,
    'security.protocol=SASL_SSL',
    'sasl.mechanism=SCRAM-SHA-256',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bob" password="bob-secret";',
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${broker.certs.ca}`,
  ]);
  // As the file says, bob: he may not create the topic.
  const asBob = await runCli(['produce', '--config', config, '--topic', uniqueTopic(`${SECURE_PREFIX}cli-config-bob`), '--create', '--count', '1'], { env: cliEnv() });
  assert.equal(asBob.code, 1, asBob.stderr);
  assert.match(asBob.stderr, /authoriz/i);
  // The flag names alice; her password comes from the environment, not the file's (bob's).
  await produceWith(config, 'cli-config-override', 5, ['--sasl-username', ALICE.username], { KAFKA_SASL_PASSWORD: ALICE.password });
});

test('OAUTHBEARER unsecured test tokens from one properties file: kafka-stage produces, the Java console consumer reads with the same file', async () => {
  const config = writeConfig('oauth.properties', [
    `bootstrap.servers=${broker.brokers('saslPlaintext').join(',')}`,
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=OAUTHBEARER',
    `sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="${ALICE.username}";`,
  ]);
  const count = 40;
  const topic = await produceWith(config, 'cli-config-oauth', count);
  const java = await javaConsume({ brokers: broker.brokers('saslPlaintext'), topic, maxMessages: count, timeoutMs: 20_000, from: 'earliest', group: uniqueTopic(`${SECURE_PREFIX}java-oauth`), clientConfig: config });
  assert.deepEqual(sequenceNumbers(java.map((r) => r.value)), range(count));
});
