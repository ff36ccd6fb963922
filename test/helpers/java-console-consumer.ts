/**
 * A Java console consumer (`org.apache.kafka.tools.consumer.ConsoleConsumer`) running beside a test
 * as a group member, its records read as it prints them: for groups that mix the Java client with
 * ours, where the test decides when the Java member stops (SIGTERM: the tool closes its consumer,
 * committing what it read and leaving the group).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { consoleConsumerArgs, parseCompleteConsoleOutput, QUICK_JVM_OPTS, type JavaConsumeOptions, type JavaRecordOut } from './java-tools.js';

const javaToolScript = fileURLToPath(new URL('../../scripts/kafka/java-tool.sh', import.meta.url));

/** A running console consumer. */
export interface JavaConsoleConsumer {
  /** The records printed so far, in print order. */
  records(): JavaRecordOut[];
  /** True once the JVM exited. */
  readonly gone: boolean;
  /** The tool's log so far. */
  stderr(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts a console consumer in `options.group` that runs until stopped. */
export function startJavaConsoleConsumer(options: Omit<JavaConsumeOptions, 'maxMessages' | 'timeoutMs'>): JavaConsoleConsumer {
  const args = ['org.apache.kafka.tools.consumer.ConsoleConsumer', ...consoleConsumerArgs(options)];
  const child = spawn('bash', [javaToolScript, ...args], { env: { ...process.env, KAFKA_TOOL_JVM_OPTS: QUICK_JVM_OPTS }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-50_000)));
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.on('close', () => {
      gone = true;
      resolve();
    }),
  );
  return {
    records: () => parseCompleteConsoleOutput(out),
    get gone() {
      return gone;
    },
    stderr: () => err,
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}
