// The consume command's parts without a broker: record formats, the output sink's backpressure and
// flush callbacks, and the session (quota, acks after flush, slow subscriber, idle timer, stops) over
// fake partition stages.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { formatRecord, jsonRecord } from '../../src/cli/consume-format.js';
import { OutputSink } from '../../src/cli/consume-output.js';
import { ConsumeSession, type BatchSource, type ConsumeSessionOptions } from '../../src/cli/consume-session.js';
import type { Ackable, ConsumerBatch } from '../../src/consumer/types.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';
import { eventually } from '../helpers/eventually.js';

function record(offset: number, value: string | null = `v${offset}`, key: string | null = null, partition = 0): KafkaRecord {
  return { topic: 't', partition, offset, timestamp: 1_700_000_000_000 + offset, key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: [], attempt: 1 };
}

function batch(partition: number, from: number, count: number): ConsumerBatch {
  const records = Array.from({ length: count }, (_, i) => record(from + i, `p${partition}-${from + i}`, null, partition));
  return { topic: 't', partition, records, firstOffset: from, lastOffset: from + count - 1 };
}

/** A stage handing out fixed batches; records what was acked and how many batches were pulled. */
class FakeStage implements BatchSource {
  acked: number[] = [];
  pulled = 0;
  maxDemandSeen: number | undefined;
  minDemandSeen: number | undefined;
  private more: (() => void) | null = null;

  constructor(
    private readonly queue: ConsumerBatch[],
    /** Keep the iterator open after the queue ends (a live partition), until `end()`. */
    private readonly live = false,
  ) {}

  end(): void {
    this.more?.();
  }

  async *batches(options?: { maxDemand?: number; minDemand?: number }): AsyncGenerator<ConsumerBatch> {
    this.maxDemandSeen = options?.maxDemand;
    this.minDemandSeen = options?.minDemand;
    while (this.queue.length > 0) {
      this.pulled++;
      yield this.queue.shift() as ConsumerBatch;
    }
    if (this.live) await new Promise<void>((resolve) => (this.more = resolve));
  }

  async ack(what: Ackable): Promise<void> {
    if (typeof what === 'number') this.acked.push(what);
    else if ('records' in what) for (const r of what.records) this.acked.push(r.offset);
    else this.acked.push(what.offset);
  }
}

/** A writable whose writes complete only when `release()` is called (a reader that is not reading). */
class HeldWritable extends Writable {
  text = '';
  private held: (() => void)[] = [];
  hold = true;

  constructor(highWaterMark: number) {
    super({ highWaterMark, decodeStrings: false });
  }

  override _write(chunk: string, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    const done = () => {
      this.text += chunk;
      callback();
    };
    if (this.hold) this.held.push(done);
    else done();
  }

  release(): void {
    this.hold = false;
    const held = this.held;
    this.held = [];
    for (const d of held) d();
  }
}

function session(options: Partial<ConsumeSessionOptions>, out: Writable = new HeldWritable(1 << 20)) {
  const sink = new OutputSink(out);
  const s = new ConsumeSession({ format: 'json', delayMs: 0, maxDemand: 100, ...options }, sink);
  return { s, sink };
}

const ctx = (partition: number, signal = new AbortController().signal) => ({ topic: 't', partition, signal });

test('json: the seven fields in order; null key and value; headers as an ordered array, duplicates kept; unicode; numbers', () => {
  const r: KafkaRecord = {
    topic: 't',
    partition: 0,
    offset: 42,
    timestamp: 1_700_000_000_123,
    key: null,
    value: Buffer.from('zwei — ünïcode 🎉 "quoted"\nnewline'),
    headers: [
      { key: 'h', value: Buffer.from('1') },
      { key: 'h', value: Buffer.from('2') },
      { key: 'empty', value: null },
    ],
    attempt: 1,
  };
  const line = formatRecord('json', 'orders', 3, r);
  assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'), 'one line');
  assert.equal(
    line,
    '{"topic":"orders","partition":3,"offset":42,"key":null,"value":"zwei — ünïcode 🎉 \\"quoted\\"\\nnewline",' +
      '"headers":[{"key":"h","value":"1"},{"key":"h","value":"2"},{"key":"empty","value":null}],"timestamp":1700000000123}\n',
  );
  assert.deepEqual(jsonRecord('t', 0, { ...r, key: Buffer.from('k'), value: null, headers: [] }), {
    topic: 't',
    partition: 0,
    offset: 42,
    key: 'k',
    value: null,
    headers: [],
    timestamp: 1_700_000_000_123,
  });
  // Bytes that are not UTF-8 become U+FFFD rather than failing the line.
  assert.equal(jsonRecord('t', 0, { ...r, value: Buffer.from([0x61, 0xff, 0x62]) }).value, 'a\uFFFDb');
});

