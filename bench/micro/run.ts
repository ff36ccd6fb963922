/**
 * Micro-benchmarks of the protocol hot paths: record-batch decode per codec, CRC32C, varints.
 * Run with `npm run bench:micro`; prints a markdown table and the machine it ran on.
 * Figures are for comparison on one machine, never assertions.
 */
import { cpus, platform, release } from 'node:os';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';
import { RECORDS_AT } from '../../src/protocol/records/batch-layout.js';
import { zstdIsBuiltin } from '../../src/protocol/records/compression/index.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { decodeRecords } from '../../src/protocol/records/decode-records.js';
import { decodeRecordBatches, decodeRecordBatchesSync, encodeRecordBatch, hasSyncDecompress } from '../../src/protocol/records/record-batch.js';
import type { CompressionName, KafkaRecord } from '../../src/protocol/records/types.js';
import { benchRecords, seededRandom } from './fixtures.js';
import { measure, type Measurement } from './harness.js';
import { decodeRecordsWithReader } from './reader-records-decoder.js';

const RECORDS_PER_BATCH = 500;
const VALUE_SIZES = [100, 1024] as const;
const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const MAX_DECOMPRESSED = 64 * 1024 * 1024;

const filter = process.argv[2];
const results: Measurement[] = [];

async function run(name: string, unit: string, units: number, fn: () => unknown): Promise<void> {
  if (filter !== undefined && !name.includes(filter)) return;
  const m = await measure(name, unit, units, fn);
  results.push(m);
  process.stderr.write(`${name}: ${format(m.perCpuSecond)} ${unit}/s\n`);
}

function format(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

async function benchBatchDecode(): Promise<void> {
  for (const size of VALUE_SIZES) {
    const records = benchRecords(RECORDS_PER_BATCH, size);
    for (const codec of CODECS) {
      const batch = await encodeRecordBatch({ records, compression: codec });
      const label = `decode batch ${codec} ${size === 1024 ? '1 KiB' : `${size} B`} (${batch.length} B wire)`;
      if (hasSyncDecompress(codec)) {
        await run(`${label}`, 'records', RECORDS_PER_BATCH, () => decodeRecordBatchesSync(batch, { maxDecompressedBytes: MAX_DECOMPRESSED }));
      } else {
        await run(`${label} async`, 'records', RECORDS_PER_BATCH, () => decodeRecordBatches(batch, { maxDecompressedBytes: MAX_DECOMPRESSED }));
      }
    }
    const plain = await encodeRecordBatch({ records, compression: 'none' });
    await run(`decode batch none ${size} B, CRC off`, 'records', RECORDS_PER_BATCH, () =>
      decodeRecordBatchesSync(plain, { maxDecompressedBytes: 0, verifyCrc: false }),
    );
  }
}

async function benchRecordsSection(): Promise<void> {
  for (const size of VALUE_SIZES) {
    const batch = await encodeRecordBatch({ records: benchRecords(RECORDS_PER_BATCH, size), compression: 'none' });
    const start = RECORDS_AT;
    const end = batch.length;
    await run(`records section ${size} B: Reader-based decoder`, 'records', RECORDS_PER_BATCH, () => {
      const out: KafkaRecord[] = [];
      decodeRecordsWithReader(batch, start, end, RECORDS_PER_BATCH, 0, 0, null, 'bench', 0, out);
      return out;
    });
    await run(`records section ${size} B: hand-specialised decoder`, 'records', RECORDS_PER_BATCH, () => {
      const out: KafkaRecord[] = [];
      decodeRecords(batch, start, end, RECORDS_PER_BATCH, 0, 0, null, 'bench', 0, out);
      return out;
    });
  }
}

async function benchCrc(): Promise<void> {
  const random = seededRandom(7);
  for (const size of [1024, 64 * 1024, 1024 * 1024]) {
    const buf = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) buf[i] = Math.floor(random() * 256);
    await run(`crc32c ${size >= 1048576 ? `${size / 1048576} MiB` : `${size / 1024} KiB`}`, 'MB', size / 1e6, () => crc32c(buf));
  }
}

async function benchVarints(): Promise<void> {
  const count = 10_000;
  const random = seededRandom(11);
  // A mix like a records section's: mostly one- and two-byte values, some longer.
  const values = Array.from({ length: count }, () => {
    const r = random();
    return r < 0.6 ? Math.floor(random() * 64) : r < 0.9 ? Math.floor(random() * 8000) : Math.floor(random() * 2 ** 30);
  });
  const signed = new Writer();
  const unsigned = new Writer();
  const longs = new Writer();
  for (const v of values) {
    signed.varint(random() < 0.5 ? -v : v);
    unsigned.unsignedVarint(v);
    longs.varlong(v * 1000);
  }
  const signedBytes = signed.finish();
  const unsignedBytes = unsigned.finish();
  const longBytes = longs.finish();
  await run('Reader.varint', 'ops', count, () => {
    const r = new Reader(signedBytes);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += r.varint();
    return sum;
  });
  await run('Reader.unsignedVarint', 'ops', count, () => {
    const r = new Reader(unsignedBytes);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += r.unsignedVarint();
    return sum;
  });
  await run('Reader.varlong', 'ops', count, () => {
    const r = new Reader(longBytes);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += r.varlong();
    return sum;
  });
}

await benchBatchDecode();
await benchRecordsSection();
await benchCrc();
await benchVarints();

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`Machine: ${cpu} (${cpus().length} threads), ${platform()} ${release()}, Node ${process.version}` +
  `, zstd ${zstdIsBuiltin ? 'node:zlib' : '@mongodb-js/zstd'}\n`);
console.log('Rates per CPU second (median of rounds, with min and max), then per wall second (median).\n');
console.log('| benchmark | per CPU s | min | max | per wall s |');
console.log('|---|---:|---:|---:|---:|');
for (const m of results) {
  console.log(`| ${m.name} | ${format(m.perCpuSecond)} ${m.unit}/s | ${format(m.min)} | ${format(m.max)} | ${format(m.perWallSecond)} |`);
}
