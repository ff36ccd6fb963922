/**
 * scripts/check-layers.mjs on small fixture trees (each in a temp dir, run as `npm run lint` runs
 * it): imports against the layer rule are reported with file, line and layers whatever their form
 * (multi-line, type-only, `export … from`, `import()`), imports in comments are not, cycles are
 * printed as paths, the allow-list passes what it names and fails when an entry is stale. Last, its
 * import finder agrees with the TypeScript compiler on every file of the real src/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(REPO, 'scripts/check-layers.mjs');
const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface AllowEntry {
  from: string;
  to: string;
  owner: string;
  why: string;
}

/** Writes `files` (paths relative to the tree root) and runs the check on them. */
function check(files: Record<string, string>, allowList: AllowEntry[] = []): { status: number | null; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'check-layers-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const allowFile = join(root, 'allow.json');
  writeFileSync(allowFile, JSON.stringify(allowList));
  const run = spawnSync(process.execPath, [SCRIPT, '--root', root, '--allow-list', allowFile], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

describe('check-layers', () => {
  it('passes a tree that follows the rule, counting its imports', () => {
    const { status, out } = check({
      'src/errors.ts': 'export class E extends Error {}\n',
      'src/protocol/reader.ts': "import { E } from '../errors.js';\nexport const r = new E();\n",
      'src/protocol/index.ts': "export { r } from './reader.js';\n",
      'src/cluster/cluster.ts': "import { r } from '../protocol/index.js';\nimport { r as again } from '../protocol';\nexport const c = [r, again];\n",
    });
    assert.equal(status, 0, out);
    assert.match(out, /check-layers: 4 files, 4 imports: 0 violations, 0 cycles, 0 allowed for now/);
  });

  it('reports a multi-line import at its first line, with both layers', () => {
    const { status, out } = check({
      'src/stage/buffer.ts': "// the buffer\nimport {\n  Cluster,\n  type Link,\n} from '../cluster/cluster.js';\nexport type B = [Cluster, Link];\n",
      'src/cluster/cluster.ts': 'export class Cluster {}\nexport interface Link {}\n',
    });
    assert.equal(status, 1);
    assert.match(out, /layer violation: src\/stage\/buffer\.ts:2 stage → cluster \(src\/cluster\/cluster\.ts\): stage may import errors, util/);
  });

  it('counts type-only imports, `export … from` and `import()` type queries', () => {
    const { status, out } = check({
      'src/group/membership.ts': "import type { Handle } from '../consumer/contracts.js';\nexport type H = Handle;\n",
      'src/group/index.ts': "export type { Handle } from '../consumer/contracts.js';\n",
      'src/group/lazy.ts': "export type L = typeof import('../consumer/contracts.js');\n",
      'src/consumer/contracts.ts': 'export interface Handle {}\n',
    });
    assert.equal(status, 1);
    for (const file of ['membership.ts:1', 'index.ts:1', 'lazy.ts:1']) {
      assert.ok(out.includes(`layer violation: src/group/${file} group → consumer (src/consumer/contracts.ts)`), `${file} in:\n${out}`);
    }
    assert.match(out, /3 violations/);
  });

  it('ignores imports written in comments and strings', () => {
    const { status, out } = check({
      'src/protocol/doc.ts': [
        '/**',
        ' * ```ts',
        " * import { Cluster } from '../cluster/cluster.js';",
        ' * ```',
        ' */',
        "// import '../cluster/cluster.js';",
        "export const text = \"import { x } from '../cluster/cluster.js'\";",
        "export const pattern = /import '..\\/cluster'/;",
        '',
      ].join('\n'),
      'src/cluster/cluster.ts': 'export class Cluster {}\n',
    });
    assert.equal(status, 0, out);
    assert.match(out, /0 imports/);
  });

  it('prints a cycle of three files as a path', () => {
    const { status, out } = check({
      'src/consumer/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/consumer/b.ts': "import { c } from './c.js';\nexport const b = () => c;\n",
      'src/consumer/c.ts': "import type { a } from './a.js';\nexport const c = (x: typeof a) => x;\n",
      'src/consumer/d.ts': "import { a } from './a.js';\nexport const d = a;\n",
    });
    assert.equal(status, 1);
    assert.match(out, /import cycle: src\/consumer\/a\.ts → src\/consumer\/b\.ts → src\/consumer\/c\.ts → src\/consumer\/a\.ts/);
    assert.match(out, /0 violations, 1 cycles/);
  });

  it('reports a file in no layer and an import of a file that does not exist', () => {
    const { status, out } = check({
      'src/misc/thing.ts': 'export const thing = 1;\n',
      'src/cli/main.ts': "import { gone } from './gone.js';\nexport const m = gone;\n",
    });
    assert.equal(status, 1);
    assert.match(out, /src\/misc\/thing\.ts is in no layer/);
    assert.match(out, /src\/cli\/main\.ts:1 imports '\.\/gone\.js', which names no file/);
  });

  it('passes an allow-listed edge, names who removes it, and fails when the entry is stale', () => {
    const files = {
      'src/group/membership.ts': "import type { Handle } from '../consumer/contracts.js';\nexport type H = Handle;\n",
      'src/consumer/contracts.ts': 'export interface Handle {}\n',
    };
    const entry = { from: 'group/membership.ts', to: 'consumer/contracts.ts', owner: 'helper F', why: 'group imports consumer' };
    const allowed = check(files, [entry]);
    assert.equal(allowed.status, 0, allowed.out);
    assert.match(allowed.out, /allowed for now: src\/group\/membership\.ts → src\/consumer\/contracts\.ts \(group imports consumer; helper F removes it\)/);
    const stale = check({ 'src/consumer/contracts.ts': 'export interface Handle {}\n' }, [entry]);
    assert.equal(stale.status, 1);
    assert.match(stale.out, /allow-list entry no longer needed: src\/group\/membership\.ts → src\/consumer\/contracts\.ts/);
  });

  it('finds the same relative imports as the TypeScript compiler in every file of src/', async () => {
    type Scan = {
      splitComments(text: string): { code: string };
      findImports(code: string): { specifier: string; line: number }[];
      listFiles(dir: string, extensions: string[]): string[];
    };
    const scan = (await import(pathToFileURL(join(REPO, 'scripts/lib/source-scan.mjs')).href)) as Scan;
    const files = scan.listFiles(join(REPO, 'src'), ['.ts']);
    assert.ok(files.length > 100);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const fromScript = scan.findImports(scan.splitComments(text).code).map(({ specifier, line }) => `${line} ${specifier}`);
      assert.deepEqual(fromScript, compilerImports(file, text), file);
    }
  });
});

/** `line specifier` of every import, export-from, `import()` and `import('…')` type in `text`, in order. */
function compilerImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { at: number; specifier: string }[] = [];
  const visit = (node: ts.Node): void => {
    let specifier: ts.Node | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = node.moduleSpecifier;
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) specifier = node.arguments[0];
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) specifier = node.argument.literal;
    if (specifier && ts.isStringLiteral(specifier)) found.push({ at: node.getStart(source), specifier: specifier.text });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.sort((a, b) => a.at - b.at).map(({ at, specifier }) => `${source.getLineAndCharacterOfPosition(at).line + 1} ${specifier}`);
}
