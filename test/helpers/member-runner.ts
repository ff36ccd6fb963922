/**
 * The test side of member-process.ts: starts member processes, stops them (SIGTERM) or kills them
 * (SIGKILL, then logs `killed` for the checker), and follows the run logs as they grow so tests
 * wait for what they need to see (a count of deliveries, a revoke line) instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './eventually.js';
import type { MemberConfig } from './member-process.js';
import type { Recorder, RunLine } from './recorder.js';

const entry = fileURLToPath(new URL('./member-process.ts', import.meta.url));

/** How a member process ended. */
export interface MemberExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running member process. */
export class MemberProcess {
  /** Resolves once the member printed `ready` (joined); rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<MemberExit>;
  private stderrText = '';
  private readonly child: ChildProcess;

  private constructor(readonly config: MemberConfig) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-20_000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise((resolve, reject) => {
      let out = '';
      this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('ready\n')) resolve();
      });
      void this.exited.then(({ code, signal }) => reject(new Error(`${config.member} exited before ready (code ${code}, signal ${signal})\n${this.stderrText}`)));
    });
    // A rejection nobody awaits (the member was killed on purpose) must not fail the test run.
    this.ready.catch(() => undefined);
  }

  /** Starts a member process. */
  static start(config: MemberConfig): MemberProcess {
    return new MemberProcess(config);
  }

  /** The process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The tail of its standard error (its crashes, its warnings). */
  get stderr(): string {
    return this.stderrText;
  }

  /** True until the process exited. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (a clean stop: drain, commit, leave) and waits for the exit; throws unless it exited 0. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    const exit = await this.exited;
    if (exit.code !== 0) throw new Error(`${this.config.member} did not stop cleanly (code ${exit.code}, signal ${exit.signal})\n${this.stderrText}`);
  }

  /** SIGKILL, waits for the exit, then logs `killed` for the member (after its last line, so the checker sees the order). */
  async kill(harness: Recorder): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
    harness.log({ t: 'killed' }, this.config.member);
  }

  /** Kills it without logging (test clean-up). */
  dispose(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** Follows every `*.jsonl` file of a run directory as members append to it. */
export class LogFollower {
  private readonly offsets = new Map<string, number>();
  private readonly partial = new Map<string, string>();
  private readonly listeners: ((line: RunLine) => void)[] = [];

  constructor(private readonly dir: string) {}

  /** Calls `listener` for every complete line read from now on (lines already read are not replayed). */
  onLine(listener: (line: RunLine) => void): void {
    this.listeners.push(listener);
  }

  /** Reads what was appended since the last poll and hands the complete lines to the listeners. */
  poll(): void {
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.jsonl'))) {
      const file = join(this.dir, name);
      const from = this.offsets.get(name) ?? 0;
      const size = statSync(file).size;
      if (size <= from) continue;
      const buffer = Buffer.alloc(size - from);
      const fd = openSync(file, 'r');
      try {
        readSync(fd, buffer, 0, buffer.length, from);
      } finally {
        closeSync(fd);
      }
      this.offsets.set(name, size);
      const text = (this.partial.get(name) ?? '') + buffer.toString('utf8');
      const rows = text.split('\n');
      this.partial.set(name, rows.pop() ?? '');
      for (const row of rows) {
        if (row === '') continue;
        const line = JSON.parse(row) as RunLine;
        for (const listener of this.listeners) listener(line);
      }
    }
  }

  /**
   * Reads the logs and checks `done()` every `everyMs` until it holds ({@link eventually}); fails
   * after `timeoutMs` naming `what`, with `progress()` in the message.
   */
  async waitFor(what: string, done: () => boolean, timeoutMs: number, progress: () => string = () => '', everyMs = 50): Promise<void> {
    await eventually(
      () => {
        this.poll();
        return done();
      },
      { what, timeoutMs, progress, intervalMs: everyMs },
    );
  }
}
