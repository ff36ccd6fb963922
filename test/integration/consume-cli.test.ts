/**
 * `kafka-stage consume` as a user runs it (the built binary in a child process) against the real broker:
 * the json format byte for byte, --max-messages, --idle-timeout-ms, group commits (a rerun reads
 * nothing new, or exactly the rest), SIGTERM mid-stream (exit 0, a summary, the acked prefix
 * committed, a rerun neither skips nor repeats), a stalled stdout reader stalling consumption, and
 * failures.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import type { ConsumeSummary } from '../../src/cli/consume.js';
import type { JsonRecordLine } from '../../src/cli/consume-format.js';
import { Producer, type ProducerRecord } from '../../src/producer/producer.js';
import { startCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { eventually } from '../helpers/eventually.js';

const brokers = testBrokers().join(',');
let admin: Admin;
let producer: Producer;
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  producer = new Producer({ brokers: testBrokers() });
});

after(async () => {
  await producer.close();
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

async function topicWith(prefix: string, partitions: number, records: ProducerRecord[]): Promise<string> {
  const topic = uniqueTopic(prefix);
  topics.push(topic);
  await admin.createTopics([{ topic, partitions }]);
  await Promise.all(records.map((r) => producer.send(topic, r)));
  return topic;
}

/** `count` records spread over `partitions` by explicit partition, values `v-<i>`. */
function spread(count: number, partitions: number): ProducerRecord[] {
  return Array.from({ length: count }, (_, i) => ({ value: `v-${i}`, partition: i % partitions }));
}

function start(args: string[]) {
  return startCli(['consume', '--brokers', brokers, ...args]);
}

const consume = (args: string[]) => start(args).done;

/** The summary: the last line of stderr. */
function summaryOf(stderr: string): ConsumeSummary {
  const lines = stderr.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as ConsumeSummary;
}

function linesOf(stdout: string): JsonRecordLine[] {
  return stdout === '' ? [] : stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as JsonRecordLine);
}

const idOf = (l: JsonRecordLine) => `${l.partition}/${l.offset}`;

/** Record timestamps an hour back: within the broker's time retention (older ones may be deleted mid-test). */
const STAMP = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

test('json: one exact line per record — null key and value, repeated headers, unicode — then a summary on stderr', async () => {
  const records: ProducerRecord[] = [
    { key: null, value: 'plain', partition: 0, timestamp: STAMP + 1 },
    { key: 'k-ü', value: 'zwei — ünïcode 🎉 "q"\\', partition: 0, timestamp: STAMP + 2, headers: [{ key: 'h', value: '1' }, { key: 'h', value: '2' }, { key: 'n', value: null }] },
    { key: 'tomb', value: null, partition: 0, timestamp: STAMP + 3 },
  ];
  const topic = await topicWith('consume-json', 1, []);
  for (const r of records) await producer.send(topic, r); // in order, one partition
  const r = await consume(['--topic', topic, '--max-messages', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      `{"topic":"${topic}","partition":0,"offset":0,"key":null,"value":"plain","headers":[],"timestamp":${STAMP + 1}}`,
      `{"topic":"${topic}","partition":0,"offset":1,"key":"k-ü","value":"zwei — ünïcode 🎉 \\"q\\"\\\\","headers":[{"key":"h","value":"1"},{"key":"h","value":"2"},{"key":"n","value":null}],"timestamp":${STAMP + 2}}`,
      `{"topic":"${topic}","partition":0,"offset":2,"key":"tomb","value":null,"headers":[],"timestamp":${STAMP + 3}}`,
      '',
    ].join('\n'),
  );
  const summary = summaryOf(r.stderr);
  assert.equal(summary.topic, topic);
  assert.equal(summary.group, null);
  assert.equal(summary.records, 3);
  assert.equal(summary.partitions, 1);
  assert.equal(summary.stoppedBy, 'max-messages');
  assert.equal(summary.committed, null);
  assert.deepEqual(summary.printed, { 0: { records: 3, firstOffset: 0, lastOffset: 2 } });
});

