/**
 * The load of one chaos scenario as child processes: the kafka-stage producer, the kafka-stage
 * group members and the Java console consumer, each logging to the scenario folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ChaosCluster } from './cluster.js';
import { openLineLog } from './log-file.js';

const HERE = import.meta.dirname;

/** A child process with the log it writes. */
export interface Worker {
  name: string;
  child: ChildProcess;
  logPath: string;
  /** Resolves with the exit code (or the signal name) when the process has exited. */
  exited: Promise<number | string>;
}

function track(name: string, child: ChildProcess, logPath: string, dir: string): Worker {
  const errLog = openLineLog(join(dir, `${name}.stderr`));
  child.stderr?.on('data', (d: Buffer) => errLog.write([d.toString().trimEnd()]));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { name, child, logPath, exited };
}

function spawnTs(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(HERE, script), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Starts the idempotent producer at `rate` records/s. */
export function startProducer(dir: string, bootstrap: string, topic: string, rate: number): Worker {
  const logPath = join(dir, 'producer.log');
  return track('producer', spawnTs('producer.ts', [bootstrap, topic, String(rate), logPath]), logPath, dir);
}

/** Starts group member `name`. */
export function startMember(dir: string, bootstrap: string, group: string, topic: string, assignor: string, name: string): Worker {
  const logPath = join(dir, `member-${name}.log`);
  return track(`member-${name}`, spawnTs('member.ts', [bootstrap, group, topic, assignor, logPath]), logPath, dir);
}

/**
 * Starts the Java console consumer in its own group; each line it prints is stamped on arrival and
 * logged as `D <p> <offset> <seq> <ms>` (its stdout is flushed per record).
 */
export function startJavaConsumer(dir: string, cluster: ChaosCluster, group: string, topic: string): Worker {
  const logPath = join(dir, 'java.log');
  const log = openLineLog(logPath);
  const child = cluster.spawnJava('org.apache.kafka.tools.consumer.ConsoleConsumer', [
    '--bootstrap-server', cluster.bootstrap, '--topic', topic, '--group', group, '--from-beginning',
    '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'print.key=true',
    '--property', 'print.value=false',
    '--consumer-property', 'metadata.max.age.ms=5000', '--consumer-property', 'session.timeout.ms=10000',
    '--consumer-property', 'heartbeat.interval.ms=1000',
  ]);
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const m = /^Partition:(\d+)\tOffset:(\d+)\t(\S*)/.exec(line);
    if (m) log.write([`D ${m[1]} ${m[2]} ${m[3]} ${Date.now()}`]);
  });
  return track('java', child, logPath, dir);
}

/** Sends SIGTERM and waits up to `timeoutMs` for the exit; SIGKILLs after. Returns how it ended. */
export async function stopWorker(worker: Worker, timeoutMs: number): Promise<string> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return `already exited (${worker.child.exitCode ?? worker.child.signalCode})`;
  worker.child.kill('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs));
  const outcome = await Promise.race([worker.exited, timer]);
  if (outcome !== 'timeout') return `exited ${outcome}`;
  worker.child.kill('SIGKILL');
  await worker.exited;
  return `did not stop within ${timeoutMs} ms, SIGKILLed`;
}

/** Lines of a log file (empty when it does not exist yet). */
export function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
