/**
 * Control of the chaos suite's own 3-node KRaft cluster: start and stop through the project's broker
 * scripts (scripts/kafka/*.sh) on the suite's own port base and state folder, signals to a node's
 * JVM, and the Java tools from the same jars (topics, groups, leader election, reassignment).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupCoordinator, partitionLeaders } from './wire.js';

const KAFKA_SCRIPTS = join(import.meta.dirname, '..', 'kafka');

/** Where the cluster runs. */
export interface ClusterConfig {
  basePort: number;
  state: string;
  nodes: number;
  /** Broker JVM heap, e.g. `512m`. */
  heap: string;
  /** Kafka release of every node and tool, fixed for the whole run (a restart must not pick another). */
  version: string;
}

/** The Kafka release the broker scripts run by default (KAFKA_VERSION if set, else env.sh's default). */
export async function defaultKafkaVersion(): Promise<string> {
  const r = await run('bash', ['-c', `source "${join(KAFKA_SCRIPTS, 'env.sh')}" && echo "$KAFKA_VERSION"`], process.env);
  const version = r.stdout.trim();
  if (r.code !== 0 || !version) throw new Error(`cannot read the Kafka version from env.sh: ${r.stderr}`);
  return version;
}

/** Result of a finished child process. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, collecting its output; never rejects on a non-zero exit. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The chaos cluster. */
export class ChaosCluster {
  constructor(readonly config: ClusterConfig) {}