test('--max-messages without a group: exactly N records from all partitions; --format value prints values only', async () => {
  const topic = await topicWith('consume-max', 3, spread(60, 3));
  let r = await consume(['--topic', topic, '--max-messages', '25']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(linesOf(r.stdout).length, 25);
  assert.equal(summaryOf(r.stderr).records, 25);
  r = await consume(['--topic', topic, '--format', 'value', '--idle-timeout-ms', '2000']);
  assert.equal(r.code, 0, r.stderr);
  const values = r.stdout.trimEnd().split('\n');
  assert.equal(values.length, 60);
  assert.deepEqual(new Set(values), new Set(Array.from({ length: 60 }, (_, i) => `v-${i}`)));
});

test('--idle-timeout-ms: every record, then a stop once nothing comes; --from latest reads nothing old', async () => {
  const topic = await topicWith('consume-idle', 2, spread(40, 2));
  const t0 = performance.now();
  let r = await consume(['--topic', topic, '--idle-timeout-ms', '1500']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(linesOf(r.stdout).length, 40);
  const summary = summaryOf(r.stderr);
  assert.equal(summary.stoppedBy, 'idle-timeout');
  assert.equal(summary.partitions, 2);
  assert.ok(performance.now() - t0 >= 1500);
  r = await consume(['--topic', topic, '--from', 'latest', '--idle-timeout-ms', '1500']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(summaryOf(r.stderr).records, 0);
});

test('--group: commits what it printed; a second run of the same group reads nothing new; group describe shows no lag', async () => {
  const topic = await topicWith('consume-group', 3, spread(90, 3));
  const group = uniqueTopic('consume-group-g');
  let r = await consume(['--topic', topic, '--group', group, '--idle-timeout-ms', '3000']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(linesOf(r.stdout).length, 90);
  const summary = summaryOf(r.stderr);
  assert.equal(summary.group, group);
  assert.deepEqual(summary.committed, { 0: 30, 1: 30, 2: 30 });
  r = await consume(['--topic', topic, '--group', group, '--idle-timeout-ms', '3000']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'nothing new for the same group');
  const d = await admin.describeGroupOffsets(group);
  assert.deepEqual(
    d.partitions.map((p) => [p.partition, p.committedOffset, p.lag]),
    [
      [0, 30, 0],
      [1, 30, 0],
      [2, 30, 0],
    ],
  );
});

test('--group --max-messages: the first run commits exactly what it printed; the next run prints exactly the rest', async () => {
  const topic = await topicWith('consume-group-max', 2, spread(80, 2));
  const group = uniqueTopic('consume-group-max-g');
  const first = await consume(['--topic', topic, '--group', group, '--max-messages', '30', '--max-demand', '20', '--commit', 'sync']);
  assert.equal(first.code, 0, first.stderr);
  const a = linesOf(first.stdout);
  assert.equal(a.length, 30);
  const second = await consume(['--topic', topic, '--group', group, '--idle-timeout-ms', '3000', '--commit', 'none']);
  assert.equal(second.code, 0, second.stderr);
  const b = linesOf(second.stdout);
  const ids = [...a, ...b].map(idOf);
  assert.equal(ids.length, 80, 'no record printed twice, none skipped');
  assert.equal(new Set(ids).size, 80);
  // `--commit none` still commits once, at exit.
  assert.deepEqual(summaryOf(second.stderr).committed, { 0: 40, 1: 40 });
});

test('--group-protocol consumer (KIP-848): the first run commits exactly what it printed, the next prints exactly the rest; misuse is a usage error', async () => {
  const topic = await topicWith('consume-848', 3, spread(90, 3));
  const group = uniqueTopic('consume-848-g');
  const first = await consume(['--topic', topic, '--group', group, '--group-protocol', 'consumer', '--server-assignor', 'range', '--max-messages', '40', '--max-demand', '20', '--commit', 'sync']);
  assert.equal(first.code, 0, first.stderr);
  const a = linesOf(first.stdout);
  assert.equal(a.length, 40);
  const second = await consume(['--topic', topic, '--group', group, '--group-protocol', 'consumer', '--idle-timeout-ms', '3000']);
  assert.equal(second.code, 0, second.stderr);
  const ids = [...a, ...linesOf(second.stdout)].map(idOf);
  assert.equal(ids.length, 90, 'no record printed twice, none skipped');
  assert.equal(new Set(ids).size, 90);
  assert.deepEqual(summaryOf(second.stderr).committed, { 0: 30, 1: 30, 2: 30 });
  const noGroup = await consume(['--topic', topic, '--group-protocol', 'consumer', '--max-messages', '1']);
  assert.equal(noGroup.code, 2, noGroup.stderr);
  assert.match(noGroup.stderr, /--group-protocol needs --group/);
  const classicAssignor = await consume(['--topic', topic, '--group', group, '--server-assignor', 'uniform', '--max-messages', '1']);
  assert.equal(classicAssignor.code, 2, classicAssignor.stderr);
  assert.match(classicAssignor.stderr, /--server-assignor needs --group-protocol consumer/);
});

test('SIGTERM mid-stream: exit 0 with a summary, the acked prefix committed; a rerun starts there without skipping', async () => {
  const topic = await topicWith('consume-sigterm', 2, spread(400, 2));
  const group = uniqueTopic('consume-sigterm-g');
  const { child, done } = start(['--topic', topic, '--group', group, '--delay-ms', '20', '--max-demand', '10']);
  // Wait for some output, then ask it to stop.
  let seen = 0;
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      seen += c.toString('utf8').split('\n').length - 1;
      if (seen >= 20) resolve();
    });
  });
  child.kill('SIGTERM');
  const first = await done;
  assert.equal(first.code, 0, first.stderr);
  const summary = summaryOf(first.stderr);
  assert.equal(summary.stoppedBy, 'signal');
  const a = linesOf(first.stdout);
  assert.ok(a.length >= 20 && a.length < 400, `${a.length} records before the stop`);
  assert.equal(summary.records, a.length);
  // Committed = one past the last printed offset of each partition (every printed record was acked).
  const expected: Record<string, number> = {};
  for (const l of a) expected[l.partition] = Math.max(expected[l.partition] ?? 0, l.offset + 1);
  assert.deepEqual(summary.committed, expected);

  const second = await consume(['--topic', topic, '--group', group, '--idle-timeout-ms', '3000']);
  assert.equal(second.code, 0, second.stderr);
  const ids = [...a, ...linesOf(second.stdout)].map(idOf);
  assert.equal(new Set(ids).size, 400, 'every record once over both runs');
  assert.equal(ids.length, 400, 'nothing printed twice');
});

