// `kafka-stage group` command-line handling, no broker needed: subcommands, help, usage errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliEnv, runCli } from '../helpers/cli-process.js';
import { formatGroupTable } from '../../src/cli/group-describe.js';

function cli(...args: string[]) {
  return runCli(args, { source: true, env: cliEnv(), killAfterMs: 60_000 });
}

test('group --help: the usage of each subcommand and the flags of all, exit 0', async () => {
  const r = await cli('group', '--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /usage: kafka-stage group list \[--json\] \[--brokers B \| --config FILE\]/);
  assert.match(r.stdout, /kafka-stage group describe -G GROUP \[--json\] \[--watch \[--interval MS\]\]/);
  assert.match(r.stdout, /kafka-stage group reset-offsets -G GROUP \(--topic T\[:P,\.\.\.\]\.\.\. \| --all-topics\) \(--to-earliest \| --to-latest \| --to-offset N \| --to-datetime ISO \| --shift-by N\) \[--execute\]/);
  assert.match(r.stdout, /kafka-stage group delete GROUP\.\.\./);
  for (const flag of ['--brokers', '--config', '--sasl-mechanism', '--tls', '-G, --group', '--json', '-w, --watch', '--interval', '--all-topics', '--to-datetime', '--shift-by', '--execute']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('group without a subcommand, or an unknown one: exit 2 naming the problem (and the nearest subcommand)', async () => {
  let r = await cli('group');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /kafka-stage group: needs a subcommand \(list, describe, reset-offsets, delete\)/);
  r = await cli('group', 'rebalance');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown subcommand 'rebalance'/);
  r = await cli('group', 'descibe');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown subcommand 'descibe' \(did you mean describe\?\)/);
});

test('group reset-offsets: one target, topics or --all-topics, a readable --to-datetime; usage errors exit 2 before connecting', async () => {
  const base = ['group', 'reset-offsets', '-b', '127.0.0.1:1', '-G', 'g'];
  const cases: [string[], RegExp][] = [
    [['--all-topics'], /give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by/],
    [['--all-topics', '--to-earliest', '--to-offset', '3'], /\(got --to-earliest and --to-offset\)/],
    [['--to-earliest'], /give --topic T\[:P,\.\.\.\] \(repeatable\) or --all-topics/],
    [['--all-topics', '-t', 'x', '--to-earliest'], /give --topic T\[:P,\.\.\.\] \(repeatable\) or --all-topics/],
    [['-t', 'x:1,a', '--to-earliest'], /--topic takes TOPIC or TOPIC:P,P,\.\.\., got 'x:1,a'/],
    [['--all-topics', '--to-datetime', 'yesterday'], /--to-datetime takes an ISO-8601 time/],
    [['--all-topics', '--to-offset', '-1'], /--to-offset needs an integer ≥ 0/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...base, ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
  }
});

test('group describe with a missing or unknown flag: exit 2 naming the flag, nothing on stdout', async () => {
  let r = await cli('group', 'describe', '--group', 'g');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--brokers is required/);
  assert.equal(r.stdout, '');
  r = await cli('group', 'describe', '--brokers', '127.0.0.1:1');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--group is required/);
  r = await cli('group', 'describe', '--brokers', '127.0.0.1:1', '--group', 'g', '--lag');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown flag --lag/);
  r = await cli('group', 'describe', '--brokers', '127.0.0.1:1', '--group', 'g', '--json=maybe');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--json takes true or false/);
});

test('the table: aligned columns, "-" where there is no commit or owner, members listed', () => {
  const text = formatGroupTable({
    type: 'classic',
    groupId: 'g',
    coordinator: 1,
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'range',
    members: [{ memberId: 'm-1', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', assignment: [{ topic: 'orders', partition: 0 }] }],
    partitions: [
      { topic: 'orders', partition: 0, committedOffset: 1200, logEndOffset: 1500, lag: 300, memberId: 'm-1' },
      { topic: 'orders', partition: 11, committedOffset: null, logEndOffset: 7, lag: null, memberId: null },
    ],
    totalLag: 300,
  });
  assert.equal(
    text,
    [
      'group g  type classic  state Stable  protocol range  coordinator 1  members 1  total lag 300',
      '',
      'TOPIC   PARTITION  COMMITTED  LOG-END  LAG  MEMBER',
      'orders  0          1200       1500     300  m-1',
      'orders  11         -          7        -    -',
      '',
      'MEMBER  INSTANCE  CLIENT  HOST        PARTITIONS',
      'm-1     -         c       /127.0.0.1  1',
      '',
    ].join('\n'),
  );
});

test('the table of a consumer (KIP-848) group: type, assignor and epochs in the heading; each member with epoch, subscription, assignment and target', () => {
  const text = formatGroupTable({
    type: 'consumer',
    groupId: 'g',
    coordinator: 1,
    state: 'Reconciling',
    protocolType: 'consumer',
    protocol: 'uniform',
    groupEpoch: 7,
    assignmentEpoch: 7,
    members: [
      {
        memberId: 'm-1',
        groupInstanceId: 'i-1',
        clientId: 'c',
        clientHost: '/127.0.0.1',
        assignment: [
          { topic: 'orders', partition: 0 },
          { topic: 'orders', partition: 1 },
          { topic: 'payments', partition: 2 },
        ],
        memberEpoch: 6,
        rackId: null,
        subscribedTopicNames: ['orders', 'payments'],
        subscribedTopicRegex: null,
        targetAssignment: [{ topic: 'orders', partition: 0 }],
        memberType: 'consumer',
      },
      {
        memberId: 'm-2',
        groupInstanceId: null,
        clientId: 'c',
        clientHost: '/127.0.0.1',
        assignment: [],
        memberEpoch: 7,
        rackId: null,
        subscribedTopicNames: [],
        subscribedTopicRegex: 'ord.*',
        targetAssignment: [{ topic: 'orders', partition: 1 }],
        memberType: 'consumer',
      },
    ],
    partitions: [{ topic: 'orders', partition: 0, committedOffset: 5, logEndOffset: 9, lag: 4, memberId: 'm-1' }],
    totalLag: 4,
  });
  assert.equal(
    text,
    [
      'group g  type consumer  state Reconciling  assignor uniform  group epoch 7  assignment epoch 7  coordinator 1  members 2  total lag 4',
      '',
      'TOPIC   PARTITION  COMMITTED  LOG-END  LAG  MEMBER',
      'orders  0          5          9        4    m-1',
      '',
      'MEMBER  INSTANCE  CLIENT  HOST        EPOCH  SUBSCRIPTION     ASSIGNMENT             TARGET',
      'm-1     i-1       c       /127.0.0.1  6      orders,payments  orders:0,1 payments:2  orders:0',
      'm-2     -         c       /127.0.0.1  7      /ord.*/          -                      orders:1',
      '',
    ].join('\n'),
  );
});
