/** `kafka-stage group describe` as a user runs it (the built binary) against the real broker. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { GroupOffsetsDescription } from '../../src/admin/groups.js';
import { GroupCoordinator } from '../../src/group/coordinator.js';
import { commitOffsetsTo, STANDALONE_COMMIT } from '../../src/group/offsets.js';
import { runCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { useFilledTopic } from '../helpers/test-admin.js';

const brokers = testBrokers().join(',');
const topic = uniqueTopic('group-cli');
const groupId = uniqueTopic('group-cli-g');
const admin = useFilledTopic(testBrokers(), topic, 2, [
  ...Array.from({ length: 25 }, (_, i) => ({ value: `a${i}`, partition: 0 })),
  ...Array.from({ length: 8 }, (_, i) => ({ value: `b${i}`, partition: 1 })),
]);

before(async () => {
  // Commits as a non-member (generation -1), as a standalone consumer may, through the library's
  // commit (which retries COORDINATOR_NOT_AVAILABLE / LOAD_IN_PROGRESS of a fresh broker).
  const coordinator = new GroupCoordinator(admin().cluster, groupId);
  try {
    await commitOffsetsTo(coordinator, STANDALONE_COMMIT, [
      { topic, partition: 0, offset: 20, metadata: null },
      { topic, partition: 1, offset: 3, metadata: null },
    ]);
  } finally {
    await coordinator.close();
  }
});

const cli = (args: string[]) => runCli(args, { killAfterMs: 60_000 });

test('--json: one object whose committed offsets, log ends and lags match the broker', async () => {
  const r = await cli(['group', 'describe', '--brokers', brokers, '--group', groupId, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1);
  const d = JSON.parse(lines[0] as string) as GroupOffsetsDescription;
  assert.equal(d.groupId, groupId);
  assert.equal(d.type, 'classic');
  assert.equal(d.state, 'Empty');
  assert.deepEqual(d.members, []);
  assert.deepEqual(d.partitions, [
    { topic, partition: 0, committedOffset: 20, logEndOffset: 25, lag: 5, memberId: null },
    { topic, partition: 1, committedOffset: 3, logEndOffset: 8, lag: 5, memberId: null },
  ]);
  assert.equal(d.totalLag, 10);
  // The same numbers the admin client reads.
  const fromAdmin = await admin().describeGroupOffsets(groupId);
  assert.deepEqual(d.partitions, fromAdmin.partitions);
});

test('default: a table with a heading line and one row per partition', async () => {
  const r = await cli(['group', 'describe', '--brokers', brokers, '--group', groupId]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] as string, new RegExp(`^group ${groupId}  type classic  state Empty  coordinator \\d+  members 0  total lag 10$`));
  assert.deepEqual(lines[2]?.split(/\s+/), ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG', 'MEMBER']);
  assert.deepEqual(lines[3]?.split(/\s+/), [topic, '0', '20', '25', '5', '-']);
  assert.deepEqual(lines[4]?.split(/\s+/), [topic, '1', '3', '8', '5', '-']);
  assert.equal(lines.length, 5);
});

test('a group that does not exist: exit 1 with a message naming it, nothing on stdout', async () => {
  const missing = uniqueTopic('group-cli-missing');
  const r = await cli(['group', 'describe', '--brokers', brokers, '--group', missing, '--json']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`group '${missing}' does not exist`));
});
