/**
 * Runs `kafka-stage` as a user does (a child process through tsx) for the secure CLI tests, with an
 * environment of the test's choosing: the caller's, without KAFKA_BROKERS and KAFKA_SASL_PASSWORD
 * unless the test sets them (the test runner sets KAFKA_BROKERS to the plain broker).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** What a CLI run left behind. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run, ms (process start included). */
  ms: number;
}

/** Runs `kafka-stage <args>`; killed after `timeoutMs` (then `code` is null). */
export function runCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.KAFKA_BROKERS;
  delete childEnv.KAFKA_SASL_PASSWORD;
  Object.assign(childEnv, env);
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started });
    });
  });
}

/** The JSON summary: the last line of stdout (produce) or stderr (consume). */
export function summaryOf<T>(text: string): T {
  const last = text.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}
