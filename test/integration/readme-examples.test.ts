/**
 * The README's programs, run as written against the test broker. A ```ts block that imports from
 * 'kafka-stage' is a complete program (fragments import nothing), and so is each ```sh block of
 * "The command line" (run with bash, the CLI from src/); the "Connecting securely" section's blocks
 * run in test/integration/secure/readme-examples.test.ts against the secured broker, every other
 * program here. Only what ties a program to a broker is replaced: the address `localhost:9092` by
 * the test cluster's, the topic and group names by fresh ones, and the package name by the source
 * entry point. Topics a program uses without creating are created first.
 *
 * Each program has an expectation below (found by a line of its code): what it must print, and
 * whether it ends by itself or, for the long-running consumers, on the signal a user's Ctrl-C or a
 * service manager sends; a program with no expectation fails the test, so a new example cannot go unchecked.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Admin } from '../../src/admin/admin.js';
import { Producer } from '../../src/producer/producer.js';
import { testBrokers, uniqueTopic } from '../helpers/env.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** Topic and group names the README's programs use; each becomes a fresh name in this run. */
const TOPICS = ['greetings', 'orders', 'audit-log', 'payments', 'payments.dead-letters'];
const GROUPS = ['greeters', 'billing', 'payment-workers'];

/** How a program is checked. */
interface Expectation {
  /** A line of the program's code that identifies it. */
  identifiedBy: string;
  /** What stdout must show (before SIGTERM, for a program that waits for one). */
  prints: RegExp;
  /** `exit`: ends by itself with code 0; a signal: runs until sent that signal, then ends with code 0. */
  ends: 'exit' | 'SIGINT' | 'SIGTERM';
  /** What the cluster must hold before it runs (records it reads), given the fresh names. */
  setup?: (names: Map<string, string>) => Promise<void>;
  /** Further checks once it ended, on the cluster. */
  verify?: (names: Map<string, string>, output: { stdout: string; stderr: string }) => Promise<void>;
}

