/**
 * The README's "Testing your consumers without a broker" example, run as written with no broker:
 * the block is taken from the README, its package imports pointed at the sources, and run under
 * node:test in a child process. (test/integration/readme-examples.test.ts runs it too, with the
 * other README programs.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECTION = '## Testing your consumers without a broker';

/** The first ```ts block of the section. */
function example(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(SECTION);
  assert.ok(start >= 0, `the README has "${SECTION}"`);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block?.[1], 'the section has a ts block');
  return block[1];
}

test('the README example test of the fake cluster passes as written', async () => {
  const code = example()
    .replaceAll("from 'kafka-stage'", `from ${JSON.stringify(join(root, 'src/index.ts'))}`)
    .replaceAll("from 'kafka-stage/testing'", `from ${JSON.stringify(join(root, 'src/testing/index.ts'))}`);
  assert.ok(!code.includes("'kafka-stage"), 'every package import is pointed at the sources');
  const dir = mkdtempSync(join(tmpdir(), 'kafka-stage-readme-fake-'));
  try {
    const file = join(dir, 'example.test.ts');
    writeFileSync(file, code);
    // Run as a test file of its own, not as a subtest of this run (which NODE_TEST_CONTEXT would make it).
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', import.meta.resolve('tsx'), '--test', '--test-reporter=tap', file], { cwd: dir, env, timeout: 120_000 });
    assert.match(stdout, /^# pass 1$/m, stdout);
    assert.match(stdout, /^# fail 0$/m, stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
