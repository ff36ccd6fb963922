/**
 * Micro-benchmark of a partition stage without sockets: records through onFetched → subscriber →
 * ack, with a trivial handler that touches every value. Measures the stage's own cost per record
 * (demand, buffer, delivery, ack tracking, budget), not decoding or the network.
 *
 * Run with `node --import tsx bench/micro/stage.ts [filter]`; prints a markdown table. Figures are
 * for comparison on one machine, never assertions.
 */
import { cpus, platform, release } from 'node:os';
import type { CommitSink } from '../../src/consumer/contracts.js';
import type { FetchedPartitionInfo } from '../../src/consumer/fetch-target.js';
import { PartitionStage, fetchTargetOf } from '../../src/consumer/partition-stage.js';
import { decodeRecordBatchesSync, encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import type { KafkaRecord, RecordBatch } from '../../src/protocol/records/types.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { benchRecords } from './fixtures.js';
import { measure, type Measurement } from './harness.js';

const RECORDS_PER_FETCH = 500;
const VALUE_BYTES = 100;

const filter = process.argv[2];
const results: Measurement[] = [];

const resolved = Promise.resolve();
/** The `async` strategy's shape: the sink only counts, the ack's promise is already settled. */
const sink: CommitSink = { acked: () => resolved };
const waker = { wake: (): void => undefined };

function format(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

async function run(name: string, fn: () => unknown): Promise<void> {
  if (filter !== undefined && !name.includes(filter)) return;
  const m = await measure(name, 'records', RECORDS_PER_FETCH, fn);
  results.push(m);
  process.stderr.write(`${name}: ${format(m.perCpuSecond)} records/s\n`);
}

function newStage(): PartitionStage {
  return new PartitionStage({
    topic: 'bench',
    partition: 0,
    startOffset: 0,
    leaderEpoch: -1,
    limits: { maxRecords: 10_000, maxBytes: 64 * 1024 * 1024, minFetchBytes: 16 * 1024 },
    budget: new ByteBudget(256 * 1024 * 1024),
    waker,
    commitSink: sink,
    maxProcessingMs: 0,
  });
}

const info: FetchedPartitionInfo = { highWatermark: RECORDS_PER_FETCH, lastStableOffset: RECORDS_PER_FETCH, logStartOffset: 0, abortedTransactions: null };

/** The same decoded batch is fed again and again: `seek(0)` rewinds the stage between rounds. */
function feed(stage: PartitionStage, batch: RecordBatch): void {
  stage.seek(0);
  fetchTargetOf(stage).onFetched([batch], info);
}

let touched = 0;
function handle(record: KafkaRecord): void {
  // Touch the value, as the benchmark rules ask of every handler.
  touched += record.value === null ? 0 : record.value[0] ?? 0;
}

const encoded = await encodeRecordBatch({ records: benchRecords(RECORDS_PER_FETCH, VALUE_BYTES), compression: 'none' });
const batch = decodeRecordBatchesSync(encoded, { maxDecompressedBytes: 0, topic: 'bench', partition: 0 }).batches[0] as RecordBatch;

{
  const stage = newStage();
  const it = stage.records({ maxDemand: 500 });
  await run('records() iterator, ack per record', async () => {
    feed(stage, batch);
    for (let i = 0; i < RECORDS_PER_FETCH; i++) {
      const { value } = await it.next();
      handle(value as KafkaRecord);
      void stage.ack(value as KafkaRecord);
    }
  });
}

{
  const stage = newStage();
  const it = stage.records({ maxDemand: 500 });
  await run('records() iterator, await ack per record', async () => {
    feed(stage, batch);
    for (let i = 0; i < RECORDS_PER_FETCH; i++) {
      const { value } = await it.next();
      handle(value as KafkaRecord);
      await stage.ack(value as KafkaRecord);
    }
  });
}

{
  const stage = newStage();
  const it = stage.batches({ maxDemand: 1000, minDemand: 500 });
  await run('batches() iterator, ack per batch', async () => {
    feed(stage, batch);
    let left = RECORDS_PER_FETCH;
    while (left > 0) {
      const { value } = await it.next();
      if (value === undefined) throw new Error('stage ended');
      for (const record of value.records) handle(record);
      void stage.ack(value);
      left -= value.records.length;
    }
  });
}

{
  const stage = newStage();
  let waiting: (() => void) | null = null;
  let left = 0;
  stage.onRecords((records) => {
    for (const record of records) {
      handle(record);
      void stage.ack(record);
    }
    left -= records.length;
    if (left <= 0) waiting?.();
  });
  await run('ask(n) + onRecords, ack per record', () => {
    left = RECORDS_PER_FETCH;
    const done = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    stage.ask(RECORDS_PER_FETCH);
    feed(stage, batch);
    return done;
  });
}

{
  const stage = newStage();
  const readable = stage.readable({ maxDemand: 500 });
  const iterator = readable[Symbol.asyncIterator]();
  await run('readable() for await, ack per record', async () => {
    feed(stage, batch);
    for (let i = 0; i < RECORDS_PER_FETCH; i++) {
      const { value } = (await iterator.next()) as IteratorResult<KafkaRecord>;
      handle(value);
      void stage.ack(value);
    }
  });
  readable.destroy();
}

{
  const stage = newStage();
  const reader = stage.readableStream({ maxDemand: 500 }).getReader();
  await run('readableStream() reader, ack per record', async () => {
    feed(stage, batch);
    for (let i = 0; i < RECORDS_PER_FETCH; i++) {
      const { value } = await reader.read();
      handle(value as KafkaRecord);
      void stage.ack(value as KafkaRecord);
    }
  });
  await reader.cancel();
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Machine: ${cpu} (${cpus().length} threads), ${platform()} ${release()}, Node ${process.version}\n`);
console.log(`Partition stage, ${RECORDS_PER_FETCH} records of ${VALUE_BYTES} B per fetch; rates per CPU second (median of rounds, min, max), then per wall second.\n`);
console.log('| path | per CPU s | min | max | per wall s |');
console.log('|---|---:|---:|---:|---:|');
for (const m of results) {
  console.log(`| ${m.name} | ${format(m.perCpuSecond)} records/s | ${format(m.min)} | ${format(m.max)} | ${format(m.perWallSecond)} |`);
}
if (touched === -1) console.log('unreachable: keeps the handler from being optimised away');
