import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFlags, parseCommandLine, parseFlags, stringsFlag, UsageError, type FlagSpec } from '../../src/cli/args.js';

const SPECS: FlagSpec[] = [
  { name: 'brokers', short: 'b', type: 'string', required: true, description: 'b' },
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
  assert.match(text, /-b, --brokers/);
  assert.equal(text.split('\n').length, SPECS.length);
});

const KCAT: FlagSpec[] = [
  { name: 'brokers', short: 'b', type: 'string', description: '' },
  { name: 'topic', short: 't', type: 'string', description: '' },
  { name: 'offset', short: 'o', type: 'string', description: '' },
  { name: 'count', short: 'c', type: 'integer', min: 1, description: '' },
  { name: 'exit', short: 'e', type: 'boolean', description: '' },
  { name: 'quiet', short: 'q', type: 'boolean', description: '' },
  { name: 'header', short: 'H', type: 'string', multiple: true, description: '' },
  { name: 'key-delimiter', short: 'K', type: 'string', description: '' },
];

test("kcat's short flags: separate or attached values, grouped booleans, a negative offset is a value", () => {
  assert.deepEqual(parseFlags(['-b', 'h:1', '-tT', '-o', '-10', '-qe', '-c5', '-K:'], KCAT), {
    brokers: 'h:1',
    topic: 'T',
    offset: '-10',
    quiet: true,
    exit: true,
    count: 5,
    'key-delimiter': ':',
  });
  // Short and long forms are one flag: giving both is giving it twice.
  assert.throws(() => parseFlags(['-t', 'a', '--topic', 'b'], KCAT), usage(/--topic given more than once/));
  // The next flag is not a value.
  assert.throws(() => parseFlags(['-b', '-e'], KCAT), usage(/--brokers needs a value/));
  assert.throws(() => parseFlags(['-t'], KCAT), usage(/--topic needs a value/));
  assert.throws(() => parseFlags(['-x'], KCAT), usage(/^unknown flag -x$/));
  assert.throws(() => parseFlags(['-c', '0'], KCAT), usage(/--count needs an integer ≥ 1, got '0'/));
});

test('a repeatable flag collects its values in order; a single one is a list of one', () => {
  const flags = parseFlags(['-H', 'a=1', '--header', 'b=2', '-Hc=3'], KCAT);
  assert.deepEqual(stringsFlag(flags, 'header'), ['a=1', 'b=2', 'c=3']);
  assert.deepEqual(stringsFlag(parseFlags(['-H', 'x=y'], KCAT), 'header'), ['x=y']);
  assert.deepEqual(stringsFlag(parseFlags([], KCAT), 'header'), []);
});

test('an unknown flag names the nearest known one when it is a likely typo', () => {
  assert.throws(() => parseFlags(['--topc', 't'], KCAT), usage(/^unknown flag --topc \(did you mean --topic\?\)$/));
  assert.throws(() => parseFlags(['--brokesr', 'h'], KCAT), usage(/did you mean --brokers\?/));
  assert.throws(() => parseFlags(['--colour', 'red'], KCAT), usage(/^unknown flag --colour$/));
});

test('parseCommandLine keeps positional arguments; after -- everything is one', () => {
  assert.deepEqual(parseCommandLine(['list', '-b', 'h:1', '--', '--topic'], KCAT), { flags: { brokers: 'h:1' }, positionals: ['list', '--topic'] });
  assert.throws(() => parseFlags(['-b', 'h:1', '--', 'x'], KCAT), usage(/unexpected argument 'x'/));
});
