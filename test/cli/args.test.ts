import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFlags, parseFlags, UsageError, type FlagSpec } from '../../src/cli/args.js';

const SPECS: FlagSpec[] = [
  { name: 'brokers', type: 'string', required: true, description: 'b' },
  { name: 'count', type: 'integer', min: 1, description: 'c' },
  { name: 'create', type: 'boolean', description: 'd' },
  { name: 'acks', type: 'string', choices: ['all', '1', '0'], description: 'e' },
];

function usage(pattern: RegExp) {
  return (err: unknown) => err instanceof UsageError && err.exitCode === 2 && pattern.test(err.message);
}

test('values come as --flag value or --flag=value; booleans stand alone', () => {
  assert.deepEqual(parseFlags(['--brokers', 'h:1', '--count=5', '--create', '--acks', '0'], SPECS), {
    brokers: 'h:1',
    count: 5,
    create: true,
    acks: '0',
  });
  assert.deepEqual(parseFlags(['--brokers=a:1,b:2', '--create=false'], SPECS), { brokers: 'a:1,b:2', create: false });
  // A value may contain '=' after the first one.
  assert.equal(parseFlags(['--brokers=x=y'], SPECS).brokers, 'x=y');
});

test('unknown flags, missing values and bad values are usage errors naming the flag', () => {
  assert.throws(() => parseFlags(['--brokers', 'h:1', '--topc', 't'], SPECS), usage(/unknown flag --topc/));
  assert.throws(() => parseFlags(['--count', '5'], SPECS), usage(/--brokers is required/));
  assert.throws(() => parseFlags(['--brokers'], SPECS), usage(/--brokers needs a value/));
  assert.throws(() => parseFlags(['--brokers', '--create'], SPECS), usage(/--brokers needs a value/));
  assert.throws(() => parseFlags(['--brokers', 'h:1', '--count', '0'], SPECS), usage(/--count needs an integer ≥ 1/));
  assert.throws(() => parseFlags(['--brokers', 'h:1', '--count', '1e3'], SPECS), usage(/--count/));
  assert.throws(() => parseFlags(['--brokers', 'h:1', '--acks', '2'], SPECS), usage(/--acks must be one of all\|1\|0/));
  assert.throws(() => parseFlags(['--brokers', 'h:1', '--create=yes'], SPECS), usage(/--create takes true or false/));
  assert.throws(() => parseFlags(['--brokers', 'h:1', 'stray'], SPECS), usage(/unexpected argument 'stray'/));
  assert.throws(() => parseFlags(['--brokers', 'h:1', '--brokers', 'h:2'], SPECS), usage(/more than once/));
});

test('help text lists every flag with its values and notes', () => {
  const text = describeFlags(SPECS);
  assert.match(text, /--brokers VALUE\s+b \(required\)/);
  assert.match(text, /--acks all\|1\|0/);
  assert.match(text, /--count N/);
  assert.equal(text.split('\n').length, SPECS.length);
});