test('value and none formats', () => {
  assert.equal(formatRecord('value', 't', 0, record(1, 'hello')), 'hello\n');
  assert.equal(formatRecord('value', 't', 0, record(1, null)), '\n');
  assert.equal(formatRecord('none', 't', 0, record(1, 'hello')), '');
});

test('records are printed in order and acked only once flushed', async () => {
  const out = new HeldWritable(1 << 20);
  const { s } = session({}, out);
  const stage = new FakeStage([batch(0, 0, 3), batch(0, 3, 2)]);
  await s.subscriber(stage, ctx(0));
  assert.equal(stage.maxDemandSeen, 100, 'the demand asked for is --max-demand');
  assert.equal(stage.minDemandSeen, undefined, "GenStage's minDemand unless one is set");
  assert.equal(s.records, 5);
  assert.deepEqual(stage.acked, [], 'nothing acked before the output is flushed');
  out.release();
  await s.drainOutput();
  assert.deepEqual(stage.acked, [0, 1, 2, 3, 4]);
  const lines = out.text.trim().split('\n').map((l) => JSON.parse(l) as { offset: number; value: string });
  assert.deepEqual(
    lines.map((l) => l.offset),
    [0, 1, 2, 3, 4],
  );
  assert.equal(lines[4]?.value, 'p0-4');
  assert.deepEqual(s.tallies.get(0), { records: 5, firstOffset: 0, lastOffset: 4 });
});

test("the CLI's default demand: 4000 in batches of 250 (minDemand 3750)", async () => {
  const { s } = session({ maxDemand: 4000, minDemand: 3750 });
  const stage = new FakeStage([]);
  await s.subscriber(stage, ctx(0));
  assert.deepEqual([stage.maxDemandSeen, stage.minDemandSeen], [4000, 3750]);
});

test('a batch printed in several chunks (past 64 KiB) is acked once, after its last chunk is flushed', async () => {
  const out = new HeldWritable(1 << 20);
  const { s } = session({ format: 'value' }, out);
  const big = batch(0, 0, 2000);
  for (const r of big.records) r.value = Buffer.from(`${r.offset} ${'x'.repeat(100)}`);
  const stage = new FakeStage([big]);
  const writes: number[] = [];
  const write = out.write.bind(out);
  out.write = ((chunk: Buffer, ...rest: never[]) => {
    writes.push(chunk.length);
    return write(chunk, ...rest);
  }) as typeof out.write;
  await s.subscriber(stage, ctx(0));
  assert.ok(writes.length > 1, `one batch, ${writes.length} write(s)`);
  assert.deepEqual(stage.acked, [], 'nothing acked before the output is flushed');
  out.release();
  await s.drainOutput();
  assert.deepEqual(stage.acked, big.records.map((r) => r.offset), 'the batch acked whole, once');
  const lines = out.text.trimEnd().split('\n');
  assert.equal(lines.length, 2000);
  assert.equal(lines[1999], `1999 ${'x'.repeat(100)}`);
});

