/**
 * `require('kafka-stage')` loads the ES modules through Node's require(esm), which refuses a module
 * graph with a top-level `await` (ERR_REQUIRE_ASYNC_MODULE). This test follows the runtime imports
 * from every package entry point (src/index.ts, src/protocol/index.ts) and fails on a top-level
 * `await` or `for await` in any module they reach, naming the file and line. The packaging test
 * (pack.test.ts) require()s the built package too; this one runs in a second and says where.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ENTRY_POINTS = ['index.ts', 'protocol/index.ts'];

/** The relative modules `file` imports at run time (type-only imports and exports are erased). */
function runtimeImports(source: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) specifier = statement.moduleSpecifier;
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) specifier = statement.moduleSpecifier;
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) out.push(specifier.text);
  }
  return out;
}

/** Lines of `await` / `for await` outside any function in `source`. */
function topLevelAwaits(source: ts.SourceFile): number[] {
  const lines: number[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier !== undefined)) {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

/** Every source file reachable at run time from the entry points. */
function reachableModules(): Map<string, ts.SourceFile> {
  const seen = new Map<string, ts.SourceFile>();
  const queue = ENTRY_POINTS.map((entry) => resolve(SRC, entry));
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    seen.set(file, source);
    for (const specifier of runtimeImports(source)) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return seen;
}

test('the finder sees a top-level await, and not one inside a function', () => {
  const source = ts.createSourceFile('x.ts', 'const a = await f();\nasync function g() { await h(); }\nfor await (const x of y) {}\n', ts.ScriptTarget.ES2022, true);
  assert.deepEqual(topLevelAwaits(source), [1, 3]);
});

test('no module reachable from a package entry point uses top-level await (require(esm) refuses those)', () => {
  const modules = reachableModules();
  // The walk must reach the clients, or it proves nothing.
  for (const expected of ['consumer/consumer-group.ts', 'producer/producer.ts', 'admin/admin.ts', 'protocol/records/record-batch.ts']) {
    assert.ok(modules.has(resolve(SRC, expected)), `${expected} not reached from the entry points`);
  }
  const found: string[] = [];
  for (const [file, source] of modules) {
    for (const line of topLevelAwaits(source)) found.push(`${relative(SRC, file)}:${line}`);
  }
  assert.deepEqual(found, [], 'top-level await in modules a require() of the package loads');
});
