// `kafka-stage consume` command-line handling, no broker needed: help and usage errors (exit 2,
// the flag named, nothing on stdout, no connection attempted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliEnv, runCli } from '../helpers/cli-process.js';
import { PassThrough } from 'node:stream';
import { UsageError } from '../../src/cli/args.js';
import { consumeCommand } from '../../src/cli/consume.js';

function cli(...args: string[]) {
  return runCli(['consume', ...args], { source: true, env: cliEnv(), killAfterMs: 60_000 });
}

/** A reachable-looking command line: port 1 refuses, so a usage error must come before any connection. */
const base = ['--brokers', '127.0.0.1:1', '--topic', 't'];

test('consume --help: every flag of design.md §6, exit 0', async () => {
  const r = await cli('--help');
  assert.equal(r.code, 0);
  for (const flag of ['--brokers', '--topic', '--group', '--from', '--max-messages', '--idle-timeout-ms', '--commit', '--max-demand', '--delay-ms', '--format']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('invalid flags: a UsageError naming the flag, thrown before anything connects or prints', async () => {
  const cases: [string[], RegExp][] = [
    [['--topic', 't'], /--brokers is required/],
    [['--brokers', '127.0.0.1:1'], /--topic is required/],
    [[...base, '--from', 'middle'], /--from must be one of earliest\|latest, got 'middle'/],
    [[...base, '--format', 'xml'], /--format must be one of json\|value\|base64\|none or a format string/],
    [[...base, '--commit', 'later'], /--commit must be one of async\|sync\|none/],
    [[...base, '--max-messages', '0'], /--max-messages needs an integer ≥ 1, got '0'/],
    [[...base, '--max-demand', 'lots'], /--max-demand needs an integer ≥ 1, got 'lots'/],
    [[...base, '--idle-timeout-ms', '-5'], /--idle-timeout-ms needs an integer ≥ 1, got '-5'/],
    [[...base, '--delay-ms'], /--delay-ms needs a value/],
    [[...base, '--partitoin', '3'], /unknown flag --partitoin \(did you mean --partition\?\)/],
    [[...base, '-G', 'g', '-p', '0'], /give --group or --partition, not both/],
    [[...base, '-o', 'middle'], /--offset takes beginning, end, an offset, -<n> \(n before the end\) or s@<epoch ms>, got 'middle'/],
    [[...base, '-G', 'g', '-o', '-10'], /with --group, --offset takes beginning or end/],
    [[...base, '-o', 'end', '--from', 'latest'], /give --offset or --from, not both/],
    [[...base, '-f', '%t %x'], /--format: unknown token '%x'/],
    [[...base, '-K', ':', '-f', 'json'], /--key-delimiter prints key and value; it does not combine with --format json/],
    [[...base, '--commit', 'sync'], /--commit sync needs --group/],
  ];
  for (const [args, message] of cases) {
    // An empty environment: KAFKA_BROKERS of the caller (the test runner sets it) must not stand in for --brokers.
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} };
    await assert.rejects(consumeCommand.run(args, io), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && message.test(err.message), args.join(' '));
    assert.equal(io.stdout.read(), null, 'nothing printed');
  }
});

test('as a process: a usage error exits 2 with one line and where the flags are, nothing on stdout', async () => {
  const r = await cli(...base, '--topc', 'x');
  assert.equal(r.code, 2);
  assert.equal(r.stderr, "kafka-stage consume: unknown flag --topc (did you mean --topic?)\nrun 'kafka-stage help consume' for the flags\n");
  assert.equal(r.stdout, '');
});

test('an unreachable broker: exit 1 with one line naming the brokers (the connect budget), no summary, no hang', async () => {
  const r = await cli(...base, '--max-messages', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^kafka-stage consume: cannot reach any broker of 127\.0\.0\.1:1 \(.*ECONNREFUSED.*\)\n$/);
  assert.equal(r.stdout, '');
});
