/**
 * The `kafka-stage` binary as a user runs it: the built dist/cli/main.js (`npm run build` first; CI
 * builds before the tests) in a child process, its output collected. One spawner for the CLI
 * integration tests.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI entry. */
export const CLI_BINARY = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** How a CLI run ended and what it wrote. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout as bytes (binary output). */
  stdoutBytes: Buffer;
  stderr: string;
}

/** A running CLI process. */
export interface CliProcess {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  stdoutSoFar(): string;
  stderrSoFar(): string;
  /** Resolves once stdout (or stderr, with `stream`) holds text matching `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
  done: Promise<CliResult>;
}

/** Options of {@link startCli} and {@link runCli}. */
export interface CliOptions {
  /** Written to stdin, which is then closed. Absent: stdin stays open (write to `child.stdin`). */
  stdin?: string | Buffer;
  /** The environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long, ms (default 120 000): a hung CLI fails its test instead of the suite. */
  killAfterMs?: number;
  /**
   * Run on a terminal: inside `script`, which gives the CLI a pseudo-terminal for stdin, stdout and
   * stderr (both outputs then arrive on stdout; writing '\x03' to stdin is a Ctrl-C).
   */
  terminal?: boolean;
}

const shellQuote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Starts `kafka-stage <args>`. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  if (!existsSync(CLI_BINARY)) throw new Error(`${CLI_BINARY} is missing: run npm run build before the CLI tests`);
  const command = [process.execPath, CLI_BINARY, ...args];
  const [file, argv] = options.terminal
    ? ['script', ['-qfec', command.map(shellQuote).join(' '), '/dev/null']]
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
      resolve({ code, signal, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
  const stdoutSoFar = () => Buffer.concat(out).toString('utf8');
  const stderrSoFar = () => Buffer.concat(err).toString('utf8');
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(stream === 'stdout' ? stdoutSoFar() : stderrSoFar())) {
          listeners.delete(check);
          resolve();
        } else if (ended) {
          listeners.delete(check);
          reject(new Error(`the CLI ended before ${stream} matched ${pattern}; stderr: ${stderrSoFar()}`));
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