  /** Environment for the broker scripts: always this cluster's ports and state folder. */
  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_BASE_PORT: String(this.config.basePort),
      KAFKA_STATE: this.config.state,
      KAFKA_HEAP: this.config.heap,
      KAFKA_VERSION: this.config.version,
      ...extra,
    };
  }

  /** Client bootstrap list, `host:port,...`. */
  get bootstrap(): string {
    return Array.from({ length: this.config.nodes }, (_, i) => `127.0.0.1:${this.config.basePort + 10 * i}`).join(',');
  }

  /**
   * Starts every node not running (all of them with `fresh`) and waits until each answers with the
   * full cluster. Called again after a kill it restarts just the dead nodes: start.sh skips nodes
   * whose pid is alive and formats only nodes without storage.
   */
  async start(fresh = false): Promise<void> {
    const args = [join(KAFKA_SCRIPTS, 'start.sh'), '--nodes', String(this.config.nodes)];
    if (fresh) args.push('--fresh');
    // After a SIGKILL every node recovers its unflushed logs before it answers; on a busy machine
    // that took longer than start.sh's default wait (150 s for 3 nodes), and start.sh then stops
    // every node. Give it 10 minutes.
    const result = await run('bash', args, this.env({ KAFKA_START_TIMEOUT_MS: '600000' }), 660_000);
    if (result.code !== 0) throw new Error(`start.sh failed (${result.code}): ${result.stderr.slice(-2000)}`);
  }

  /** Stops every node (SIGTERM, then SIGKILL after a grace period). */
  async stop(): Promise<void> {
    await run('bash', [join(KAFKA_SCRIPTS, 'stop.sh')], this.env());
  }

  /** The JVM pid of node n (1-based), or null when it has none recorded. */
  pid(n: number): number | null {
    try {
      return Number(readFileSync(join(this.config.state, `node${n}`, 'pid'), 'utf8').trim());
    } catch {
      return null;
    }
  }

  /** Sends a signal to node n's JVM. */
  signal(n: number, signal: NodeJS.Signals): void {
    const pid = this.pid(n);
    if (pid === null) throw new Error(`node ${n} has no pid`);
    process.kill(pid, signal);
  }

  /** Whether node n's JVM is alive. */
  alive(n: number): boolean {
    const pid = this.pid(n);
    if (pid === null) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** Waits until node n's JVM has exited; false on timeout. */
  async waitExit(n: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.alive(n)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 200));
    }
    return true;
  }

  /** Runs a Java class from the Kafka jars (scripts/kafka/java-tool.sh) with a small, quick JVM. */
  javaTool(cls: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
    const env = this.env({ KAFKA_TOOL_JVM_OPTS: '-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1' });
    return run('bash', [join(KAFKA_SCRIPTS, 'java-tool.sh'), cls, ...args], env, timeoutMs);
  }

  /** Spawns a long-running Java tool (the Java consumer); the caller reads its output. */
  spawnJava(cls: string, args: string[]): ReturnType<typeof spawn> {
    const env = this.env({ KAFKA_TOOL_JVM_OPTS: '-Xmx256m -XX:+UseSerialGC' });
    return spawn('bash', [join(KAFKA_SCRIPTS, 'java-tool.sh'), cls, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Creates a topic with RF 3 and min.insync.replicas=2 through the Java TopicCommand. */
  async createTopic(topic: string, partitions: number): Promise<void> {
    const r = await this.javaTool('org.apache.kafka.tools.TopicCommand', [
      '--bootstrap-server', this.bootstrap, '--create', '--topic', topic, '--partitions', String(partitions),
      '--replication-factor', String(Math.min(3, this.config.nodes)), '--config', 'min.insync.replicas=2',
    ]);
    if (r.code !== 0) throw new Error(`creating ${topic} failed: ${r.stdout}${r.stderr}`);
  }

  /** Deletes a topic (Java TopicCommand), so later restarts have less log to recover; best effort. */
  async deleteTopic(topic: string): Promise<void> {
    await this.javaTool('org.apache.kafka.tools.TopicCommand', ['--bootstrap-server', this.bootstrap, '--delete', '--topic', topic]);
  }

  /** Leader node id of each partition of `topic` (-1 for none), asked over the wire (wire.ts). */
  async leaders(topic: string): Promise<Map<number, number>> {
    const meta = await partitionLeaders(this.bootstrap.split(','), topic);
    return new Map([...meta].map(([p, m]) => [p, m.leader]));
  }

  /** Replica list of each partition of `topic`, preferred leader first. */
  async replicas(topic: string): Promise<Map<number, number[]>> {
    const meta = await partitionLeaders(this.bootstrap.split(','), topic);
    return new Map([...meta].map(([p, m]) => [p, m.replicas]));
  }

  /** Node id of the group's coordinator. */
  coordinator(group: string): Promise<number> {
    return groupCoordinator(this.bootstrap.split(','), group);
  }

  /** Committed offset and log end per partition of the group's topic: lines `<p> <committed|-> <logEnd>`. */
  async committedOffsets(group: string, topic: string): Promise<string[]> {
    const r = await this.javaTool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', [
      '--bootstrap-server', this.bootstrap, '--describe', '--offsets', '--group', group,
    ]);
    const lines: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f[1] !== topic) continue;
      lines.push(`${f[2]} ${f[3]} ${f[4]}`);
    }
    return lines;
  }

  /** Reads the whole topic with the Java console consumer: lines `<p> <offset> <key>`. */
  async readTopic(topic: string, expected: number): Promise<string[]> {
    const r = await this.javaTool('org.apache.kafka.tools.consumer.ConsoleConsumer', [
      '--bootstrap-server', this.bootstrap, '--topic', topic, '--from-beginning', '--max-messages', String(expected),
      '--timeout-ms', '20000', '--property', 'print.partition=true', '--property', 'print.offset=true',
      '--property', 'print.key=true', '--property', 'print.value=false',
    ], 300_000);
    return parseConsoleLines(r.stdout);
  }
}

/** `Partition:1\tOffset:0\tkey` lines of the console consumer as `<p> <offset> <key>`. */
export function parseConsoleLines(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^Partition:(\d+)\tOffset:(\d+)\t(\S*)/gm)) out.push(`${m[1]} ${m[2]} ${m[3]}`);
  return out;
}
