/**
 * kcat's habits of the built `kafka-stage` binary against the real broker: produce with -K/-H/-D/-p
 * read back by the Java console consumer and the other way round, format strings, -o in its five
 * forms, -e on empty and filled partitions, -p, base64, SIGINT during a produce (flush, summary,
 * exit 130), --version, help and one-line usage errors.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import type { ConsumeSummary } from '../../src/cli/consume.js';
import type { ProduceSummary } from '../../src/cli/produce.js';
import { Cluster } from '../../src/cluster/cluster.js';
import { readAll } from '../../src/consumer/partition-reader.js';
import { Producer, type ProducerRecord } from '../../src/producer/producer.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';
import { javaConsume, javaProduce } from '../helpers/java-tools.js';

const brokers = testBrokers().join(',');
let admin: Admin;
let producer: Producer;
let reader: Cluster;
const topics: string[] = [];

before(async () => {
  admin = new Admin({ brokers: testBrokers() });
  producer = new Producer({ brokers: testBrokers() });
  reader = new Cluster({ brokers: testBrokers() });
  await reader.connect();
});

after(async () => {
  await producer.close();
  await reader.close();
  if (topics.length > 0) await admin.deleteTopics(topics).catch(() => undefined);
  await admin.close();
});

async function newTopic(prefix: string, partitions: number, records: ProducerRecord[] = []): Promise<string> {
  const topic = uniqueTopic(prefix);
  topics.push(topic);
  await admin.createTopics([{ topic, partitions }]);
  for (const r of records) await producer.send(topic, r); // in order
  return topic;
}

const lastLine = (text: string) => text.trim().split('\n').at(-1) as string;

test('produce -K -H from stdin: keys, values and headers as the Java console consumer reads them', async () => {
  const topic = await newTopic('kcat-produce-keys', 2);
  const input = 'k1:v1\nk2:value:with:colons\nno-key-here\n:empty-key\n';
  const r = await runCli(['produce', '-b', brokers, '-t', topic, '-K', ':', '-H', 'source=cli', '-H', 'eq=a=b', '-H', 'source=again'], { stdin: input });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as ProduceSummary;
  assert.equal(summary.records, 4);
  assert.equal(summary.errors, 0);

  const read = await javaConsume({ brokers, topic, maxMessages: 4, timeoutMs: 30_000, from: 'earliest' });
  const byValue = new Map(read.map((x) => [x.value, x]));
  assert.equal(read.length, 4);
  assert.equal(byValue.get('v1')?.key, 'k1');
  assert.equal(byValue.get('value:with:colons')?.key, 'k2');
  assert.equal(byValue.get('no-key-here')?.key, null);
  assert.equal(byValue.get('empty-key')?.key, '');
  for (const x of read) {
    assert.deepEqual(x.headerList, [['source', 'cli'], ['eq', 'a=b'], ['source', 'again']]);
  }
});

test('the other way: Java-produced keys and headers through consume -f and -K, ended by -e', async () => {
  const topic = await newTopic('kcat-consume-java', 1);
  await javaProduce({
    brokers,
    topic,
    compression: 'none',
    records: [
      { key: 'alpha', value: 'one', headers: { h1: 'x', h2: 'y' } },
      { key: null, value: 'two' },
      { key: 'gamma', value: 'three ü', headers: { h: '' } },
    ],
  });
  let r = await runCli(['consume', '-b', brokers, '-t', topic, '-e', '-f', '%p:%o %k=%v [%h] %K/%S']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '0:0 alpha=one [h1=x,h2=y] 5/3\n0:1 =two [] -1/3\n0:2 gamma=three ü [h=] 5/8\n');
  const summary = JSON.parse(lastLine(r.stderr)) as ConsumeSummary;
  assert.equal(summary.stoppedBy, 'end');
  assert.equal(summary.records, 3);

  r = await runCli(['consume', '-b', brokers, '-t', topic, '-e', '-q', '-K', '\\t', '-D', '|']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'alpha\tone|\ttwo|gamma\tthree ü|');
  assert.equal(r.stderr, '', '-q: no summary');
});

test('-e on an empty partition and on filled ones: exits by itself with what was there', async () => {
  const topic = await newTopic('kcat-exit-end', 3, [
    { value: 'a', partition: 0 },
    { value: 'b', partition: 0 },
    { value: 'c', partition: 2 },
  ]);
  const r = await runCli(['consume', '-b', brokers, '-t', topic, '-e', '-f', 'value']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n').sort(), ['a', 'b', 'c']);
  const summary = JSON.parse(lastLine(r.stderr)) as ConsumeSummary;
  assert.equal(summary.stoppedBy, 'end');
  assert.equal(summary.partitions, 3);
});

test('-o: beginning, end, an offset, -n before the end of each partition, s@ a timestamp; -p one partition; -c', async () => {
  // An hour ago, within the broker's retention: records stamped years back are deleted by time
  // retention within minutes (log start offset moved to 10 under this test on Kafka 4.0.2 in CI).
  const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const records = Array.from({ length: 20 }, (_, i) => ({ value: `p${i % 2}-${Math.floor(i / 2)}`, partition: i % 2, timestamp: base + Math.floor(i / 2) * 1000 }));
  const topic = await newTopic('kcat-offsets', 2, records);
  const consume = async (...args: string[]) => {
    const r = await runCli(['consume', '-b', brokers, '-t', topic, '-e', '-f', '%v', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trimEnd().split('\n').filter(Boolean).sort();
  };
  assert.equal((await consume('-o', 'beginning')).length, 20);
  assert.deepEqual(await consume('-o', '-2'), ['p0-8', 'p0-9', 'p1-8', 'p1-9']);
  // More than a partition holds: from its beginning.
  assert.equal((await consume('-o', '-50')).length, 20);
  assert.deepEqual(await consume('-o', '8'), ['p0-8', 'p0-9', 'p1-8', 'p1-9']);
  assert.deepEqual(await consume('-o', `s@${base + 7500}`), ['p0-8', 'p0-9', 'p1-8', 'p1-9']);
  assert.deepEqual(await consume('-o', `s@${base + 7000}`, '-p', '1'), ['p1-7', 'p1-8', 'p1-9']);
  // A time after every record: nothing, and -e still ends the run.
  assert.deepEqual(await consume('-o', `s@${base + 60_000}`), []);
  assert.deepEqual(await consume('-o', 'end'), []);
  assert.deepEqual(await consume('-p', '0', '-o', '3', '-c', '2'), ['p0-3', 'p0-4']);

  const bad = await runCli(['consume', '-b', brokers, '-t', topic, '-p', '5']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--partition 5: topic \S+ has 2 partitions \(0-1\)/);
});

test('produce -D and -p with binary values; consume -f base64 gives the bytes back', async () => {
  const topic = await newTopic('kcat-delimiter', 2);
  const values = [Buffer.from([0, 1, 2, 10, 13, 255]), Buffer.from('plain'), Buffer.from([0xc3, 0x28])];
  const input = Buffer.concat(values.flatMap((v) => [v, Buffer.from([0x1e])]));
  const r = await runCli(['produce', '-b', brokers, '-t', topic, '-D', '\\x1e', '-p', '1'], { stdin: input });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await readAll(reader, { topic, partition: 0, fromOffset: 0 })).length, 0);
  assert.deepEqual(
    (await readAll(reader, { topic, partition: 1, fromOffset: 0 })).map((x) => x.value),
    values,
  );
  const c = await runCli(['consume', '-b', brokers, '-t', topic, '-e', '-f', 'base64']);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(c.stdout.trimEnd().split('\n').map((line) => Buffer.from(line, 'base64')), values);
});

test('produce interrupted: SIGINT flushes what was accepted, prints the summary and a count line, exits 130', async () => {
  const topic = await newTopic('kcat-sigint', 1);
  const cli = startCli(['produce', '-b', brokers, '-t', topic, '--progress']);
  cli.child.stdin.write(Array.from({ length: 500 }, (_, i) => `line-${i}\n`).join(''));
  // stdin stays open: the CLI waits for more. Progress lines say when all 500 were acknowledged.
  await cli.waitFor(/kafka-stage produce: 500 records sent/, 'stderr');
  cli.child.kill('SIGINT');
  const r = await cli.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /kafka-stage produce: interrupted: 500 records sent, 0 failed\n/);
  const summary = JSON.parse(r.stdout) as ProduceSummary;
  assert.equal(summary.records, 500);
  assert.equal(summary.interrupted, true);
  const stored = await readAll(reader, { topic, partition: 0, fromOffset: 0 });
  assert.deepEqual(stored.map((x) => x.value?.toString()), Array.from({ length: 500 }, (_, i) => `line-${i}`));
});

test('produce on a terminal: progress redrawn in place every second, Ctrl-C flushes, prints the summary, exits 130', async () => {
  const topic = await newTopic('kcat-tty', 1);
  const cli = startCli(['produce', '-b', brokers, '-t', topic], { terminal: true });
  cli.child.stdin.write('a\nb\n');
  // The progress line once both records were acknowledged, drawn over itself ('\r' + erase line).
  await cli.waitFor(/kafka-stage produce: 2 records sent, \d+ records\/s, 0 failed/);
  assert.ok(cli.stdoutSoFar().includes('\r\x1b[Kkafka-stage produce: 2 records sent, '), JSON.stringify(cli.stdoutSoFar()));
  cli.child.stdin.write('\x03');
  const r = await cli.done;
  assert.equal(r.code, 130, r.stdout);
  assert.match(r.stdout, /kafka-stage produce: interrupted: 2 records sent, 0 failed/);
  assert.match(r.stdout, /"records":2,.*"interrupted":true/);
  const stored = await readAll(reader, { topic, partition: 0, fromOffset: 0 });
  assert.deepEqual(stored.map((x) => x.value?.toString()), ['a', 'b']);
});

test('the binary: --version, help <command>, a typo is one line and exit 2', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const v = await runCli(['-V']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout, `kafka-stage ${version}\n`);
  const help = await runCli(['help', 'consume']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /-o, --offset beginning\|end\|N\|-N\|s@MS/);
  assert.match(help.stdout, /-e, --exit/);
  const typo = await runCli(['consume', '-b', brokers, '--topc', 'x']);
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr, "kafka-stage consume: unknown flag --topc (did you mean --topic?)\nrun 'kafka-stage help consume' for the flags\n");
});
