/**
 * The demo's work, run by scripts/demo.mjs once dependencies and a broker are in place.
 *
 * It writes sample events to a fresh topic while a consumer group of a few in-process members
 * consumes them with subscribers deliberately slower than the producer (a sleep per record,
 * GenStage demand `--max-demand`, buffers bounded at `--buffer` records per partition). A live
 * per-partition view shows the backpressure: buffers sit at their bound instead of growing, demand
 * and in-flight stay within `--max-demand`, the committed offset climbs and the lag shrinks. At the
 * end it stops the group (drain, commit, leave) and checks that every event was processed exactly
 * once (duplicates only where a partition moved between members, counted and explained), that no
 * offset was skipped, that no buffer outgrew its bound (plus the one record batch a fetch may bring
 * beyond it), that nothing beyond demand was in flight, and that the group's committed offsets reach
 * the log end (read back with the admin client, as `kafka-stage group describe` does). Exits 1 when a
 * check fails.
 *
 * Flags: --count N (events, default 30000), --partitions N (6), --members N (3), --delay-ms MS (per
 * record, 6), --max-demand N (50), --buffer N (records per partition, 200),
 * --compression none|gzip|snappy|lz4|zstd (gzip), --no-rebalance (keep the members fixed; by default
 * one leaves at 35 % and a new one joins at 65 %), --group-protocol classic|consumer (classic; consumer
 * is KIP-848: the broker assigns, and "rebalances" counts the member epochs seen), --keep-topic.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '../../src/admin/admin.js';
import { ConsumerGroup, type SubscriberFactory } from '../../src/consumer/consumer-group.js';
import { readPartitionBatches } from '../../src/consumer/partition-reader.js';
import type { PartitionStats } from '../../src/consumer/types.js';
import { Producer } from '../../src/producer/producer.js';
import type { CompressionName } from '../../src/protocol/records/types.js';
import { ProcessingLog, sampleEvent, sequenceOf } from './events.js';
import { LiveView, type PartitionRow } from './view.js';

const CODECS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** How long without any processed record before the demo gives up. */
const STALL_MS = 30_000;
const PRODUCE_CHUNK = 1_000;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  return value ?? fallback;
}

function integer(name: string, fallback: number, min: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
  return value;
}

const say = (message: string) => console.log(`demo: ${message}`);

interface Settings {
  brokers: string;
  count: number;
  partitions: number;
  members: number;
  delayMs: number;
  maxDemand: number;
  bufferBound: number;
  compression: CompressionName;
  /** Have a member leave and another join part way through. */
  rebalance: boolean;
  /** The group protocol: classic, or KIP-848's consumer protocol (the broker assigns). */
  groupProtocol: 'classic' | 'consumer';
}

function settings(): Settings {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is unset: run the demo through `npm run demo`');
  const compression = flag('compression', 'gzip') as CompressionName;
  if (!CODECS.includes(compression)) throw new Error(`--compression must be one of ${CODECS.join(', ')}`);
  const groupProtocol = flag('group-protocol', 'classic');
  if (groupProtocol !== 'classic' && groupProtocol !== 'consumer') throw new Error('--group-protocol must be classic or consumer');
  return {
    brokers,
    count: integer('count', 30_000, 1),
    partitions: integer('partitions', 6, 1),
    members: integer('members', 3, 1),
    delayMs: integer('delay-ms', 6, 0),
    maxDemand: integer('max-demand', 50, 1),
    bufferBound: integer('buffer', 200, 1),
    compression,
    rebalance: !process.argv.includes('--no-rebalance'),
    groupProtocol,
  };
}

/** Writes the events in chunks, counting acknowledged ones into `progress.produced`. */
async function produce(s: Settings, topic: string, progress: { produced: number }): Promise<void> {
  const producer = new Producer({ brokers: s.brokers, compression: s.compression, lingerMs: 5 });
  try {
    for (let start = 0; start < s.count; start += PRODUCE_CHUNK) {
      const end = Math.min(s.count, start + PRODUCE_CHUNK);
      const sent = await producer.sendBatch(topic, Array.from({ length: end - start }, (_, i) => sampleEvent(start + i)));
      progress.produced += sent.length;
    }
  } finally {
    await producer.close();
  }
}

/** Records in the largest record batch of the topic (read back with the partition reader). */
async function largestBatch(admin: Admin, topic: string, partitions: number): Promise<number> {
  let largest = 0;
  for (let partition = 0; partition < partitions; partition++) {
    for await (const { records } of readPartitionBatches(admin.cluster, { topic, partition, fromOffset: 0, untilOffset: 'high-watermark' })) {
      largest = Math.max(largest, records.length);
    }
  }
  return largest;
}