test('--max-messages across partitions: exactly N printed, only the printed ones acked, then a stop', async () => {
  const out = new HeldWritable(1 << 20);
  out.release();
  const { s } = session({ maxMessages: 7 }, out);
  const a = new FakeStage([batch(0, 0, 5), batch(0, 5, 5)], true);
  const b = new FakeStage([batch(1, 100, 5)], true);
  const runs = [s.subscriber(a, ctx(0)), s.subscriber(b, ctx(1))];
  assert.equal(await s.stopped, 'max-messages');
  await s.drainOutput();
  a.end();
  b.end();
  await Promise.all(runs);
  assert.equal(s.records, 7);
  assert.equal(out.text.trim().split('\n').length, 7);
  const acked = [...a.acked, ...b.acked];
  assert.equal(acked.length, 7, 'every printed record acked, nothing else');
  // Partition 0's first batch (5) came first; partition 1 got the 2 left: a prefix of its batch.
  assert.deepEqual(a.acked, [0, 1, 2, 3, 4]);
  assert.deepEqual(b.acked, [100, 101]);
});

test('backpressure: while the output is blocked the subscriber takes no further batch', async () => {
  const out = new HeldWritable(64); // one batch of JSON lines exceeds it
  const { s, sink } = session({}, out);
  const stage = new FakeStage([batch(0, 0, 10), batch(0, 10, 10), batch(0, 20, 10)]);
  const running = s.subscriber(stage, ctx(0));
  // Let every microtask and I/O callback run: the subscriber must be parked on 'drain'.
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(stage.pulled, 1, 'only the first batch taken');
  assert.equal(s.records, 10);
  assert.ok(sink.blocked);
  out.release();
  await running;
  await s.drainOutput();
  assert.equal(stage.pulled, 3);
  assert.equal(s.records, 30);
  assert.equal(stage.acked.length, 30);
});

test('a slow subscriber (--delay-ms) prints one record per delay and stops mid-batch at once, acking only what it printed', async () => {
  const out = new HeldWritable(1 << 20);
  out.release();
  const { s } = session({ delayMs: 40 }, out);
  const stage = new FakeStage([batch(0, 0, 1000)]);
  const started = performance.now();
  const running = s.subscriber(stage, ctx(0));
  await eventually(() => s.records >= 2, { what: 'two records printed', timeoutMs: 10_000 });
  s.requestStop('signal');
  await running;
  await s.drainOutput();
  const elapsed = performance.now() - started;
  assert.ok(s.records >= 2 && s.records < 1000);
  assert.ok(elapsed >= 80, `at least two delays passed (${elapsed} ms)`);
  assert.deepEqual(
    stage.acked,
    Array.from({ length: s.records }, (_, i) => i),
    'the printed prefix acked, not the rest of the batch',
  );
  assert.equal(s.reason, 'signal');
});

test('a revoked partition (its signal aborted) stops printing; other partitions go on', async () => {
  const out = new HeldWritable(1 << 20);
  out.release();
  const { s } = session({ delayMs: 5 }, out);
  const revoke = new AbortController();
  const a = new FakeStage([batch(0, 0, 1000)]);
  const b = new FakeStage([batch(1, 0, 3)]);
  const runA = s.subscriber(a, ctx(0, revoke.signal));
  await eventually(() => s.records >= 1, { what: 'a record printed', timeoutMs: 10_000, intervalMs: 2 });
  revoke.abort();
  await runA;
  const printedA = s.tallies.get(0)?.records ?? 0;
  await s.subscriber(b, ctx(1));
  await s.drainOutput();
  assert.ok(printedA >= 1 && printedA < 1000);
  assert.equal(s.tallies.get(1)?.records, 3);
  assert.equal(a.acked.length, printedA);
  assert.equal(s.reason, null, 'a revocation is no reason to stop');
});

test('idle timeout: fires after the quiet period, not while a batch is being processed or the output is blocked', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  const out = new HeldWritable(16);
  const { s } = session({ idleTimeoutMs: 1000, now: () => now }, out);
  s.startIdleTimer();
  now = 600;
  t.mock.timers.tick(600);
  assert.equal(s.reason, null);
  // A batch arrives and blocks on the output (a slow reader): not idle however long that takes.
  const stage = new FakeStage([batch(0, 0, 5)]);
  const running = s.subscriber(stage, ctx(0));
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 5; i++) {
    now += 1000;
    t.mock.timers.tick(1000);
  }
  assert.equal(s.reason, null, 'blocked on output is not idle');
  out.release();
  await running;
  // From the last record, a full quiet period is needed.
  now += 999;
  t.mock.timers.tick(999);
  assert.equal(s.reason, null);
  now += 1001;
  t.mock.timers.tick(1001);
  assert.equal(s.reason, 'idle-timeout');
  assert.equal(await s.stopped, 'idle-timeout');
});

