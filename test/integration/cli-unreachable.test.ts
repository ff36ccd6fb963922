/**
 * Every connecting command against a port nobody listens on: one line naming the brokers, exit 1,
 * well before the library's 30 s retry deadline (the CLI's connect budget, src/cli/reach-cluster.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli-process.js';

const COMMANDS: readonly string[][] = [
  ['topics', 'list'],
  ['topics', 'describe', 't'],
  ['topics', 'create', 't'],
  ['topics', 'delete', 't', '--yes'],
  ['topics', 'alter-config', 't', '--set', 'retention.ms=1'],
  ['metadata'],
  ['group', 'list'],
  ['group', 'describe', '-G', 'g'],
  ['group', 'reset-offsets', '-G', 'g', '--all-topics', '--to-earliest'],
  ['group', 'delete', 'g'],
  ['consume', '-t', 't'],
  ['produce', '-t', 't'],
];

for (const args of COMMANDS) {
  test(`${args.join(' ')} against 127.0.0.1:1: one line, exit 1`, async () => {
    const started = Date.now();
    // No KAFKA_BROKERS from the runner: only the flag names the brokers.
    const env = { ...process.env, KAFKA_BROKERS: '' };
    const r = await runCli([...args, '-b', '127.0.0.1:1'], { env, killAfterMs: 60_000 });
    const name = args[0] as string;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^kafka-stage ${name}: cannot reach any broker of 127\\.0\\.0\\.1:1 \\(.*ECONNREFUSED.*\\)\\n$`));
    assert.equal(r.stdout, '');
    // Not a timing claim about the budget: only that the 30 s library deadline was not waited out.
    assert.ok(Date.now() - started < 29_000, `took ${Date.now() - started} ms`);
  });
}
