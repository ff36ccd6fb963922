/**
 * The `kafka-stage` binary as a user runs it: the built dist/cli/main.js (`npm run build` first; CI
 * builds before the tests) in a child process, its output collected; or, for the unit tests, which
 * run without a build, src/cli/main.ts through tsx. The one spawner of every CLI test.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI entry. */
export const CLI_BINARY = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The CLI's source entry, run through tsx by {@link CliOptions.source}. */
const CLI_SOURCE = 'src/cli/main.ts';

/** How a CLI run ended and what it wrote. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout as bytes (binary output). */
  stdoutBytes: Buffer;
  stderr: string;
  /** Wall time of the run, ms (process start included). */
  ms: number;
}

/** A running CLI process. */
export interface CliProcess {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  stdoutSoFar(): string;
  stderrSoFar(): string;
  /**
   * Resolves once stdout (or stderr, with `stream`) holds text matching `pattern` (a RegExp, or a
   * test of the whole text so far); rejects if the process ends first. Checked as output arrives:
   * a wait on the output stream, not a poll.
   */
  waitFor(pattern: RegExp | ((text: string) => boolean), stream?: 'stdout' | 'stderr'): Promise<void>;
  done: Promise<CliResult>;
}

/** Options of {@link startCli} and {@link runCli}. */
export interface CliOptions {
  /** Written to stdin, which is then closed. Absent: stdin stays open (write to `child.stdin`). */
  stdin?: string | Buffer;
  /** The environment (default: this process's; {@link cliEnv} builds one without the variables the CLI reads). */
  env?: NodeJS.ProcessEnv;
  /** Run src/cli/main.ts through tsx instead of the built binary (unit tests: no build needed). */
  source?: boolean;
  /** SIGKILL after this long, ms (default 120 000): a hung CLI fails its test instead of the suite. */
  killAfterMs?: number;
  /**
   * Run on a terminal: inside `script`, which gives the CLI a pseudo-terminal for stdin, stdout and
   * stderr (both outputs then arrive on stdout; writing '\x03' to stdin is a Ctrl-C).
   */
  terminal?: boolean;
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/**
 * The environment for a CLI child: this process's plus `extra`, without the variables the CLI reads
 * (KAFKA_BROKERS, KAFKA_SASL_PASSWORD) unless `extra` sets them. The test runner sets KAFKA_BROKERS
 * for integration runs; a test that checks "--brokers is required" must not see it.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!('KAFKA_BROKERS' in extra)) delete env.KAFKA_BROKERS;
  if (!('KAFKA_SASL_PASSWORD' in extra)) delete env.KAFKA_SASL_PASSWORD;
  return env;
}

/** The JSON summary the CLI writes as its last line (of stdout for produce, of stderr for consume). */
export function summaryOf<T>(text: string): T {
  return JSON.parse(text.trimEnd().split('\n').at(-1) ?? '') as T;
}

/** Starts `kafka-stage <args>`. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  if (!options.source && !existsSync(CLI_BINARY)) throw new Error(`${CLI_BINARY} is missing: run npm run build before the CLI tests`);
  const command = options.source ? [process.execPath, '--import', 'tsx', CLI_SOURCE, ...args] : [process.execPath, CLI_BINARY, ...args];
  const started = Date.now();
  const [file, argv] = options.terminal
    ? // `exec`: script(1) runs the command with $SHELL -c (/bin/sh when unset). dash forks instead of
      // exec'ing a lone command, and a ^C then kills the waiting shell too: script exits 130.
      ['script', ['-qfec', `exec ${command.map(shellQuote).join(' ')}`, '/dev/null']]
    : [process.execPath, command.slice(1)];
  const child = spawn(file as string, argv as string[], { cwd: root, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((l) => l());
  child.stdout.on('data', (c: Buffer) => {
    out.push(c);
    notify();
  });
  child.stderr.on('data', (c: Buffer) => {
    err.push(c);
    notify();
  });
  if (options.stdin !== undefined) child.stdin.end(options.stdin);
  // A CLI that exits without reading its stdin closes the pipe: not this test's failure.
  child.stdin.on('error', () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
  let ended = false;
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ended = true;
      notify();
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
  });
  const stdoutSoFar = () => Buffer.concat(out).toString('utf8');
  const stderrSoFar = () => Buffer.concat(err).toString('utf8');
  const waitFor = (pattern: RegExp | ((text: string) => boolean), stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<void>((resolve, reject) => {
      const matches = typeof pattern === 'function' ? pattern : (text: string) => pattern.test(text);
      const check = () => {
        if (matches(stream === 'stdout' ? stdoutSoFar() : stderrSoFar())) {
          listeners.delete(check);
          resolve();
        } else if (ended) {
          listeners.delete(check);
          reject(new Error(`the CLI ended before ${stream} matched ${typeof pattern === 'function' ? 'what the test waits for' : String(pattern)}; stderr: ${stderrSoFar()}`));
        }
      };
      listeners.add(check);
      check();
    });
  return { child, stdoutSoFar, stderrSoFar, waitFor, done };
}

/** Runs `kafka-stage <args>` to its end (stdin: `options.stdin`, else empty). */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, { ...options, stdin: options.stdin ?? '' }).done;
}
