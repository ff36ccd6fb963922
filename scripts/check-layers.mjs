#!/usr/bin/env node
// The layer rule of docs/DESIGN.md ("Layers"), enforced: every import between files of src/ must go
// from a layer to one it may use, and no src file may reach itself through imports (a cycle). Type-only
// imports count as much as value imports: a type pulls its file's layer into the importer's design.
// Part of `npm run lint`. No TypeScript parser: scripts/lib/source-scan.mjs finds the import
// statements with comments set aside. Exits 1 on any violation, cycle or stale allow-list entry.
//
// Usage: node scripts/check-layers.mjs [--root <dir>] [--allow-list <file.json>]
//   --root        the repository to check (default: this script's repository)
//   --allow-list  a JSON array of { from, to, owner, why } replacing ALLOWED_FOR_NOW (for tests)
import { readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findImports, listFiles, resolveRelative, splitComments } from './lib/source-scan.mjs';

/**
 * The layers, bottom first, and what each may import besides itself. `path` is a file or a folder
 * (ending in '/') under src/. Keep in step with docs/DESIGN.md's "Layers".
 */
export const LAYERS = [
  { name: 'errors', path: 'errors.ts', mayImport: [] },
  { name: 'util', path: 'util/', mayImport: ['errors'] },
  { name: 'options', path: 'options/', mayImport: ['errors'] },
  { name: 'stage', path: 'stage/', mayImport: ['errors', 'util'] },
  { name: 'protocol', path: 'protocol/', mayImport: ['errors', 'util'] },
  { name: 'logger', path: 'logger.ts', mayImport: ['errors', 'util', 'protocol'] },
  { name: 'network', path: 'network/', mayImport: ['errors', 'util', 'logger', 'options', 'protocol'] },
  { name: 'cluster', path: 'cluster/', mayImport: ['errors', 'util', 'logger', 'options', 'protocol', 'network'] },
  { name: 'group', path: 'group/', mayImport: ['errors', 'util', 'logger', 'options', 'protocol', 'network', 'cluster'] },
  { name: 'producer', path: 'producer/', mayImport: ['errors', 'util', 'logger', 'options', 'protocol', 'network', 'cluster'] },
  { name: 'consumer', path: 'consumer/', mayImport: ['errors', 'util', 'logger', 'options', 'stage', 'protocol', 'network', 'cluster', 'group', 'producer'] },
  { name: 'admin', path: 'admin/', mayImport: ['errors', 'util', 'logger', 'options', 'protocol', 'network', 'cluster', 'group'] },
  { name: 'testing', path: 'testing/', mayImport: ['errors', 'util', 'logger', 'options', 'stage', 'protocol', 'network'] },
  { name: 'cli', path: 'cli/', mayImport: ['errors', 'util', 'logger', 'options', 'stage', 'protocol', 'network', 'cluster', 'group', 'producer', 'consumer', 'admin'] },
  { name: 'root', path: 'index.ts', mayImport: ['errors', 'util', 'logger', 'options', 'stage', 'protocol', 'network', 'cluster', 'group', 'producer', 'consumer', 'admin'] },
];

/**
 * Imports against the rule, or edges of a cycle, that a helper of issue #12 is removing. Each entry
 * names the edge (src-relative files), who removes it and why it is wrong. The check prints them as
 * "allowed for now" and fails when one is no longer needed: whoever fixes an edge deletes its entry.
 * This list must end empty.
 */
export const ALLOWED_FOR_NOW = [
  // The fetch target's interface moves to the scheduler; contracts.ts stops naming the stage.
  // The scheduler's settings and out-of-range facts belong to one of the two files, not both.
];

/** The layer a src-relative file belongs to, or undefined when the rule does not place it. */
export function layerOf(file) {
  return LAYERS.find((layer) => (layer.path.endsWith('/') ? file.startsWith(layer.path) : file === layer.path));
}

/** Parses the command line: `{ root, allowListFile }`. */
function parseArgs(argv) {
  const options = { root: new URL('..', import.meta.url).pathname, allowListFile: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') options.root = argv[++i];
    else if (argv[i] === '--allow-list') options.allowListFile = argv[++i];
    else throw new Error(`check-layers: unknown argument ${argv[i]}`);
  }
  return options;
}

/** Every src file's imports of other src files: `{ file, line, target }`, paths src-relative with '/'. */
function collectEdges(srcDir) {
  const toSrc = (path) => relative(srcDir, path).split(sep).join('/');
  const files = listFiles(srcDir, ['.ts', '.mts', '.cts']).filter((path) => !path.endsWith('.d.ts'));
  const edges = [];
  const problems = [];
  for (const path of files) {
    const { code } = splitComments(readFileSync(path, 'utf8'));
    for (const { specifier, line } of findImports(code)) {
      if (!specifier.startsWith('.')) continue;
      const resolved = resolveRelative(path, specifier);
      if (resolved === undefined) problems.push(`src/${toSrc(path)}:${line} imports '${specifier}', which names no file`);
      else if (relative(srcDir, resolved).startsWith('..')) problems.push(`src/${toSrc(path)}:${line} imports '${specifier}', outside src/`);
      else edges.push({ file: toSrc(path), line, target: toSrc(resolved) });
    }
  }
  return { files: files.map(toSrc), edges, problems };
}

