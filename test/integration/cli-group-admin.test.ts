/**
 * `kafka-stage group list|reset-offsets|delete|describe --watch` as a user runs them (the built
 * binary) against the real broker; committed offsets judged by Kafka's own kafka-consumer-groups.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaDescribeGroupOffsets } from '../helpers/java-group-tool.js';
import { useFilledTopic } from '../helpers/test-admin.js';

const brokers = testBrokers().join(',');
const b = ['-b', brokers];
const topic = uniqueTopic('cli-group-admin');
/**
 * Timestamps of partition 0's records: record i at BASE + i * 1000. An hour ago: within the broker's
 * time retention (records stamped further back than 7 days may be deleted mid-test).
 */
const BASE = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const admin = useFilledTopic(testBrokers(), topic, 2, [
  ...Array.from({ length: 10 }, (_, i) => ({ value: `a${i}`, partition: 0, timestamp: BASE + i * 1000 })),
  ...Array.from({ length: 4 }, (_, i) => ({ value: `b${i}`, partition: 1 })),
]);

const committedOf = async (groupId: string) => (await admin().fetchGroupOffsets(groupId)).map((c) => [c.partition, c.offset]);

test('reset-offsets: the dry run prints the plan and changes nothing; --execute applies it, as kafka-consumer-groups then shows', async () => {
  const groupId = uniqueTopic('cli-reset');
  await admin().alterGroupOffsets(groupId, [
    { topic, partition: 0, offset: 7 },
    { topic, partition: 1, offset: 2 },
  ]);

  const dry = await runCli(['group', 'reset-offsets', '-G', groupId, '-t', topic, '--to-earliest', ...b]);
  assert.equal(dry.code, 0, dry.stderr);
  const lines = dry.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(lines, [['TOPIC', 'PARTITION', 'CURRENT', 'NEW'], [topic, '0', '7', '0'], [topic, '1', '2', '0'], ['dry', 'run:', 'nothing', 'changed', '(add', '--execute', 'to', 'apply)']]);
  assert.deepEqual(await committedOf(groupId), [[0, 7], [1, 2]]);

  const run = await runCli(['group', 'reset-offsets', '-G', groupId, '-t', topic, '--to-earliest', '--execute', '--json', ...b]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), {
    groupId,
    executed: true,
    partitions: [
      { topic, partition: 0, current: 7, target: 0 },
      { topic, partition: 1, current: 2, target: 0 },
    ],
  });
  const java = await javaDescribeGroupOffsets(brokers, groupId);
  assert.deepEqual(java.map((r) => [r.partition, r.currentOffset, r.logEndOffset]), [[0, 0, 10], [1, 0, 4]]);
});

test('reset-offsets targets: --shift-by, --to-offset (clamped into the log), --to-datetime, --to-latest, and one partition only', async () => {
  const groupId = uniqueTopic('cli-reset-targets');
  await admin().alterGroupOffsets(groupId, [
    { topic, partition: 0, offset: 5 },
    { topic, partition: 1, offset: 1 },
  ]);
  const reset = async (...args: string[]) => {
    const r = await runCli(['group', 'reset-offsets', '-G', groupId, ...args, '--execute', ...b]);
    assert.equal(r.code, 0, r.stderr);
    return committedOf(groupId);
  };
  assert.deepEqual(await reset('--all-topics', '--shift-by', '-2'), [[0, 3], [1, 0]]);
  assert.deepEqual(await reset('--all-topics', '--shift-by', '100'), [[0, 10], [1, 4]]);
  assert.deepEqual(await reset('-t', topic, '--to-offset', '6'), [[0, 6], [1, 4]]);
  // The first record at or after BASE + 3.5 s is offset 4 of partition 0.
  assert.deepEqual(await reset('-t', `${topic}:0`, '--to-datetime', new Date(BASE + 3500).toISOString()), [[0, 4], [1, 4]]);
  assert.deepEqual(await reset('-t', `${topic}:1`, '--to-earliest'), [[0, 4], [1, 0]]);
  assert.deepEqual(await reset('--all-topics', '--to-latest'), [[0, 10], [1, 4]]);

  const two = await runCli(['group', 'reset-offsets', '-G', groupId, '--all-topics', '--to-earliest', '--to-latest', ...b]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /give exactly one of/);
});

