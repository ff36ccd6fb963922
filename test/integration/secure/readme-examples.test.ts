/**
 * The README's "Connecting securely" examples, run as written against the secured test broker: every
 * ```ts block as a module (importing the package from src/), every ```sh block with bash and the CLI
 * from src/. Only what ties them to this broker is replaced: the ports 19392-19398 (the default
 * base) by this broker's, the topic `secure-orders` and group `secure-billing` by fresh ones, the
 * `fetchAccessToken()` the OAUTHBEARER example leaves to the reader by one returning an unsigned test
 * token (the CLI's `token.jwt` holds another). They run in a folder holding the test certificates under the names the README uses, with
 * KAFKA_PASSWORD set to the password of the user the example names and KEY_PASSPHRASE to the key's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Admin } from '../../../src/admin/admin.js';
import { uniqueTopic } from '../../helpers/env.js';
import { SECURE_PREFIX, secureBroker, secureTopic, unsecuredJwt } from '../../helpers/secure-broker.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');
const broker = secureBroker();

/** The code blocks of the README's "Connecting securely" section, in order. */
function examples(): { lang: 'ts' | 'sh'; code: string }[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Connecting securely\n');
  assert.ok(start >= 0, 'README has a "Connecting securely" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(ts|sh)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1] as 'ts' | 'sh', code: m[2] ?? '' }));
}

let admin: Admin;
let topic: string;
let dir: string;
const groupId = uniqueTopic(`${SECURE_PREFIX}readme-group`);

before(async () => {
  admin = new Admin({ brokers: broker.brokers('plaintext') });
  topic = await secureTopic(admin, 'readme', 1);
  dir = mkdtempSync(join(tmpdir(), 'kafka-stage-readme-'));
  const files: Record<string, string> = {
    'ca.pem': broker.certs.ca,
    'alice.pem': broker.certs.aliceCert,
    'alice.key': broker.certs.aliceKey,
    'alice-encrypted.key': broker.certs.aliceEncryptedKey,
  };
  for (const [name, target] of Object.entries(files)) symlinkSync(target, join(dir, name));
  // The CLI's OAUTHBEARER example reads its token from this file.
  writeFileSync(join(dir, 'token.jwt'), unsecuredJwt('alice'));
});
after(async () => {
  await admin.deleteTopics([topic]).catch(() => undefined);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The example tied to this broker and run: the ports, topic and group replaced. */
function localise(code: string): string {
  const base = broker.ports.plaintext;
  return code
    .replace(/\b1939([2-8])\b/g, (_, d: string) => String(base + Number(d) - 2))
    .replaceAll('secure-orders', topic)
    .replaceAll('secure-billing', groupId);
}

/** The user an example authenticates as (alice unless it names another). */
function userOf(code: string): string {
  return /username: '(\w+)'|--sasl-username (\w+)|username="(\w+)"/.exec(code)?.slice(1).find(Boolean) ?? 'alice';
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the README section has library examples for SCRAM, PLAIN, OAUTHBEARER, mTLS and errors, and CLI examples', () => {
  const all = examples();
  const ts = all.filter((e) => e.lang === 'ts').map((e) => e.code).join('\n');
  for (const shown of ['SCRAM-SHA-512', "'PLAIN'", 'OAUTHBEARER', 'cert:', 'AuthorizationError']) assert.ok(ts.includes(shown), `an example shows ${shown}`);
  const sh = all.filter((e) => e.lang === 'sh').map((e) => e.code).join('\n');
  for (const shown of ['--sasl-mechanism', '--tls-ca', '--config']) assert.ok(sh.includes(shown), `a CLI example shows ${shown}`);
});

for (const [index, example] of examples().entries()) {
  const mechanism = /mechanism: '([\w-]+)'|--sasl-mechanism ([\w-]+)|sasl\.mechanism=([\w-]+)/.exec(example.code)?.slice(1).find(Boolean);
  const what = [example.lang === 'sh' ? 'CLI' : 'library', mechanism ?? (example.code.includes('cert:') ? 'mTLS' : ''), example.code.includes('--config') ? '--config' : '']
    .filter(Boolean)
    .join(', ');
  test(`README example ${index + 1} runs (${what})`, async () => {
    const user = userOf(example.code);
    const env = { ...process.env, KAFKA_PASSWORD: `${user}-secret`, KEY_PASSPHRASE: broker.aliceKeyPassphrase };
    let result;
    if (example.lang === 'ts') {
      const token = unsecuredJwt('alice');
      const prelude = `const fetchAccessToken = async (): Promise<{ access_token: string; expires_in: number }> => ({ access_token: ${JSON.stringify(token)}, expires_in: 3600 });\n`;
      const code = localise(example.code).replaceAll("from 'kafka-stage'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`);
      const file = join(dir, `example-${index + 1}.mts`);
      writeFileSync(file, prelude + code);
      result = await run(process.execPath, ['--import', tsxLoader, file], env);
    } else {
      const cli = `node --import ${tsxLoader} ${join(root, 'src/cli/main.ts')}`;
      const script = `set -euo pipefail\n${localise(example.code).replace(/^kafka-stage /gm, `${cli} `)}`;
      result = await run('bash', ['-c', script], env);
    }
    assert.equal(result.code, 0, `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
    if (example.code.includes('AuthorizationError')) assert.match(result.stderr, /ERR_TOPIC_AUTHORIZATION/);
    if (example.code.includes('kafka-stage consume')) assert.ok(result.stdout.split('\n').filter((l) => l.startsWith('{')).length >= 10, result.stdout);
  });
}
