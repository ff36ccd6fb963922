/**
 * `kafka-stage demo`: the main job — runs the repository's demo, which starts a
 * local broker when none is given, produces sample events and consumes them with a slow consumer
 * group, showing the backpressure live. The demo needs the broker scripts of a source checkout, so
 * from an installed package it explains how to get one rather than half-working.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.js';

/** scripts/demo.mjs of the checkout this file lives in (src/cli or dist/cli), if there is one. */
function demoScript(): string | null {
  const path = fileURLToPath(new URL('../../scripts/demo.mjs', import.meta.url));
  return existsSync(path) ? path : null;
}

export const demoCommand: Command = {
  summary: 'run the demo: a slow consumer group on a local broker, with a live per-partition view',
  usage: '[--count N] [--partitions N] [--members N] [--delay-ms MS] [--compression C] [--no-rebalance]',
  // The demo script validates its own flags; they pass through unchanged.
  flags: [],
  async run(argv, io) {
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
