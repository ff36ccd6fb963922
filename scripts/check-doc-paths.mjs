#!/usr/bin/env node
// File names in the docs must name files that exist, and the file map must name every file. Files
// move (issue #12 moved dozens), and a comment saying "see consumer/foo.ts" or a map entry for a
// deleted file sends the reader nowhere. Part of `npm run lint`. Checks:
//   1. every comment in src/ that names a file of ours (a path with a '/' and an extension, or a
//      bare `name.ts`/`.mjs`/`.md`) names one that exists: relative to the commenting file, to src/
//      or to the repository root (a bare name: anywhere in the repository);
//   2. every file name in backticks in docs/DESIGN.md exists (a folder ending in '/' too);
//   3. every file of src/ is named in docs/DESIGN.md: by its name, its path from src/ or a parent
//      folder, or by a `folder/*.ts` entry covering it.
// Bare `.js`, `.json` and `.sh` names are not checked: in comments they name other projects' files
// (Node.js, Kafka's JSON message specs, kafka-topics.sh).
//
// Usage: node scripts/check-doc-paths.mjs [--root <dir>]
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { listFiles, splitComments } from './lib/source-scan.mjs';

/** Folders of the repository whose files a bare name may mean. */
const SEARCHED_FOLDERS = ['src', 'test', 'scripts', 'bench', 'docs'];

/** A path-like word: not preceded by a path or URL character, so URLs and package names are skipped. */
const PATH_WORD = /(?<![\w./@:~-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w-][\w.-]*\.(?:ts|mts|mjs|js|json|md|sh|java))(?![\w/-])/g;

/** Extensions a bare name (no '/') is checked for. */
const BARE_CHECKED = /\.(ts|mts|mjs|md)$/;

/** Every file's path from the root, and the set of base names, in the searched folders. */
function repositoryFiles(root) {
  const paths = SEARCHED_FOLDERS.flatMap((folder) => listFiles(join(root, folder), ['']))
    .map((path) => relative(root, path).split(sep).join('/'));
  for (const file of ['README.md', 'CONTRIBUTING.md', 'BENCHMARKS.md', 'package.json']) if (existsSync(join(root, file))) paths.push(file);
  return { paths, names: new Set(paths.map((path) => basename(path))) };
}

/** Whether `word`, named in a comment of `fromFile` (root-relative), is a file of the repository. */
function namesExistingFile(root, fromFile, word, names) {
  if (!word.includes('/')) return names.has(word) || existsSync(join(root, dirname(fromFile), word));
  const bases = [join(root, dirname(fromFile)), root, join(root, 'src')];
  const variants = [word, word.replace(/\.js$/, '.ts'), word.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')];
  return bases.some((base) => variants.some((variant) => existsSync(join(base, variant))));
}

/** Problems of check 1: comments in src/ naming files that do not exist. */
function brokenCommentPaths(root, files) {
  const problems = [];
  for (const file of files.paths.filter((path) => path.startsWith('src/') && /\.(ts|mts)$/.test(path))) {
    const { comments } = splitComments(readFileSync(join(root, file), 'utf8'));
    for (const comment of comments) {
      for (const match of comment.text.matchAll(PATH_WORD)) {
        const word = match[1];
        if (!word.includes('/') && !BARE_CHECKED.test(word)) continue;
        if (namesExistingFile(root, file, word, files.names)) continue;
        const line = comment.line + comment.text.slice(0, match.index).split('\n').length - 1;
        problems.push(`${file}:${line} names ${word}, which is not in the repository`);
      }
    }
  }
  return problems;
}

/** The backticked words of DESIGN.md that look like files (`x.ts`, `a/b.mjs`) or folders (`records/`). */
function designNames(text) {
  const names = [];
  for (const [, inner] of text.matchAll(/`([^`\s]+)`/g)) {
    if (/^[\w./*-]+\/$/.test(inner) || /^[\w./*-]*[\w*]\.(ts|mts|mjs|json|md|sh|java)$/.test(inner)) names.push(inner);
  }
  return names;
}

/** Problems of checks 2 and 3: DESIGN.md naming what does not exist, and src files it does not name. */
function fileMapProblems(root, files) {
  const designPath = join(root, 'docs/DESIGN.md');
  if (!existsSync(designPath)) return ['docs/DESIGN.md is missing'];
  const names = designNames(readFileSync(designPath, 'utf8'));
  const problems = [];
  // A name matches a file when it is the end of the file's path (`records/types.ts` matches
  // src/protocol/records/types.ts); `folder/*.ts` covers the files inside it. A folder's name does
  // not: the map says what each file holds.
  const matches = (name, path) => {
    if (name.includes('*')) {
      const [folder, pattern] = [name.slice(0, name.lastIndexOf('/') + 1), name.slice(name.lastIndexOf('/') + 1)];
      const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return path.includes(`/${folder}`) && regex.test(path.slice(path.lastIndexOf(`/${folder}`) + folder.length + 1));
    }
    if (name.endsWith('/')) return `/${path}`.includes(`/${name}`);
    return `/${path}`.endsWith(`/${name}`);
  };
  for (const name of new Set(names)) {
    const exists = name.endsWith('/') || name.includes('*')
      ? files.paths.some((path) => matches(name, path))
      : files.paths.some((path) => matches(name, path)) || existsSync(join(root, name));
    if (!exists) problems.push(`docs/DESIGN.md names \`${name}\`, which is not in the repository`);
  }
  for (const path of files.paths.filter((p) => p.startsWith('src/'))) {
    if (!names.some((name) => !name.endsWith('/') && matches(name, path))) problems.push(`${path} is not in docs/DESIGN.md's file map: add a short entry`);
  }
  return problems;
}

/** Runs the checks on `root`; returns the report lines and whether it passed. */
export function checkDocPaths(root) {
  const files = repositoryFiles(root);
  const problems = [...brokenCommentPaths(root, files), ...fileMapProblems(root, files)];
  return { ok: problems.length === 0, lines: [...problems, `check-doc-paths: ${problems.length} problems`] };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const rootFlag = process.argv.indexOf('--root');
  const root = rootFlag >= 0 ? process.argv[rootFlag + 1] : new URL('..', import.meta.url).pathname;
  const { ok, lines } = checkDocPaths(root);
  for (const line of lines) (ok ? console.log : console.error)(line);
  process.exitCode = ok ? 0 : 1;
}
