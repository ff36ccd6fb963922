// `kafka-stage topics` and `metadata` command-line handling, no broker needed: usage errors come before anything connects.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { formatMetadata } from '../../src/cli/metadata.js';
import { formatTopic, topicsCommand } from '../../src/cli/topics.js';
import { keyValue } from '../../src/cli/topics-change.js';

const io = () => ({ stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough(), env: {} });
const B = ['-b', '127.0.0.1:1'];

test('usage errors of the topics subcommands: exit 2 (UsageError) naming the problem, nothing printed', async () => {
  const cases: [string[], RegExp][] = [
    [[], /needs a subcommand \(list, describe, create, delete, alter-config\)/],
    [['lst'], /unknown subcommand 'lst' \(did you mean list\?\)/],
    [['list', 'extra', ...B], /unexpected argument 'extra'/],
    [['describe', ...B], /name at least one topic/],
    [['create', 't', '--partitions', '0', ...B], /--partitions needs an integer ≥ 1/],
    [['create', 't', '--set', 'retention.ms', ...B], /--set takes NAME=VALUE, got 'retention.ms'/],
    [['create', 't', '--set', 'a=1', '--set', 'a=2', ...B], /--set a given more than once/],
    [['delete', 't', ...B], /deleting t removes every record in it: add --yes to confirm/],
    [['alter-config', 't', ...B], /nothing to change/],
    [['alter-config', 't', '--set', 'a=1', '--delete', 'a', ...B], /a is both set and deleted/],
  ];
  for (const [args, message] of cases) {
    const streams = io();
    await assert.rejects(topicsCommand.run(args, streams), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && message.test(err.message), args.join(' '));
    assert.equal(streams.stdout.read(), null, args.join(' '));
  }
});

test('NAME=VALUE splits at the first =, so values may hold =', () => {
  assert.deepEqual(keyValue('--set', 'a=b=c'), ['a', 'b=c']);
  assert.deepEqual(keyValue('--set', 'a='), ['a', '']);
  assert.throws(() => keyValue('--set', '=x'), UsageError);
});

test('the topic table: one heading, the configs, a row per partition with "-" for unknown values', () => {
  const text = formatTopic({
    name: 'orders',
    topicId: 'id1',
    isInternal: false,
    configs: { 'retention.ms': '1000' },
    partitions: [
      { partition: 0, leader: 1, leaderEpoch: 0, replicas: [1, 2], isr: [1, 2], offlineReplicas: [], lowOffset: 0, highOffset: 12 },
      { partition: 1, leader: -1, leaderEpoch: 0, replicas: [2, 1], isr: [], offlineReplicas: [2], lowOffset: null, highOffset: null },
    ],
  });
  assert.equal(
    text,
    [
      'topic orders  id id1  partitions 2  replication-factor 2',
      'configs: retention.ms=1000',
      'PARTITION  LEADER  REPLICAS  ISR  OFFLINE  LOW  HIGH',
      '0          1       1,2       1,2  -        0    12',
      '1          -       2,1       -    2        -    -',
    ].join('\n'),
  );
});

test('the metadata listing: brokers with rack and controller, partitions with offline replicas when any', () => {
  const text = formatMetadata({
    clusterId: 'c1',
    controllerId: 2,
    brokers: [
      { nodeId: 1, host: 'a', port: 9092, rack: 'r1' },
      { nodeId: 2, host: 'b', port: 9092, rack: null },
    ],
    topics: [
      {
        name: 't',
        topicId: 'x',
        isInternal: false,
        partitions: [{ partition: 0, leader: -1, leaderEpoch: 3, replicas: [1, 2], isr: [], offlineReplicas: [1, 2] }],
      },
    ],
  });
  assert.equal(
    text,
    [
      'cluster c1  controller 2',
      '2 brokers:',
      '  broker 1 at a:9092 rack r1',
      '  broker 2 at b:9092 (controller)',
      '1 topic:',
      '  topic "t" with 1 partition:',
      '    partition 0, leader none, replicas: 1,2, isrs: , offline: 1,2',
      '',
    ].join('\n'),
  );
});
