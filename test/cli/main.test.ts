// The CLI entry as a user runs it (a child process), for what needs no broker: usage errors and help.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('no command: the command list on stderr, exit 2', () => {
  const r = cli();
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: kafka-stage <command>/);
  assert.match(r.stderr, /produce/);
});

test('unknown command: exit 2 naming it', () => {
  const r = cli('frobnicate');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
});

test('produce --help: its flags on stdout, exit 0', () => {
  const r = cli('produce', '--help');
  assert.equal(r.code, 0);
  for (const flag of ['--brokers', '--topic', '--create', '--partitions', '--count', '--size', '--compression', '--acks']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('produce with an unknown or malformed flag: a clear message, exit 2, nothing on stdout', () => {
  let r = cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--colour', 'red');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag --colour/);
  assert.equal(r.stdout, '');
  r = cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--acks', 'some');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--acks must be one of all\|1\|0/);
  r = cli('produce', '--topic', 't');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--brokers is required/);
  r = cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--partitions', '3');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--partitions only applies with --create/);
});

test('produce against an unreachable broker: exit 1 with the error, no hang', () => {
  // Port 1 on localhost refuses connections; retries are bounded by the cluster's deadline.
  const r = cli('produce', '--brokers', '127.0.0.1:1', '--topic', 't', '--count', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kafka-stage produce: /);
});

test('demo is a command: listed, and --help shows its flags without running it', () => {
  const list = cli('--help');
  assert.equal(list.code, 0);
  assert.match(list.stdout, /demo\s+run the demo/);
  const r = cli('demo', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage: kafka-stage demo .*--count N/);
});
