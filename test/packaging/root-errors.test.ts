/**
 * Every error class of the library is a KafkaStageError and reachable from the package root
 * (issue 11 point 4), so `instanceof` checks and `err.code` switches work for anything a public
 * method throws. The test walks the root's exports, then every module under src/ (but the CLI,
 * whose usage errors never leave its process), and fails on an error class the root does not
 * export or one that does not extend KafkaStageError.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as root from '../../src/index.js';
import { KafkaStageError } from '../../src/errors.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * Error classes that never leave the library, with the reason: each is caught where it is thrown
 * and turned into an exported error.
 */
const INTERNAL: ReadonlyMap<string, string> = new Map([
  ['network/sasl/saslprep.ts SaslPrepError', 'sasl/options.ts turns it into an InvalidOptionError naming sasl.username or sasl.password'],
]);

function isErrorClass(value: unknown): value is new (...args: never[]) => Error {
  return typeof value === 'function' && value.prototype instanceof Error;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'cli' && dir === SRC ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

test('every error class the root exports extends KafkaStageError', () => {
  let count = 0;
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (!isErrorClass(value)) continue;
    count++;
    assert.ok(value === KafkaStageError || value.prototype instanceof KafkaStageError, `${name} does not extend KafkaStageError`);
  }
  assert.ok(count >= 20, `only ${count} error classes exported`);
});

test('every error class defined under src/ (but the CLI) is exported from the root, or named internal with a reason', async () => {
  const exported = new Set<unknown>(Object.values(root as Record<string, unknown>).filter(isErrorClass));
  const missing: string[] = [];
  let seen = 0;
  for (const file of sourceFiles(SRC)) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (!isErrorClass(value)) continue;
      seen++;
      const where = `${relative(SRC, file)} ${name}`;
      if (exported.has(value) || INTERNAL.has(where)) continue;
      missing.push(where);
    }
  }
  assert.ok(seen >= 20, `found only ${seen} error classes: is the walk broken?`);
  assert.deepEqual(missing, [], 'error classes not exported from src/index.ts');
});
