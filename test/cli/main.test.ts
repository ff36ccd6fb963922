// The CLI entry as a user runs it (a child process), for what needs no broker: usage errors and help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliEnv, runCli } from '../helpers/cli-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function cli(...args: string[]) {
  return cliWithEnv({}, ...args);
}

function cliWithEnv(env: Record<string, string>, ...args: string[]) {
  return runCli(args, { source: true, env: cliEnv(env), killAfterMs: 60_000 });
}

test('no command: the command list on stderr, exit 2', async () => {
  const r = await cli();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: kafka-stage <command>/);
  assert.match(r.stderr, /produce/);
});

test('unknown command: exit 2 naming it', async () => {
  const r = await cli('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('produce --help: its flags on stdout, exit 0', async () => {
  const r = await cli('produce', '--help');
  assert.equal(r.code, 0);
  for (const flag of ['--brokers', '--topic', '--create', '--partitions', '--count', '--size', '--compression', '--acks']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('produce with an unknown or malformed flag: a clear message, exit 2, nothing on stdout', async () => {
  let r = await cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--colour', 'red');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag --colour/);
  assert.equal(r.stdout, '');
  r = await cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--acks', 'some');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--acks must be one of all\|1\|0/);
  r = await cli('produce', '--topic', 't');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--brokers is required/);
  r = await cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--partitions', '3');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--partitions only applies with --create/);
});

test('produce against an unreachable broker: exit 1 with the error, no hang', async () => {
  // Port 1 on localhost refuses connections; retries are bounded by the cluster's deadline.
  const r = await cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--count', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kafka-stage produce: /);
});

test('demo is a command: listed, and --help shows its flags without running it', async () => {
  const list = await cli('--help');
  assert.equal(list.code, 0);
  assert.match(list.stdout, /demo\s+run the demo/);
  const r = await cli('demo', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage: kafka-stage demo .*--count N/);
});

test('--help of each connecting command documents the connection flags and the precedence', async () => {
  for (const args of [['produce'], ['consume'], ['group']]) {
    const r = await cli(...args, '--help');
    assert.equal(r.code, 0);
    for (const flag of ['--brokers', '--config', '--sasl-mechanism', '--sasl-username', '--sasl-password-file', '--sasl-password', '--tls', '--tls-ca', '--tls-cert', '--tls-key', '--tls-key-passphrase-file', '--tls-insecure']) {
      assert.ok(r.stdout.includes(flag), `${args[0]} ${flag}`);
    }
    assert.match(r.stdout, /--brokers HOST:PORT\[,\.\.\.\]\s+bootstrap brokers \(else bootstrap\.servers of --config, else \$KAFKA_BROKERS\)/);
    assert.match(r.stdout, /--sasl-password PASSWORD\s+.*others can see it in ps/);
  }
});

test('KAFKA_BROKERS is used when --brokers is absent: the run reaches the (unreachable) broker, exit 1 not 2', async () => {
  const r = await cliWithEnv({ KAFKA_BROKERS: '127.0.0.1:1' }, 'produce', '--topic', 't', '--count', '1');
  assert.equal(r.code, 1);
  assert.doesNotMatch(r.stderr, /--brokers is required/);
  assert.match(r.stderr, /kafka-stage produce: /);
});

test('--sasl-password and --tls-insecure warn on stderr; the password appears nowhere in the output', async () => {
  const secret = 'cli-secret-9d2e';
  const r = await cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--count', '1', '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'u', '--sasl-password', secret, '--tls-insecure');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kafka-stage produce: warning: --sasl-password shows the password to every user of this machine/);
  assert.match(r.stderr, /kafka-stage produce: warning: TLS certificate verification is off \(--tls-insecure\)/);
  assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
});

test('a --config problem: exit 2 with one clear line, no flag list, nothing secret', async () => {
  let r = await cli('consume', '--topic', 't', '--config', '/nonexistent/client.properties');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'kafka-stage consume: --config: cannot read /nonexistent/client.properties (ENOENT)\n');
  assert.equal(r.stdout, '');
  // A usage error points at the flag list (one line), without printing it.
  r = await cli('consume', '--topic', 't', '--brokers', 'h:1', '--sasl-username', 'u');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--sasl-username needs --sasl-mechanism/);
  assert.match(r.stderr, /\nrun 'kafka-stage help consume' for the flags\n$/);
  assert.doesNotMatch(r.stderr, /flags:\n/);
});

test('--version and -V print the package version, exit 0', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = await cli(flag);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `kafka-stage ${version}\n`);
  }
});

test('help <command> prints what <command> --help prints; help alone the command list', async () => {
  for (const name of ['produce', 'consume', 'group']) {
    const viaHelp = await cli('help', name);
    assert.equal(viaHelp.code, 0);
    assert.equal(viaHelp.stdout, (await cli(name, '--help')).stdout);
    assert.match(viaHelp.stdout, new RegExp(`^usage: kafka-stage ${name} `));
  }
  const r = await cli('help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /commands:\n/);
  const bad = await cli('help', 'consum');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command 'consum' \(did you mean consume\?\)/);
});

test('a usage error is one line plus where the flags are: a typo gets the nearest flag, a short flag works as its long one', async () => {
  const r = await cli('produce', '-b', '127.0.0.1:1', '--topc', 't');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "kafka-stage produce: unknown flag --topc (did you mean --topic?)\nrun 'kafka-stage help produce' for the flags\n");
  assert.equal(r.stdout, '');
});

test('the demo refuses an unknown flag with exit 2 before starting anything, as a command and as npm run demo', async () => {
  const r = await cli('demo', '--cuont', '5');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "kafka-stage demo: unknown flag --cuont (did you mean --count?)\nrun 'kafka-stage help demo' for the flags\n");
  const script = spawnSync(process.execPath, ['scripts/demo.mjs', '--count', '5', '--colour', 'red'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: cliEnv() });
  assert.equal(script.status, 2);
  assert.match(script.stderr, /demo: Unknown option '--colour'/);
  assert.equal(script.stdout, '', 'no npm ci, no broker');
  // Every flag the README's demo line uses is known.
  const help = (await cli('demo', '--help')).stdout;
  for (const flag of ['--count', '--delay-ms', '--compression', '--members', '--no-rebalance', '--max-demand', '--buffer', '--keep-topic']) assert.ok(help.includes(flag), flag);
});
