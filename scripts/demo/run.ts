/**
 * The demo's work, run by scripts/demo.mjs once dependencies and a broker are in place: create a
 * topic, produce sample events with our Producer, read every partition back with the partition
 * reader, print a per-partition table and check that every event came back exactly once, in order.
 * Exits 1 when the check fails.
 *
 * Flags: --count N (events, default 20000), --partitions N (default 6),
 *        --compression none|gzip|snappy|lz4|zstd (default gzip), --keep-topic.
 */
import { Admin } from '../../src/admin/admin.js';
import { readPartitionBatches } from '../../src/consumer/partition-reader.js';
import { Producer } from '../../src/producer/producer.js';
import type { CompressionName } from '../../src/protocol/records/types.js';

const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const EVENT_TYPES = ['page_view', 'add_to_cart', 'checkout', 'search', 'login'] as const;
const USERS = 500;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ?? fallback;
}

function positive(name: string, fallback: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** One sample event: the user is the key, so a user's events stay in order on one partition. */
function event(seq: number): { key: string; value: string; headers: { key: string; value: string }[] } {
  const user = `user-${(seq * 7919) % USERS}`;
  const type = EVENT_TYPES[seq % EVENT_TYPES.length] as string;
  return {
    key: user,
    value: JSON.stringify({ seq, user, type, amount: type === 'checkout' ? (seq % 200) + 0.99 : undefined }),
    headers: [{ key: 'source', value: 'kafka-stage-demo' }],
  };
}

const pad = (v: string | number, n: number) => String(v).padStart(n);

async function main(): Promise<number> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is unset: run the demo through `npm run demo`');
  const count = positive('count', 20_000);
  const partitions = positive('partitions', 6);
  const compression = flag('compression', 'gzip') as CompressionName;
  if (!CODECS.includes(compression)) throw new Error(`--compression must be one of ${CODECS.join(', ')}`);
  const topic = `demo-events-${Date.now().toString(36)}`;

  const admin = new Admin({ brokers });
  try {
    await admin.createTopics([{ topic, partitions }]);
    console.log(`demo: created topic ${topic} (${partitions} partitions) on ${brokers}`);

    const producer = new Producer({ brokers, compression, lingerMs: 10 });
    const produceStart = performance.now();
    const sent = await producer.sendBatch(topic, Array.from({ length: count }, (_, seq) => event(seq)));
    await producer.close();
    const produceMs = performance.now() - produceStart;
    console.log(`demo: produced ${sent.length} events with our Producer (${compression}) in ${(produceMs / 1000).toFixed(2)} s`);

    const readStart = performance.now();
    const seen = new Uint8Array(count);
    let read = 0;
    let duplicates = 0;
    let unknown = 0;
    let outOfOrder = 0;
    let misplaced = 0;
    const rows: string[] = [];
    for (let partition = 0; partition < partitions; partition++) {
      let records = 0;
      let bytes = 0;
      let first = -1;
      let last = -1;
      const lastSeqOfUser = new Map<string, number>();
      for await (const { batch, records: batchRecords } of readPartitionBatches(admin.cluster, { topic, partition, fromOffset: 0, untilOffset: 'high-watermark' })) {
        bytes += batch.sizeInBytes;
        for (const r of batchRecords) {
          if (first < 0) first = r.offset;
          last = r.offset;
          records++;
          const parsed = JSON.parse(r.value?.toString('utf8') ?? 'null') as { seq?: unknown; user?: unknown } | null;
          const seq = typeof parsed?.seq === 'number' ? parsed.seq : -1;
          if (seq < 0 || seq >= count) {
            unknown++;
            continue;
          }
          if (seen[seq]) duplicates++;
          seen[seq] = 1;
          const ack = sent[seq];
          if (!ack || ack.partition !== partition || ack.offset !== r.offset) misplaced++;
          const user = String(parsed?.user);
          if ((lastSeqOfUser.get(user) ?? -1) > seq) outOfOrder++;
          lastSeqOfUser.set(user, seq);
        }
      }
      read += records;
      rows.push(`${pad(partition, 9)}  ${pad(records, 8)}  ${pad(first, 12)}  ${pad(last, 11)}  ${pad(bytes, 10)}`);
    }
    const readMs = performance.now() - readStart;
    const missing = seen.reduce((n, v) => n + (v ? 0 : 1), 0);

    console.log('');
    console.log(`${'partition'}  ${'records'.padStart(8)}  ${'first offset'.padStart(12)}  ${'last offset'.padStart(11)}  ${'bytes'.padStart(10)}`);
    for (const row of rows) console.log(row);
    console.log('');
    const ok = read === count && missing === 0 && duplicates === 0 && unknown === 0 && outOfOrder === 0 && misplaced === 0;
    console.log(
      `demo: ${ok ? 'OK' : 'FAILED'}: produced ${count}, read back ${read} in ${(readMs / 1000).toFixed(2)} s; ` +
        `missing ${missing}, duplicated ${duplicates}, unknown ${unknown}, out of order ${outOfOrder}, ` +
        `not at the acknowledged offset ${misplaced}`,
    );
    if (process.argv.includes('--keep-topic')) console.log(`demo: kept topic ${topic}`);
    else await admin.deleteTopics([topic]);
    return ok ? 0 : 1;
  } finally {
    await admin.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo: failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
