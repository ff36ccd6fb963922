/**
 * `kafka-stage demo`: the main job — runs the repository's demo, which starts a
 * local broker when none is given, produces sample events and consumes them with a slow consumer
 * group, showing the backpressure live. The demo needs the broker scripts of a source checkout, so
 * from an installed package it explains how to get one rather than half-working.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseFlags, type FlagSpec } from './args.js';
import type { Command } from './command.js';

/** scripts/demo.mjs of the checkout this file lives in (src/cli or dist/cli), if there is one. */
function demoScript(): string | null {
  const path = fileURLToPath(new URL('../../scripts/demo.mjs', import.meta.url));
  return existsSync(path) ? path : null;
}

/**
 * The demo's flags, for `--help` and to refuse a typo before anything starts (scripts/demo.mjs
 * checks the same names when run as `npm run demo`). Defaults are scripts/demo/run.ts's.
 */
const DEMO_FLAGS: readonly FlagSpec[] = [
  { name: 'count', type: 'integer', min: 1, description: 'events to produce', defaultText: '30000' },
  { name: 'partitions', type: 'integer', min: 1, description: 'partitions of the demo topic', defaultText: '6' },
  { name: 'members', type: 'integer', min: 1, description: 'consumer group members at the start', defaultText: '3' },
  { name: 'delay-ms', type: 'integer', min: 0, description: "each subscriber's sleep per record, ms", defaultText: '6' },
  { name: 'max-demand', type: 'integer', min: 1, description: 'GenStage demand of each subscriber', defaultText: '50' },
  { name: 'buffer', type: 'integer', min: 1, description: 'records buffered per partition at most', defaultText: '200' },
  { name: 'compression', type: 'string', choices: ['none', 'gzip', 'snappy', 'lz4', 'zstd'], description: 'compression of the produced events', defaultText: 'gzip' },
  { name: 'group-protocol', type: 'string', choices: ['classic', 'consumer'], description: 'group protocol of the members: classic, or consumer (KIP-848: the broker assigns, incrementally)', defaultText: 'classic' },
  { name: 'no-rebalance', type: 'boolean', description: 'keep the members fixed (else one leaves at 35 % of the events and one joins at 65 %)' },
  { name: 'keep-topic', type: 'boolean', description: 'keep the demo topic at the end' },
  { name: 'keep-broker', type: 'boolean', description: 'leave a broker the demo started running' },
];

export const demoCommand: Command = {
  summary:
    'run the demo on a local broker: a slow consumer group shown live per partition, then its checks ' +
    '(every event processed, re-deliveries only where a rebalance moved a partition, no offset skipped, bounds kept, commits at the log end)',
  usage: '[--count N] [--partitions N] [--members N] [--delay-ms MS] [--max-demand N] [--buffer N] [--compression C] [--group-protocol classic|consumer] [--no-rebalance] [--keep-topic] [--keep-broker]',
  flags: DEMO_FLAGS,
  async run(argv, io) {
    // A typo is a usage error here, before a broker is started or a dependency installed.
    parseFlags(argv, DEMO_FLAGS);
    const script = demoScript();
    if (script === null) {
      io.stderr.write('kafka-stage demo: the demo runs from a source checkout of kafka-stage (it starts a local broker with its scripts): clone the repository and run `npm run demo`\n');
      return 1;
    }
    const child = spawn(process.execPath, [script, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    return new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  },
};
