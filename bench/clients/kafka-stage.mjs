// kafka-stage bench runner (PROTOCOL.md): `--mode group` (default) reads through a ConsumerGroup,
// `--mode standalone` through a StandaloneConsumer over explicit partitions (`--partitions`, default 6).
// Runs the built package (dist/), as an application would. In group mode `--topic a,b,c` subscribes to
// the three topics (PROTOCOL.md).
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsumerGroup, StandaloneConsumer } from '../../dist/index.js';
import { runnerArgs, Tally, fail } from './runner-kit.mjs';

const args = runnerArgs({
  mode: { type: 'string', default: 'group' },
  partitions: { type: 'string', default: '6' },
  'max-demand': { type: 'string' },
  'buffer-records': { type: 'string' },
});
const mode = args.extra.mode;
if (mode !== 'group' && mode !== 'standalone') fail(`unknown --mode ${mode}`);
const maxDemand = args.extra['max-demand'] === undefined ? undefined : Number(args.extra['max-demand']);
const tally = new Tally(args);
const never = new Promise(() => {});

// One subscriber per partition; the demand (batches()'s defaults unless --max-demand) drives fetching.
async function subscriber(stage) {
  const demand = maxDemand === undefined ? undefined : { maxDemand };
  for await (const batch of stage.batches(demand)) {
    if (tally.done) return;
    if (args.scenario === 'stalled') await never;
    for (const record of batch.records) {
      if (args.scenario === 'slow') await sleep(1);
      if (tally.touch(record.value)) return;
    }
    stage.ack(batch);
  }
}

const common = {
  brokers: args.brokers.split(','),
  clientId: `bench-kafka-stage-${mode}`,
  autoOffsetReset: 'earliest',
  ...(args.extra['buffer-records'] ? { buffer: { maxRecordsPerPartition: Number(args.extra['buffer-records']) } } : {}),
};
tally.start();
const consumer =
  mode === 'group'
    ? new ConsumerGroup({ ...common, groupId: args.group, topics: args.topic.split(',') }, subscriber)
    : new StandaloneConsumer(
        {
          ...common,
          partitions: Array.from({ length: Number(args.extra.partitions) }, (_, partition) => ({ topic: args.topic, partition })),
        },
        subscriber,
      );
consumer.on('error', (error) => process.stderr.write(`kafka-stage: ${error?.message ?? error}\n`));
try {
  await consumer.start();
} catch (error) {
  fail(`start failed: ${error?.message ?? error}`);
}
tally.ready();
