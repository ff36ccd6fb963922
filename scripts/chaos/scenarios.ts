/**
 * The eight fault scenarios of issue #9. Each injects its fault into a cluster under load and marks
 * the moments recovery is measured from; the runner owns the load and the checking.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosCluster } from './cluster.js';
import type { Worker } from './processes.js';

/** Durations of one scenario's phases, ms (scaled by --minutes, short under --ci). */
export interface Timing {
  /** Load before the fault. */
  warmMs: number;
  /** Load after the fault. */
  tailMs: number;
  /** How long a killed node stays down before its restart. */
  downMs: number;
  /** How long the whole cluster stays down. */
  clusterDownMs: number;
  /** How long a SIGSTOPped node stays frozen (more than the broker and group session timeouts). */
  frozenMs: number;
}

/** What a scenario's fault can reach. */
export interface ScenarioContext {
  cluster: ChaosCluster;
  topic: string;
  group: string;
  dir: string;
  timing: Timing;
  /** Seeded random in [0, 1). */
  random: () => number;
  /** Logs a fault event; `recovery` marks it as a moment recovery is measured from. */
  mark(label: string, recovery: boolean): void;
  note(message: string): void;
  /** The group's members; a scenario may add one (startMember) or kill one. */
  members: Worker[];
  startMember(name: string): Worker;
}

/** One fault scenario. */
export interface Scenario {
  name: string;
  title: string;
  /** Partitions of the scenario's topic. */
  partitions: number;
  assignor: 'cooperative-sticky' | 'range';
  inject(ctx: ScenarioContext): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The node leading most partitions of the topic (ties broken by the seed). */
async function busiestLeader(ctx: ScenarioContext): Promise<number> {
  const counts = new Map<number, number>();
  for (const leader of (await ctx.cluster.leaders(ctx.topic)).values()) if (leader >= 0) counts.set(leader, (counts.get(leader) ?? 0) + 1);
  const max = Math.max(...counts.values());
  const top = [...counts].filter(([, n]) => n === max).map(([node]) => node).sort();
  return top[Math.floor(ctx.random() * top.length)]!;
}

async function killAndRestart(ctx: ScenarioContext, node: number, why: string): Promise<void> {
  ctx.mark(`SIGKILL node ${node} (${why})`, true);
  ctx.cluster.signal(node, 'SIGKILL');
  await ctx.cluster.waitExit(node, 10_000);
  await sleep(ctx.timing.downMs);
  ctx.mark(`restart node ${node}`, true);
  await ctx.cluster.start();
  ctx.note(`node ${node} back`);
}

/** Waits until a member log gains a line matching `pattern` after `from` lines, or the timeout. */
async function waitForLine(workers: Worker[], pattern: RegExp, timeoutMs: number, read: (path: string) => string[]): Promise<Worker | null> {
  const start = new Map(workers.map((w) => [w, read(w.logPath).length]));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const w of workers) if (read(w.logPath).slice(start.get(w)).some((l) => pattern.test(l))) return w;
    await sleep(100);
  }
  return null;
}