test('the reader goes away (EPIPE): stop with output-closed; records whose write failed are not acked', async () => {
  const out = new Writable({
    write(_chunk, _enc, callback) {
      const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      callback(err);
    },
  });
  const { s, sink } = session({}, out);
  const stage = new FakeStage([batch(0, 0, 3), batch(0, 3, 3)], true);
  const running = s.subscriber(stage, ctx(0));
  assert.equal(await s.stopped, 'output-closed');
  assert.match(String(sink.broken?.message), /EPIPE/);
  stage.end();
  await running;
  await s.drainOutput();
  assert.deepEqual(stage.acked, []);
});

test('the first stop reason wins', () => {
  const { s } = session({});
  s.requestStop('max-messages');
  s.requestStop('error', new Error('later'));
  assert.equal(s.reason, 'max-messages');
  assert.equal(s.error, null);
  assert.ok(s.stopSignal.aborted);
});

/** A live FakeStage with stats: the high watermark of its "last fetch" and its position. */
class EndStage extends FakeStage {
  highWatermark: number | null = null;
  fetchedOffset = 0;
  inFlight = 0;
  stats() {
    return { fetchedOffset: this.fetchedOffset, highWatermark: this.highWatermark, bufferedRecords: 0, inFlight: this.inFlight };
  }
}

/** A session with exitAtEnd, its end watch on mocked timers, and output that flushes at once. */
function endSession(t: TestContext): ConsumeSession {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const out = new HeldWritable(1 << 20);
  out.release();
  const { s } = session({ exitAtEnd: true }, out);
  s.startEndWatch(100);
  return s;
}

/** The stop reason after one end-watch interval. */
function afterTick(t: TestContext, s: ConsumeSession): string | null {
  t.mock.timers.tick(100);
  return s.reason;
}

test('-e: stops with end once every partition read is at its high watermark, not before', async (t) => {
  const s = endSession(t);
  const withRecords = new EndStage([batch(0, 0, 3)], true);
  const empty = new EndStage([], true);
  const runs = [s.subscriber(withRecords, ctx(0)), s.subscriber(empty, ctx(1))];
  await new Promise((resolve) => setImmediate(resolve));
  // Partition 0 printed offsets 0-2 and fetched up to 3, but no fetch answer told its end yet.
  withRecords.fetchedOffset = 3;
  assert.equal(afterTick(t, s), null);
  // A fetch answer: partition 0 ends at 3; the empty partition 1 has not answered yet.
  withRecords.highWatermark = 3;
  assert.equal(afterTick(t, s), null);
  // Partition 1's answer: high watermark 0 at position 0. Every partition is at its end now.
  empty.highWatermark = 0;
  assert.equal(afterTick(t, s), 'end');
  assert.equal(s.records, 3);
  withRecords.end();
  empty.end();
  await Promise.all(runs);
});

test('-e: a partition whose high watermark moved on before it got there is not at its end', async (t) => {
  const s = endSession(t);
  const stage = new EndStage([batch(0, 0, 2)], true);
  const run = s.subscriber(stage, ctx(0));
  await new Promise((resolve) => setImmediate(resolve));
  stage.fetchedOffset = 2;
  stage.highWatermark = 5; // more records were written meanwhile
  assert.equal(afterTick(t, s), null);
  stage.fetchedOffset = 5;
  // Records 2-4 were delivered towards the subscriber but are not printed and acked yet.
  stage.inFlight = 3;
  assert.equal(afterTick(t, s), null);
  stage.inFlight = 0;
  assert.equal(afterTick(t, s), 'end');
  stage.end();
  await run;
});
