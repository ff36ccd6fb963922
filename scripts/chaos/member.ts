/**
 * Chaos consumer-group member process: one kafka-stage ConsumerGroup member that logs every record
 * delivered to it before acking it, and every commit it sees answered.
 * Usage: node --import tsx member.ts <brokers> <group> <topic> <assignor> <log-file>
 * Log lines (times in ms since the epoch):
 *   `S <p> <ms> <session>` a subscriber (session) started on partition p; `E <p> <ms>` its loop ended
 *   `D <p> <offset> <seq> <ms> <session>` a record delivered; `C <p> <offset> <ms>` a commit acknowledged
 *   `CF <p> <offset> <ms> <code>` a commit failed           `A|R|L <ms> <p,...>` assign / revoke / lost
 *   `ERR <ms> <code> <message>` an error event              `X <ms>` stopped cleanly after SIGTERM
 */
import { ConsumerGroup, type AssignorName } from '../../src/index.js';
import { openLineLog } from './log-file.js';

const [brokersArg, groupId, topic, assignor, logPath] = process.argv.slice(2);
if (!brokersArg || !groupId || !topic || !assignor || !logPath) {
  console.error('usage: member.ts <brokers> <group> <topic> <assignor> <log-file>');
  process.exit(2);
}
const log = openLineLog(logPath);
let sessions = 0;
const list = (parts: { partition: number }[]): string => parts.map((p) => p.partition).join(',') || '-';

const group = new ConsumerGroup(
  {
    brokers: brokersArg.split(','),
    clientId: `chaos-${process.pid}`,
    groupId,
    topics: [topic],
    assignors: [assignor as AssignorName],
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    metadataMaxAgeMs: 5_000,
    autoOffsetReset: 'earliest',
    commit: { strategy: 'async', intervalMs: 1_000 },
  },
  async (stage, { partition }) => {
    // Each subscriber call is a session: order is checked within one, re-delivery across them.
    const session = ++sessions;
    log.write([`S ${partition} ${Date.now()} ${session}`]);
    for await (const batch of stage.batches({ maxDemand: 200 })) {
      const now = Date.now();
      // Logged (synchronously) before the ack, so no commit can cover a record not in the log.
      log.write(batch.records.map((r) => `D ${partition} ${r.offset} ${r.value?.toString() ?? '-'} ${now} ${session}`));
      await stage.ack(batch);
    }
    log.write([`E ${partition} ${Date.now()}`]);
  },
);

group.on('commit', ({ offsets, error }) => {
  const now = Date.now();
  const code = error ? ((error as { code?: string }).code ?? error.name) : '';
  log.write(offsets.map((o) => (error ? `CF ${o.partition} ${o.offset} ${now} ${code}` : `C ${o.partition} ${o.offset} ${now}`)));
});
group.on('assign', ({ partitions }) => log.write([`A ${Date.now()} ${list(partitions)}`]));
group.on('revoke', ({ partitions }) => log.write([`R ${Date.now()} ${list(partitions)}`]));
group.on('lost', ({ partitions, reason }) => log.write([`L ${Date.now()} ${list(partitions)} ${reason.replace(/\s+/g, ' ')}`]));
group.on('error', (error) => {
  const code = (error as { code?: string }).code ?? error.name;
  log.write([`ERR ${Date.now()} ${code} ${error.message.replace(/\s+/g, ' ')}`]);
});

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void group.stop().then(
    () => {
      log.write([`X ${Date.now()}`]);
      process.exit(0);
    },
    (error: unknown) => {
      log.write([`ERR ${Date.now()} STOP ${String(error).replace(/\s+/g, ' ')}`]);
      process.exit(1);
    },
  );
});

// start() resolves once joined and assigned; a fault during it is retried inside the group.
group.start().catch((error: unknown) => {
  log.write([`ERR ${Date.now()} START ${String(error).replace(/\s+/g, ' ')}`]);
  process.exit(1);
});