/** Builds the scenarios; `read` reads a log file's lines. */
export function scenarios(read: (path: string) => string[]): Scenario[] {
  return [
    {
      name: 'kill-leader',
      title: 'SIGKILL the leader of the busiest partitions, then restart it',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        await killAndRestart(ctx, await busiestLeader(ctx), 'leader of the most partitions');
      },
    },
    {
      name: 'kill-coordinator',
      title: 'SIGKILL the group coordinator while commits are in flight, then restart it',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        // Members commit every second, so a commit is in flight or about to be at any moment.
        await killAndRestart(ctx, await ctx.cluster.coordinator(ctx.group), 'group coordinator');
      },
    },
    {
      name: 'rolling-restart',
      title: 'Rolling restart of all three brokers (SIGTERM, wait, restart, next)',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        for (let node = 1; node <= ctx.cluster.config.nodes; node++) {
          ctx.mark(`SIGTERM node ${node}`, true);
          ctx.cluster.signal(node, 'SIGTERM');
          if (!(await ctx.cluster.waitExit(node, 60_000))) ctx.note(`node ${node} did not stop within 60 s`);
          ctx.mark(`restart node ${node}`, true);
          await ctx.cluster.start();
          await sleep(Math.min(ctx.timing.downMs, 5_000));
        }
      },
    },
    {
      name: 'sigstop-zombie',
      title: 'SIGSTOP one broker past the session timeouts, then SIGCONT (a zombie that comes back)',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        const node = await busiestLeader(ctx);
        ctx.mark(`SIGSTOP node ${node}`, true);
        ctx.cluster.signal(node, 'SIGSTOP');
        try {
          await sleep(ctx.timing.frozenMs);
        } finally {
          ctx.mark(`SIGCONT node ${node}`, true);
          ctx.cluster.signal(node, 'SIGCONT');
        }
      },
    },
    {
      name: 'cluster-down',
      title: 'The whole cluster down, then back (no process restarts on the client side)',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        ctx.mark('SIGKILL all nodes', false);
        for (let node = 1; node <= ctx.cluster.config.nodes; node++) ctx.cluster.signal(node, 'SIGKILL');
        for (let node = 1; node <= ctx.cluster.config.nodes; node++) await ctx.cluster.waitExit(node, 10_000);
        await sleep(ctx.timing.clusterDownMs);
        ctx.mark('restart all nodes', true);
        await ctx.cluster.start();
        ctx.note('cluster back');
      },
    },
    {
      name: 'reassign-elect',
      title: 'Partition reassignment and preferred leader election while fetching (Java tools)',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        // Rotate every replica list by one: each partition gets a new preferred leader, and the
        // preferred election then moves the leaders while the consumers fetch.
        const replicas = await ctx.cluster.replicas(ctx.topic);
        const plan = {
          version: 1,
          partitions: [...replicas].map(([partition, list]) => ({ topic: ctx.topic, partition, replicas: [...list.slice(1), list[0]] })),
        };
        const file = join(ctx.dir, 'reassignment.json');
        writeFileSync(file, JSON.stringify(plan));
        ctx.mark('reassignment (replica order rotated)', true);
        const r = await ctx.cluster.javaTool('org.apache.kafka.tools.reassign.ReassignPartitionsCommand', [
          '--bootstrap-server', ctx.cluster.bootstrap, '--reassignment-json-file', file, '--execute',
        ]);
        ctx.note(`reassign: exit ${r.code} ${r.stdout.split('\n').filter(Boolean).slice(-1)[0] ?? ''}`);
        await sleep(2_000);
        ctx.mark('preferred leader election', true);
        const e = await ctx.cluster.javaTool('org.apache.kafka.tools.LeaderElectionCommand', [
          '--bootstrap-server', ctx.cluster.bootstrap, '--election-type', 'preferred', '--all-topic-partitions',
        ]);
        ctx.note(`election: exit ${e.code} ${e.stdout.split('\n').filter(Boolean)[0] ?? ''}`);
      },
    },
    {
      name: 'add-partitions',
      title: 'Partitions added to the consumed topic (consumed within metadataMaxAgeMs = 5 s)',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        // Marked when the tool returns, i.e. once the partitions exist: the tool's JVM start took
        // 10-20 s on the loaded machine, which a mark before it would have counted as recovery.
        const r = await ctx.cluster.javaTool('org.apache.kafka.tools.TopicCommand', [
          '--bootstrap-server', ctx.cluster.bootstrap, '--alter', '--topic', ctx.topic, '--partitions', '18',
        ]);
        if (r.code !== 0) throw new Error(`adding partitions failed: ${r.stdout}${r.stderr}`);
        ctx.mark('partitions 12 -> 18 (tool returned)', true);
      },
    },
    {
      name: 'member-kill-rebalance',
      title: 'A member SIGKILLed during a cooperative rebalance',
      partitions: 12,
      assignor: 'cooperative-sticky',
      async inject(ctx) {
        // A fourth member joining starts a cooperative rebalance: members revoke some partitions in
        // a first round and the joiner gets them in a second. Kill a revoking member in between.
        const existing = [...ctx.members];
        ctx.mark('member d joins (cooperative rebalance)', true);
        ctx.startMember('d');
        const revoking = await waitForLine(existing, /^R /, 30_000, read);
        const victim = revoking ?? existing[Math.floor(ctx.random() * existing.length)]!;
        ctx.mark(`SIGKILL ${victim.name}${revoking ? ' (it had just revoked)' : ' (no revoke seen in 30 s)'}`, true);
        victim.child.kill('SIGKILL');
        await victim.exited;
      },
    },
  ];
}