test('a group with an active member: reset-offsets and delete refused naming its state, offsets unchanged', async () => {
  const groupId = uniqueTopic('cli-reset-active');
  let assigned!: () => void;
  const joined = new Promise<void>((resolve) => (assigned = resolve));
  const group = new ConsumerGroup({ brokers: testBrokers(), groupId, topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' }, async (stage) => {
    assigned();
    for await (const batch of stage.batches()) await stage.ack(batch);
  });
  await group.start();
  try {
    await joined;
    await group.commit();
    const before = await committedOf(groupId);
    const r = await runCli(['group', 'reset-offsets', '-G', groupId, '--all-topics', '--to-earliest', '--execute', ...b]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^kafka-stage group: group reset-offsets: group '${groupId}' is not empty \\(its state is (Stable|PreparingRebalance|CompletingRebalance)\\)`));
    assert.equal(r.stdout, '');
    assert.deepEqual(await committedOf(groupId), before);

    const d = await runCli(['group', 'delete', groupId, ...b]);
    assert.equal(d.code, 1);
    assert.match(d.stderr, new RegExp(`group '${groupId}' is not empty`));
  } finally {
    await group.stop();
  }
});

test('list names the group; delete removes it and its offsets; describe then says it does not exist', async () => {
  const groupId = uniqueTopic('cli-delete');
  await admin().alterGroupOffsets(groupId, [{ topic, partition: 0, offset: 3 }]);
  const list = await runCli(['group', 'list', '--json', ...b]);
  assert.equal(list.code, 0, list.stderr);
  assert.ok((JSON.parse(list.stdout) as { groupId: string; state: string }[]).some((g) => g.groupId === groupId && g.state === 'Empty'));

  const d = await runCli(['group', 'delete', groupId, ...b]);
  assert.equal(d.code, 0, d.stderr);
  assert.equal(d.stdout, `deleted group ${groupId}\n`);
  assert.deepEqual(await committedOf(groupId), []);
  const gone = await runCli(['group', 'describe', '-G', groupId, ...b]);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /does not exist/);
});

test('describe --watch, not on a terminal: one frame per interval until SIGINT, then exit 0', async () => {
  const groupId = uniqueTopic('cli-watch');
  await admin().alterGroupOffsets(groupId, [{ topic, partition: 0, offset: 4 }]);
  const cli = startCli(['group', 'describe', '-G', groupId, '--watch', '--interval', '200', '--json', ...b]);
  await cli.waitFor(/\n.*\n.*\n/);
  cli.child.kill('SIGINT');
  const r = await cli.done;
  assert.equal(r.code, 0, r.stderr);
  const frames = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { groupId: string; totalLag: number; partitions: { committedOffset: number }[] });
  assert.ok(frames.length >= 3);
  for (const f of frames) {
    assert.equal(f.groupId, groupId);
    assert.equal(f.totalLag, 6);
  }
});

test('describe --watch on a terminal: each frame clears the screen and redraws; Ctrl-C ends it with exit 0', async () => {
  const groupId = uniqueTopic('cli-watch-tty');
  await admin().alterGroupOffsets(groupId, [{ topic, partition: 1, offset: 1 }]);
  // A pseudo-terminal (script(1)); a ^C typed into it is SIGINT from the terminal, as a user's.
  const cli = startCli(['group', 'describe', '-G', groupId, '--watch', '--interval', '200', '-b', brokers], { terminal: true, killAfterMs: 60_000 });
  const clear = '\u001b[H\u001b[2J';
  // A whole frame: header, group line, table head and the partition's row. ^C makes the terminal
  // discard output not yet read (POSIX: no NOFLSH), so ^C goes only after three whole frames, and a
  // frame drawn after them may arrive cut short.
  const wholeFrame = new RegExp(
    `^\\S+  every 200 ms, Ctrl-C to stop\\r\\n\\r\\ngroup ${groupId}  type classic  state Empty .* total lag 3\\r\\n\\r\\nTOPIC .*\\r\\n${topic} +1 +1 +4 +3 +-\\r\\n`,
  );
  await cli.waitFor((out) => out.split(clear).slice(1).filter((f) => wholeFrame.test(f)).length >= 3);
  cli.child.stdin.write('\u0003');
  const { code, signal, stdout: out } = await cli.done;
  assert.equal(code, 0, `exit code ${code}, signal ${signal}; output:\n${out}`);
  const frames = out.split(clear).slice(1);
  assert.ok(frames.length >= 3, out);
  for (const f of frames.slice(0, 3)) assert.match(f, wholeFrame);
});