const EXPECTATIONS: Expectation[] = [
  {
    // The fake-cluster test runs under node:test and needs no broker; it reports in TAP.
    identifiedBy: "const cluster = await FakeKafkaCluster.start({ topics: [{ topic: 'orders', partitions: 3 }] });",
    prints: /^\S+ pass 1$[\s\S]*^\S+ fail 0$/m,
    ends: 'exit',
  },
  {
    identifiedBy: "await producer.send('greetings', { key: 'user-1', value: 'hello' });",
    prints: /greetings-\S+\/\d@0: user-1 = hello/,
    ends: 'SIGINT', // Ctrl-C
    // The graceful stop committed the acked record: offset 1 on its partition, 0 on the others.
    verify: async (names) => {
      const offsets = await admin.fetchGroupOffsets(names.get('greeters')!, [names.get('greetings')!]);
      assert.deepEqual(offsets.map((o) => o.offset).sort(), [0, 0, 1], JSON.stringify(offsets));
    },
  },
  {
    identifiedBy: "const producer = new Producer({ brokers: ['localhost:9092'], compression: 'zstd', lingerMs: 5 });",
    prints: /order-17 is at partition \d, offset 0\n/,
    ends: 'exit',
    // send and sendBatch wrote 3 records in all.
    verify: async (names) => {
      const topic = names.get('orders')!;
      const ends = await admin.listOffsets([0, 1, 2].map((partition) => ({ topic, partition, spec: 'latest' as const })));
      assert.equal(ends.reduce((sum, p) => sum + p.offset, 0), 3, JSON.stringify(ends));
    },
  },
  {
    identifiedBy: "await admin.createTopics([{ topic: 'audit-log', partitions: 6, configs: { 'retention.ms': '604800000' } }]);",
    prints: /^cluster \S+: \d+ broker\(s\); audit-log\/0 ends at 0\n/,
    ends: 'exit',
    verify: async (names) => {
      const [config] = await admin.describeConfigs([{ type: 'topic', name: names.get('audit-log')! }]);
      assert.equal(config?.entries.find((e) => e.name === 'retention.ms')?.value, '604800000');
    },
  },
  {
    identifiedBy: 'kafka-stage topics create orders --partitions 6',
    // Both records, keyed and with the header, read from the beginning by the group; the reset's report.
    prints: /^order-1=paid \(partition \d, offset 0, source=cli\)$[\s\S]*: 6 partitions reset/m,
    ends: 'exit',
    verify: async (names, { stdout }) => {
      assert.match(stdout, /^order-2=shipped \(partition \d, offset 0, source=cli\)$/m);
      assert.match(stdout, /total lag 0/);
      // The script deleted its group and its topic.
      assert.ok(!(await admin.listGroups()).some((g) => g.groupId === names.get('billing')), 'group deleted');
      assert.ok(!(await admin.listTopics()).some((t) => t.name === names.get('orders')), 'topic deleted');
    },
  },
  {
    identifiedBy: "if (String(record.value) === 'declined') throw new Error('card declined');",
    // ok-1, declined, ok-2 on one partition: declined fails 3 deliveries and goes to the dead-letter
    // topic, and ok-2 is charged after it (order kept); each retry is logged on stderr.
    setup: async (names) => {
      const producer = new Producer({ brokers: testBrokers(), logger: false });
      await producer.sendBatch(names.get('payments')!, ['ok-1', 'declined', 'ok-2'].map((value) => ({ value, partition: 0 })));
      await producer.close();
    },
    prints: /^charged ok-1 \(attempt 1\)\n(?:.*\n)*charged ok-2 \(attempt \d\)\n/m,
    ends: 'SIGTERM',
    verify: async (names, { stdout, stderr }) => {
      assert.doesNotMatch(stdout, /charged declined/);
      // Logged once per failed delivery (attempts 1 and 2 retried, 3 exhausted), once dead-lettered.
      assert.deepEqual([...stderr.matchAll(/WARN .* offset=1 attempt=(\d) .*card declined/g)].map((m) => m[1]), ['1', '2', '3'], stderr);
      assert.match(stderr, /WARN .*dead-lettered .*offset=1/, stderr);
      const dead = await admin.listOffsets([0, 1, 2].map((partition) => ({ topic: names.get('payments.dead-letters')!, partition, spec: 'latest' as const })));
      assert.equal(dead.reduce((sum, p) => sum + p.offset, 0), 1, JSON.stringify(dead));
      // The commit passed the dead-lettered record: partition 0 committed at its log end, 3.
      const offsets = await admin.fetchGroupOffsets(names.get('payment-workers')!, [names.get('payments')!]);
      assert.equal(offsets.find((o) => o.partition === 0)?.offset, 3, JSON.stringify(offsets));
    },
  },
  {
    identifiedBy: "subscribe('kafka-stage:request', (message) => {",
    prints: /generation \d+: assigned 3 partition\(s\)\n[\s\S]*\/2 lag=/,
    ends: 'SIGTERM',
  },
];

/** Where a README section starts and ends (`[-1, -1]` when it has none). */
function section(readme: string, heading: string): [number, number] {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) return [-1, -1];
  const end = readme.indexOf('\n## ', start + 1);
  return [start, end < 0 ? readme.length : end];
}

/** A complete program of the README: TypeScript, or a shell script of CLI commands. */
interface Program {
  lang: 'ts' | 'sh';
  code: string;
}

/** The README's complete programs outside "Connecting securely", in order. */
function programs(): Program[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const [secureStart, secureEnd] = section(readme, 'Connecting securely');
  const [cliStart, cliEnd] = section(readme, 'The command line');
  const out: Program[] = [];
  for (const m of readme.matchAll(/```(ts|sh)\n([\s\S]*?)```/g)) {
    const code = m[2] ?? '';
    if (m.index > secureStart && m.index < secureEnd) continue;
    if (m[1] === 'ts' && /from 'kafka-stage'/.test(code)) out.push({ lang: 'ts', code });
    if (m[1] === 'sh' && m.index > cliStart && m.index < cliEnd) out.push({ lang: 'sh', code });
  }
  return out;
}

let admin: Admin;
let dir: string;
const created: string[] = [];