test('a stdout nobody reads stalls consumption (no unbounded buffering); reading again lets it finish', async () => {
  const count = 20_000;
  const topic = await topicWith('consume-backpressure', 1, []);
  await producer.sendBatch(topic, Array.from({ length: count }, (_, i) => ({ value: `${i} ${'x'.repeat(200)}` })));
  const { child, stderrSoFar, done } = start(['--topic', topic, '--idle-timeout-ms', '5000', '--format', 'value']);
  child.stdout.pause();
  // The clock starts at the first printed record, not at spawn: a signal before the CLI has set up
  // its handlers ends it with no word (seen on a loaded machine, where start-up took over 3 s).
  await eventually(() => child.stdout.readableLength > 0, {
    what: 'the first printed record',
    timeoutMs: 60_000,
    intervalMs: 25,
    hopeless: () => (child.exitCode === null ? undefined : `the CLI exited (${child.exitCode}): ${stderrSoFar()}`),
  });
  assert.ok(child.stdout.readableLength > 0, 'the CLI printed nothing within 60 s');
  // Long enough for the consumer to run far ahead if nothing held it back.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  child.kill('SIGTERM');
  // Read again only once the CLI says it is stopping: from then on it prints no new batch. Resuming
  // earlier let a 'drain' event race the signal and print batches the stall had rightly held back.
  await eventually(() => stderrSoFar().includes('stopping on SIGTERM'), { what: 'the CLI to say it stops', timeoutMs: 5_000, intervalMs: 25, progress: stderrSoFar });
  assert.match(stderrSoFar(), /stopping on SIGTERM/);
  child.stdout.resume();
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  const summary = summaryOf(r.stderr);
  assert.equal(summary.stoppedBy, 'signal');
  const printed = r.stdout.trimEnd().split('\n').length;
  assert.equal(summary.records, printed);
  // ~210 B lines: the pipe (64 KiB) and what this side read before pausing hold ~300 each; the CLI's
  // stdout holds at most the batch that filled it and the one being written (250 records each at the
  // default demand of 1000).
  assert.ok(printed < 2_000, `printed ${printed} of ${count} while nobody read`);
});

test('a topic that does not exist: exit 1 with the error and a summary', async () => {
  const r = await consume(['--topic', uniqueTopic('consume-missing'), '--max-messages', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
  assert.equal(summaryOf(r.stderr).stoppedBy, 'error');
  assert.equal(r.stdout, '');
});