/** One row per partition: its owner's stage figures, if any member owns it now. */
function rowsOf(members: readonly { name: string; group: ConsumerGroup<string> }[], partitions: number, log: ProcessingLog): PartitionRow[] {
  const owned = new Map<number, { name: string; stats: PartitionStats }>();
  for (const m of members) for (const stats of m.group.stats()) owned.set(stats.partition, { name: m.name, stats });
  return Array.from({ length: partitions }, (_, partition) => {
    const o = owned.get(partition);
    return { partition, member: o?.name ?? log.ownerOf(partition), processed: log.processedOn(partition), stats: o?.stats ?? null };
  });
}

async function main(): Promise<number> {
  const s = settings();
  const topic = `demo-events-${Date.now().toString(36)}`;
  const groupId = `demo-group-${Date.now().toString(36)}`;
  const admin = new Admin({ brokers: s.brokers });
  const log = new ProcessingLog(s.count, s.partitions);
  /** Members in the group now, and every member the run created. */
  const members: { name: string; group: ConsumerGroup<string> }[] = [];
  const everyMember: { name: string; group: ConsumerGroup<string> }[] = [];
  let interrupted = false;
  const onSignal = () => (interrupted = true);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await admin.createTopics([{ topic, partitions: s.partitions }]);
    say(`created topic ${topic} (${s.partitions} partitions) on ${s.brokers}`);

    // Each record takes `delayMs` to process: the subscribers are slower than the producer.
    const subscriber: SubscriberFactory<string> = async (stage, { partition, extra: member }) => {
      log.startOwnership(partition, member);
      try {
        for await (const batch of stage.batches({ maxDemand: s.maxDemand })) {
          // A revoke arriving mid-batch lets this batch finish (it is in flight; the group drains it).
          for (const r of batch.records) {
            if (s.delayMs > 0) await sleep(s.delayMs);
            log.record(partition, r.offset, sequenceOf(r.value));
          }
          await stage.ack(batch);
        }
      } finally {
        log.endOwnership(partition, member);
      }
    };
    const generations = new Set<number>();
    let errors = 0;
    const newMember = (name: string): { name: string; group: ConsumerGroup<string> } => {
      const group = new ConsumerGroup(
        {
          brokers: s.brokers,
          clientId: `kafka-stage-demo-${name}`,
          groupId,
          topics: [topic],
          autoOffsetReset: 'earliest',
          commit: { strategy: 'async', intervalMs: 1_000 },
          buffer: { maxRecordsPerPartition: s.bufferBound },
          // Under KIP-848 the broker sets the session and the heartbeat cadence (1 s on the scripts' broker).
          ...(s.groupProtocol === 'consumer' ? { groupProtocol: 'consumer' as const } : { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 }),
        },
        subscriber,
        name,
      );
      group.on('assign', ({ generationId }) => generations.add(generationId));
      group.on('error', (err) => {
        errors++;
        say(`${name}: ${err.message}`);
      });
      everyMember.push({ name, group });
      return { name, group };
    };
    for (let i = 1; i <= s.members; i++) members.push(newMember(`m${i}`));
    await Promise.all(members.map((m) => m.group.start()));
    say(
      `group ${groupId}: ${s.members} members joined; each subscriber takes ${s.delayMs} ms per record, ` +
        `asks for ${s.maxDemand} at a time; buffers hold at most ${s.bufferBound} records per partition`,
    );
    say(`producing ${s.count} events (${s.compression}) while the group consumes`);
    console.log('');

    const started = performance.now();
    const progress = { produced: 0 };
    let produceError: unknown = null;
    const producing = produce(s, topic, progress).catch((err: unknown) => (produceError = err));

    const view = new LiveView(process.stdout);
    const refreshMs = view.redraws ? 250 : 2_000;
    // Part way through one member leaves and a new one joins later: partitions move twice, each move
    // draining the records in flight and committing them before the next owner starts at the commit.
    let rebalanceStep: 'steady' | 'left' | 'joined' = s.rebalance && s.members >= 2 ? 'steady' : 'joined';
    const membership: Promise<void>[] = [];
    let peakBuffered = 0;
    let peakInFlight = 0;
    let lastProgress = { processed: -1, at: performance.now() };
    let stalled = false;
    for (;;) {
      const rows = rowsOf(members, s.partitions, log);
      for (const r of rows) {
        peakBuffered = Math.max(peakBuffered, r.stats?.bufferedRecords ?? 0);
        peakInFlight = Math.max(peakInFlight, r.stats?.inFlight ?? 0);
      }
      const now = performance.now();
      view.render(
        {
          elapsedMs: now - started,
          produced: progress.produced,
          target: s.count,
          processed: log.processed,
          bufferBound: s.bufferBound,
          rebalances: Math.max(0, generations.size - 1),
        },
        rows,
      );
      if (log.unique >= s.count || interrupted || produceError !== null) break;
      if (rebalanceStep === 'steady' && log.unique >= s.count * 0.35) {
        rebalanceStep = 'left';
        const leaving = members.pop() as { name: string; group: ConsumerGroup<string> };
        view.note(`${leaving.name} leaves the group: its partitions stop, drain what is in flight, commit, and move`);
        membership.push(leaving.group.stop().then(() => view.note(`${leaving.name} left (drained and committed)`)));
      } else if (rebalanceStep === 'left' && log.unique >= s.count * 0.65) {
        rebalanceStep = 'joined';
        const joining = newMember(`m${s.members + 1}`);
        members.push(joining);
        view.note(`${joining.name} joins the group: partitions move to it, starting at their committed offsets`);
        membership.push(joining.group.start().then(() => view.note(`${joining.name} joined`)));
      }
      if (log.processed !== lastProgress.processed) lastProgress = { processed: log.processed, at: now };
      else if (now - lastProgress.at > STALL_MS) {
        stalled = true;
        break;
      }
      await sleep(refreshMs);
    }
    view.done();
    await producing;
    await Promise.all(membership);
    const elapsedMs = performance.now() - started;

    // stop(): drain in-flight records, commit the acked prefix, leave the group.
    await Promise.all(everyMember.map((m) => m.group.stop()));
    const described = await admin.describeGroupOffsets(groupId);
    const ends = await admin.listOffsets(Array.from({ length: s.partitions }, (_, partition) => ({ topic, partition, spec: 'latest' as const })));
    const committedAtEnd = ends.filter((e) => described.partitions.find((p) => p.partition === e.partition)?.committedOffset === e.offset).length;

    console.log('');
    if (produceError !== null) say(`producing failed: ${produceError instanceof Error ? produceError.message : String(produceError)}`);
    if (stalled) say(`no progress for ${STALL_MS / 1000} s: giving up`);
    if (errors > 0) say(`${errors} consumer errors (above)`);
    // The buffer may overshoot its bound by one fetched record batch (a broker returns whole batches).
    const batchAllowance = await largestBatch(admin, topic, s.partitions);
    const bufferLimit = s.bufferBound + batchAllowance;
    const checks: [string, boolean][] = [
      ['every event processed', log.missing === 0 && log.unknown === 0],
      ['no offset skipped or repeated by one owner', log.gaps === 0 && log.unexplainedDuplicates === 0],
      [`buffers within their bound (${s.bufferBound} + one batch of ≤ ${batchAllowance})`, peakBuffered <= bufferLimit],
      [`in flight within max demand (${s.maxDemand})`, peakInFlight <= s.maxDemand],
      ['committed offsets at the log end', committedAtEnd === s.partitions],
      ['no consumer errors', errors === 0],
      ['ran to the end', produceError === null && !stalled && !interrupted],
    ];
    const ok = checks.every(([, passed]) => passed);
    const rate = Math.round((log.processed * 1000) / elapsedMs);
    say(
      `${log.processed} records processed in ${(elapsedMs / 1000).toFixed(1)} s (${rate}/s) by ${everyMember.length} members ` +
        `over ${s.partitions} partitions; ${Math.max(0, generations.size - 1)} rebalances`,
    );
    say(
      `events: ${s.count} produced, ${log.unique} processed, missing ${log.missing}, ` +
        `duplicates ${log.redelivered + log.unexplainedDuplicates}, skipped or reordered offsets ${log.gaps}, foreign ${log.unknown}`,
    );
    if (log.redelivered > 0) {
      say(
        `${log.redelivered} re-deliveries: records a member had processed but not yet committed when its partition ` +
          'moved to another member during a rebalance (at-least-once, as the commit contract allows)',
      );
    }
    if (log.unexplainedDuplicates > 0) say(`${log.unexplainedDuplicates} duplicates no rebalance explains`);
    say(
      `backpressure: peak buffered ${peakBuffered} records in a partition (bound ${s.bufferBound}, largest record batch ${batchAllowance}), ` +
        `peak in flight ${peakInFlight} (max demand ${s.maxDemand})`,
    );
    say(`commits: ${committedAtEnd}/${s.partitions} partitions committed at their log end; group total lag ${described.totalLag}`);
    const verdict = log.redelivered === 0 ? 'every event processed exactly once' : 'every event processed, re-deliveries explained by rebalances';
    if (interrupted) {
      say(`INTERRUPTED after ${log.unique} of ${s.count} events; the group stopped cleanly (drained, committed, left)`);
    } else {
      for (const [name, passed] of checks) if (!passed) say(`check failed: ${name}`);
      say(ok ? `OK: ${verdict}` : 'FAILED');
    }
    if (process.argv.includes('--keep-topic')) say(`kept topic ${topic}`);
    else await admin.deleteTopics([topic]).catch(() => undefined);
    if (interrupted) return 130;
    return ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await Promise.all(everyMember.map((m) => m.group.stop().catch(() => undefined)));
    await admin.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