before(() => {
  admin = new Admin({ brokers: testBrokers() });
  dir = mkdtempSync(join(tmpdir(), 'kafka-stage-readme-'));
});
after(async () => {
  if (created.length > 0) await admin.deleteTopics(created).catch(() => undefined);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A CLI example as a bash script: stops at the first failing command, the CLI run from src/, fresh names. */
function shellScript(code: string, names: Map<string, string>): string {
  let out = code.replaceAll('localhost:9092', testBrokers().join(',')).replace(/^kafka-stage /gm, `node --import ${tsxLoader} ${join(root, 'src/cli/main.ts')} `);
  out = out.replace(/\| kafka-stage /g, `| node --import ${tsxLoader} ${join(root, 'src/cli/main.ts')} `);
  for (const [name, fresh] of names) out = out.replace(shellWord(name, 'g'), fresh);
  return `set -euo pipefail\n${out}`;
}

/** A topic or group name as a whole word of a shell script. */
function shellWord(name: string, flags = ''): RegExp {
  return new RegExp(`(?<![\\w.-])${name.replaceAll('.', '\\.')}(?![\\w.-])`, flags);
}

/** The program tied to the test cluster, with fresh names; `names` maps each README name to its fresh one. */
function localise(code: string, names: Map<string, string>): string {
  let out = code
    .replaceAll("'localhost:9092'", testBrokers().map((b) => `'${b}'`).join(', '))
    .replaceAll("from 'kafka-stage'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`)
    .replaceAll("from 'kafka-stage/testing'", `from ${JSON.stringify(join(root, 'src/testing/index.ts'))}`);
  for (const [name, fresh] of names) out = out.replaceAll(`'${name}'`, `'${fresh}'`);
  return out;
}

/** The environment of a program: this run's, without the node:test context, so a program using node:test reports on its own. */
function programEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/**
 * Runs the program (TypeScript with tsx, a shell script with bash and the CLI from src/); for one
 * that waits for a signal, sends it once stdout matches `prints`.
 */
function run(program: Program, file: string, expectation: Expectation): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess =
      program.lang === 'ts'
        ? spawn(process.execPath, ['--import', tsxLoader, file], { cwd: dir, env: programEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('bash', [file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (expectation.ends !== 'exit' && !signalled && expectation.prints.test(stdout)) {
        signalled = true;
        child.kill(expectation.ends);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A bound on a hang, not a timing assertion: the test fails on what the output shows.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('the README has runnable programs, each with an expectation here', () => {
  const all = programs();
  assert.ok(all.length >= EXPECTATIONS.length, `${all.length} programs`);
  for (const { code } of all) {
    const matching = EXPECTATIONS.filter((e) => code.includes(e.identifiedBy));
    assert.equal(matching.length, 1, `exactly one expectation for the program:\n${code}`);
  }
  for (const e of EXPECTATIONS) assert.ok(all.some(({ code }) => code.includes(e.identifiedBy)), `the README still has: ${e.identifiedBy}`);
});

test('the first program installs, produces, consumes with a group and stops on SIGINT/SIGTERM', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const first = programs()[0]?.code ?? '';
  assert.ok(readme.indexOf('npm install kafka-stage') < readme.indexOf(first), 'npm install comes before the first program');
  for (const shown of ['new Producer(', 'new ConsumerGroup(', 'stage.ack(', "'SIGINT'", "'SIGTERM'", 'group.stop()']) assert.ok(first.includes(shown), `shows ${shown}`);
});

for (const [index, program] of programs().entries()) {
  const { code } = program;
  const expectation = EXPECTATIONS.find((e) => code.includes(e.identifiedBy));
  test(`README program ${index + 1} runs: ${expectation?.identifiedBy ?? 'no expectation'}`, async (t) => {
    if (!expectation) return assert.fail('no expectation for this program (see the first test)');
    const used = (list: string[]) => list.filter((n) => (program.lang === 'ts' ? code.includes(`'${n}'`) : shellWord(n).test(code)));
    const names = new Map([...used(TOPICS), ...used(GROUPS)].map((n) => [n, uniqueTopic(`readme-${n.replaceAll('.', '-')}`)]));
    const topics = used(TOPICS).map((n) => names.get(n)!);
    created.push(...topics);
    if (!/createTopics|--create|topics create/.test(code)) await admin.createTopics(topics.map((topic) => ({ topic, partitions: 3 })));
    await expectation.setup?.(names);
    const file = join(dir, `program-${index + 1}.${program.lang === 'ts' ? 'mts' : 'sh'}`);
    writeFileSync(file, program.lang === 'ts' ? localise(code, names) : shellScript(code, names));
    const result = await run(program, file, expectation);
    const shown = `exit ${result.code} ${result.signal ?? ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
    assert.match(result.stdout, expectation.prints, shown);
    assert.equal(result.code, 0, shown);
    t.diagnostic(result.stdout.trim().split('\n').slice(-3).join(' | '));
    await expectation.verify?.(names, result);
  });
}
