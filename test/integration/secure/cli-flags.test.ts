/**
 * `kafka-stage` with its connection flags against the real secured broker, run as a user runs it:
 * produce (creating the topic) then consume as a group over SASL_SSL with SCRAM-SHA-512, the
 * password from a file and then from KAFKA_SASL_PASSWORD, the brokers from KAFKA_BROKERS; a group
 * describe over the same listener; mutual TLS with --tls-cert/--tls-key (plain and encrypted key);
 * OAUTHBEARER with --sasl-oauth-token-file; a wrong password fails fast, naming the user, with the
 * password nowhere in the output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Admin } from '../../../src/admin/admin.js';
import type { ConsumeSummary } from '../../../src/cli/consume.js';
import type { ProduceSummary } from '../../../src/cli/produce.js';
import { uniqueTopic } from '../../helpers/env.js';
import { ALICE, SECURE_PREFIX, WRONG_PASSWORD, secureBroker, unsecuredJwt } from '../../helpers/secure-broker.js';
import { cliEnv, runCli, summaryOf } from '../../helpers/cli-process.js';

const broker = secureBroker();
const saslSsl = broker.brokers('saslSsl').join(',');
const dir = mkdtempSync(join(tmpdir(), 'kafka-stage-cli-flags-'));
const passwordFile = join(dir, 'alice.password');
const passphraseFile = join(dir, 'alice-key.passphrase');
let admin: Admin;
const topics: string[] = [];

before(() => {
  writeFileSync(passwordFile, `${ALICE.password}\n`, { mode: 0o600 });
  writeFileSync(passphraseFile, `${broker.aliceKeyPassphrase}\n`, { mode: 0o600 });
  admin = new Admin({ brokers: broker.brokers('plaintext') });
});
after(async () => {
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

const SCRAM_FLAGS = ['--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', ALICE.username, '--tls-ca', broker.certs.ca];

test('SASL_SSL + SCRAM-SHA-512 with flags: produce --create, consume as a group (password from env, brokers from KAFKA_BROKERS), group describe', async () => {
  const topic = uniqueTopic(`${SECURE_PREFIX}cli-flags`);
  topics.push(topic);
  const count = 200;
  const produced = await runCli(['produce', '--brokers', saslSsl, '--topic', topic, '--create', '--partitions', '3', '--count', String(count), '--size', '40', ...SCRAM_FLAGS, '--sasl-password-file', passwordFile], { env: cliEnv() });
  assert.equal(produced.code, 0, produced.stderr);
  // No warning: the password came from a file.
  assert.equal(produced.stderr, '');
  const p = summaryOf<ProduceSummary>(produced.stdout);
  assert.deepEqual([p.records, p.errors, p.partitions], [count, 0, 3]);

  const group = uniqueTopic(`${SECURE_PREFIX}cli-group`);
  const consumed = await runCli(['consume', '--topic', topic, '--group', group, '--max-messages', String(count), '--format', 'value', '--commit', 'sync', ...SCRAM_FLAGS], {
    env: cliEnv({ KAFKA_BROKERS: saslSsl, KAFKA_SASL_PASSWORD: ALICE.password }),
  });
  assert.equal(consumed.code, 0, consumed.stderr);
  const values = consumed.stdout.trimEnd().split('\n');
  assert.equal(values.length, count);
  // Generated values start with their sequence number: each one exactly once.
  assert.deepEqual(values.map((v) => Number(v.split(' ')[0])).sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
  const c = summaryOf<ConsumeSummary>(consumed.stderr);
  assert.equal(c.records, count);
  assert.equal(c.stoppedBy, 'max-messages');
  const committed = Object.values(c.committed ?? {}).reduce((a, b) => a + b, 0);
  assert.equal(committed, count, 'the commits cover every record');

  const described = await runCli(['group', 'describe', '--group', group, '--json', '--brokers', saslSsl, ...SCRAM_FLAGS], { env: cliEnv({ KAFKA_SASL_PASSWORD: ALICE.password }) });
  assert.equal(described.code, 0, described.stderr);
  const d = JSON.parse(described.stdout) as { totalLag: number; partitions: { committedOffset: number | null }[] };
  assert.equal(d.totalLag, 0);
  assert.equal(d.partitions.reduce((a, x) => a + (x.committedOffset ?? 0), 0), count);
});

test('mutual TLS with flags: --tls-cert/--tls-key, and an encrypted key with --tls-key-passphrase-file', async () => {
  const topic = uniqueTopic(`${SECURE_PREFIX}cli-mtls`);
  topics.push(topic);
  await admin.createTopics([{ topic, partitions: 1 }]);
  const mtls = broker.brokers('mtls').join(',');
  const plainKey = await runCli(['produce', '--brokers', mtls, '--topic', topic, '--count', '10', '--tls-ca', broker.certs.ca, '--tls-cert', broker.certs.aliceCert, '--tls-key', broker.certs.aliceKey], { env: cliEnv() });
  assert.equal(plainKey.code, 0, plainKey.stderr);
  assert.equal(summaryOf<ProduceSummary>(plainKey.stdout).records, 10);
  const encryptedKey = await runCli([
    'consume', '--brokers', mtls, '--topic', topic, '--max-messages', '10', '--format', 'none',
    '--tls-ca', broker.certs.ca, '--tls-cert', broker.certs.aliceCert, '--tls-key', broker.certs.aliceEncryptedKey, '--tls-key-passphrase-file', passphraseFile,
  ], { env: cliEnv() });
  assert.equal(encryptedKey.code, 0, encryptedKey.stderr);
  assert.equal(summaryOf<ConsumeSummary>(encryptedKey.stderr).records, 10);
});

test('a wrong password: exit 1 within seconds, the error names the mechanism and user, the password appears nowhere', async () => {
  const topic = uniqueTopic(`${SECURE_PREFIX}cli-wrong`);
  const r = await runCli(['produce', '--brokers', saslSsl, '--topic', topic, '--count', '1', ...SCRAM_FLAGS, '--sasl-password', WRONG_PASSWORD], { env: cliEnv() });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /warning: --sasl-password shows the password/);
  assert.match(r.stderr, /SCRAM-SHA-512/);
  assert.match(r.stderr, /alice/);
  assert.ok(!r.stdout.includes(WRONG_PASSWORD) && !r.stderr.includes(WRONG_PASSWORD), r.stderr);
  // Process start included; the library's own bound is C's failures test.
  assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
});

test('OAUTHBEARER over SASL_SSL with --sasl-oauth-token-file: produce --create, then consume as a group', async () => {
  const tokenFile = join(dir, 'alice.jwt');
  // The broker's unsecured validator takes an unsigned JWS; the principal is its sub.
  writeFileSync(tokenFile, `${unsecuredJwt(ALICE.username)}\n`, { mode: 0o600 });
  const topic = uniqueTopic(`${SECURE_PREFIX}cli-oauth`);
  topics.push(topic);
  const oauth = ['--brokers', saslSsl, '--tls-ca', broker.certs.ca, '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauth-token-file', tokenFile];
  const produced = await runCli(['produce', '--topic', topic, '--create', '--count', '30', ...oauth], { env: cliEnv() });
  assert.equal(produced.code, 0, produced.stderr);
  assert.equal(summaryOf<ProduceSummary>(produced.stdout).records, 30);
  const consumed = await runCli(['consume', '--topic', topic, '--group', uniqueTopic(`${SECURE_PREFIX}cli-oauth-group`), '--max-messages', '30', '--format', 'none', ...oauth], { env: cliEnv() });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.equal(summaryOf<ConsumeSummary>(consumed.stderr).records, 30);
});
