// One member of a consumer group for bench/scale-group.mjs (issue 14, item 4): a ConsumerGroup of the
// built package (dist/) on --topic, one subscriber per partition that touches every value and acks
// (not awaited). It writes JSON lines on stdout, each with `t` (wall clock, ms since the epoch):
//   {"ev":"start","rssKb"}              process up, package loaded, before the consumer is built
//   {"ev":"owned","n"}                  partitions owned after an assign / revoke / lost event
//   {"ev":"first"}                      the first record handled
//   {"ev":"stat","records","peakRssKb"} once a second
// On SIGTERM it stops cleanly (drain, commit, leave the group), writes {"ev":"left"} and exits; run it
// with `--import bench/fetch-probe.mjs` for its Fetch rounds and bytes (FETCH-PROBE on stderr at exit).
//
// `--reset latest` starts a new group at the end (an idle member, for bench/scale-idle.mjs).
//
//   node --import ./bench/fetch-probe.mjs bench/clients/scale-member.mjs --topic T --group G [--reset latest]
import { parseArgs } from 'node:util';
import { ConsumerGroup } from '../../dist/index.js';
import { peakRssKb } from './proc-stats.mjs';

const { values: opt } = parseArgs({
  options: {
    brokers: { type: 'string', default: '127.0.0.1:19092' },
    topic: { type: 'string', multiple: true },
    group: { type: 'string' },
    reset: { type: 'string', default: 'earliest' },
  },
});
const emit = (ev, fields = {}) => process.stdout.write(`${JSON.stringify({ ev, t: Date.now(), ...fields })}\n`);
emit('start', { rssKb: peakRssKb(process.pid) });

let records = 0;
let checksum = 0;
let owned = 0;
async function subscriber(stage) {
  for await (const batch of stage.batches()) {
    for (const record of batch.records) {
      const value = record.value;
      if (records++ === 0) emit('first');
      checksum = (checksum + value[0] + value[value.length - 1] + value.length) | 0;
    }
    stage.ack(batch);
  }
}

const consumer = new ConsumerGroup(
  { brokers: opt.brokers.split(','), clientId: 'bench-scale-member', groupId: opt.group, topics: opt.topic, autoOffsetReset: opt.reset },
  subscriber,
);
consumer.on('error', (error) => process.stderr.write(`scale-member: ${error?.message ?? error}\n`));
consumer.on('assign', ({ partitions }) => emit('owned', { n: (owned += partitions.length) }));
consumer.on('revoke', ({ partitions }) => emit('owned', { n: (owned -= partitions.length) }));
consumer.on('lost', ({ partitions }) => emit('owned', { n: (owned -= partitions.length) }));
const stats = setInterval(() => emit('stat', { records, peakRssKb: peakRssKb(process.pid), checksum }), 1000);
process.on('SIGTERM', async () => {
  clearInterval(stats);
  await consumer.stop();
  emit('left');
  process.exit(0);
});
await consumer.start();