/** Imports against the rule, as messages, and the allow-list entries they used. */
function layerViolations(files, edges, isAllowed) {
  const messages = [];
  for (const file of files) {
    if (!layerOf(file)) messages.push(`src/${file} is in no layer: place its folder in LAYERS and docs/DESIGN.md`);
  }
  for (const { file, line, target } of edges) {
    const from = layerOf(file);
    const to = layerOf(target);
    if (!from || !to || from === to || from.mayImport.includes(to.name) || isAllowed(file, target)) continue;
    const may = from.mayImport.length > 0 ? from.mayImport.join(', ') : 'nothing';
    messages.push(`src/${file}:${line} ${from.name} → ${to.name} (src/${target}): ${from.name} may import ${may}`);
  }
  return messages;
}

/** Strongly connected components of a graph (Tarjan), as arrays of nodes; iterative, no recursion limit. */
function stronglyConnected(nodes, next) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const components = [];
  let counter = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work = [{ node: start, children: next(start), at: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.at < frame.children.length) {
        const child = frame.children[frame.at++];
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, children: next(child), at: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(child)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components;
}

/** The shortest path of imports from `start` back to itself inside `members` (breadth first). */
function shortestCycle(start, members, next) {
  const cameFrom = new Map();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const child of next(node)) {
      if (!members.has(child)) continue;
      if (child === start) {
        const path = [start];
        for (let at = node; at !== start; at = cameFrom.get(at)) path.unshift(at);
        path.unshift(start);
        return path;
      }
      if (!cameFrom.has(child)) {
        cameFrom.set(child, node);
        queue.push(child);
      }
    }
  }
  return [start];
}

/**
 * Import cycles among src files, as paths `a → b → … → a`: for every group of files that reach each
 * other, the shortest cycle through each file not yet on a printed cycle, so every file caught in a
 * cycle shows up at least once.
 */
function importCycles(files, edges, isAllowed) {
  const targets = new Map(files.map((file) => [file, []]));
  for (const { file, target } of edges) {
    const list = targets.get(file);
    if (list && !list.includes(target) && !isAllowed(file, target)) list.push(target);
  }
  const next = (file) => targets.get(file) ?? [];
  const cycles = [];
  for (const component of stronglyConnected(files, next)) {
    const members = new Set(component);
    if (component.length === 1 && !next(component[0]).includes(component[0])) continue;
    const covered = new Set();
    for (const file of component) {
      if (covered.has(file)) continue;
      const cycle = shortestCycle(file, members, next);
      for (const member of cycle) covered.add(member);
      cycles.push(cycle.map((member) => `src/${member}`).join(' → '));
    }
  }
  return cycles;
}

/** Runs the check on `root`; returns the report lines and whether it passed. */
export function checkLayers(root, allowList) {
  const { files, edges, problems } = collectEdges(join(root, 'src'));
  const isAllowed = (from, to) => allowList.some((allowed) => allowed.from === from && allowed.to === to);
  const violations = [...problems, ...layerViolations(files, edges, isAllowed)];
  const cycles = importCycles(files, edges, isAllowed);
  const stale = allowList.filter((entry) => !edges.some((edge) => edge.file === entry.from && edge.target === entry.to));
  const lines = [
    ...allowList.filter((entry) => !stale.includes(entry)).map((entry) => `allowed for now: src/${entry.from} → src/${entry.to} (${entry.why}; ${entry.owner} removes it)`),
    ...violations.map((message) => `layer violation: ${message}`),
    ...cycles.map((cycle) => `import cycle: ${cycle}`),
    ...stale.map((entry) => `allow-list entry no longer needed: src/${entry.from} → src/${entry.to}: delete it from ALLOWED_FOR_NOW`),
  ];
  const ok = violations.length === 0 && cycles.length === 0 && stale.length === 0;
  lines.push(`check-layers: ${files.length} files, ${edges.length} imports: ${violations.length} violations, ${cycles.length} cycles, ${allowList.length - stale.length} allowed for now`);
  return { ok, lines };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const { root, allowListFile } = parseArgs(process.argv.slice(2));
  const allowList = allowListFile ? JSON.parse(readFileSync(allowListFile, 'utf8')) : ALLOWED_FOR_NOW;
  const { ok, lines } = checkLayers(root, allowList);
  for (const line of lines) (ok ? console.log : console.error)(line);
  process.exitCode = ok ? 0 : 1;
}
