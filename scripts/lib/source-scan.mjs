// Reads TypeScript sources without a TypeScript parser, for the lint scripts (check-layers.mjs,
// check-doc-paths.mjs). A small scanner separates code from comments while keeping strings,
// template literals and regular expressions intact, so an `import` written in a TSDoc example is not
// taken for a real one and a `//` inside a string is not taken for a comment. Line numbers survive:
// comment text is blanked with spaces and every newline is kept.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Keywords after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await', 'else', 'do']);

/** Punctuation after which a `/` starts a regular expression. */
const REGEX_AFTER_PUNCT = '(,=:[!&|?{};+-*%<>~^';

/**
 * Splits a source text into `code` (comments blanked, same length and lines) and `comments`
 * (each comment's text and the 1-based line it starts on).
 */
export function splitComments(text) {
  const out = text.split('');
  const comments = [];
  // One entry per open `${ … }` of a template literal: the brace depth at which it closes.
  const templateStack = [];
  let braceDepth = 0;
  let line = 1;
  let i = 0;
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  const countLines = (from, to) => {
    for (let k = from; k < to; k++) if (text[k] === '\n') line++;
  };
  const previousSignificant = () => {
    let k = i - 1;
    while (k >= 0 && /\s/.test(out[k])) k--;
    if (k < 0) return { char: '', word: '' };
    let start = k;
    while (start >= 0 && /[\w$]/.test(out[start])) start--;
    return { char: out[k], word: out.slice(start + 1, k + 1).join('') };
  };
  /** Skips a template literal's text from `i` (just after a backtick or a closing `}`). */
  const skipTemplateText = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\\') i += 2;
      else if (c === '`') { i++; return; }
      else if (c === '$' && text[i + 1] === '{') { i += 2; templateStack.push(braceDepth); braceDepth++; return; }
      else { if (c === '\n') line++; i++; }
    }
  };
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '\n') { line++; i++; }
    else if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
      comments.push({ text: text.slice(i, end), line });
      blank(i, end);
      i = end;
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close === -1 ? text.length : close + 2;
      comments.push({ text: text.slice(i, end), line });
      blank(i, end);
      countLines(i, end);
      i = end;
    } else if (c === '\'' || c === '"') {
      i++;
      while (i < text.length && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i++;
      skipTemplateText();
    } else if (c === '{') { braceDepth++; i++; }
    else if (c === '}') {
      braceDepth--;
      i++;
      if (templateStack.length > 0 && templateStack[templateStack.length - 1] === braceDepth) {
        templateStack.pop();
        skipTemplateText();
      }
    } else if (c === '/') {
      const prev = previousSignificant();
      const isRegex = prev.char === '' || REGEX_AFTER_PUNCT.includes(prev.char) || REGEX_AFTER_WORDS.has(prev.word);
      i++;
      if (isRegex) {
        let inClass = false;
        while (i < text.length && text[i] !== '\n') {
          const r = text[i];
          if (r === '\\') { i += 2; continue; }
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) { i++; break; }
          i++;
        }
      }
    } else i++;
  }
  return { code: out.join(''), comments };
}

/** The 1-based line of character `index` in `text`. */
export function lineAt(text, index) {
  let line = 1;
  for (let k = 0; k < index; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

/**
 * Every module specifier a source's code names: `import … from '…'`, `import '…'`,
 * `export … from '…'` (each possibly over many lines, `type` or not) and `import('…')` (dynamic
 * imports and `typeof import('…')` type queries). Pass code with comments blanked.
 * Returns `{ specifier, line, typeOnly }` in source order.
 */
export function findImports(code) {
  const found = [];
  // `import`/`export` at a statement start, then only what an import clause holds (names, braces,
  // commas, `*`, `as`, `type`) up to `from '…'`.
  const fromClause = /(^|[;}\s])(import|export)(\s+type)?\s+([\w$\s{},*]*?)\bfrom\s*(['"])([^'"\n]+)\5/g;
  const bare = /(^|[;}\s])import\s*(['"])([^'"\n]+)\2/g;
  const dynamic = /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
  for (const m of code.matchAll(fromClause)) {
    const start = m.index + m[1].length;
    const typeOnly = m[3] !== undefined || /^\{[^}]*\}$/.test(m[4].trim()) && m[4].trim().slice(1, -1).split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '));
    found.push({ specifier: m[6], line: lineAt(code, start), typeOnly, index: start });
  }
  for (const m of code.matchAll(bare)) {
    const start = m.index + m[1].length;
    found.push({ specifier: m[3], line: lineAt(code, start), typeOnly: false, index: start });
  }
  for (const m of code.matchAll(dynamic)) {
    found.push({ specifier: m[2], line: lineAt(code, m.index), typeOnly: false, index: m.index });
  }
  return found.sort((a, b) => a.index - b.index).map(({ specifier, line, typeOnly }) => ({ specifier, line, typeOnly }));
}

/**
 * The file a relative specifier names, as TypeScript's NodeNext resolution finds it in sources:
 * `./x.js` is `./x.ts`, `./dir` is `./dir/index.ts`. Undefined for a package specifier or a file
 * that does not exist.
 */
export function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const target = resolve(dirname(fromFile), specifier);
  const candidates = [];
  if (/\.(m|c)?js$/.test(target)) candidates.push(target.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts').replace(/\.cjs$/, '.cts'));
  candidates.push(target, `${target}.ts`, join(target, 'index.ts'));
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

/** Every file under `dir` (recursively) whose name ends with one of `extensions`, sorted. */
export function listFiles(dir, extensions) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return listFiles(path, extensions);
    return extensions.some((ext) => name.endsWith(ext)) ? [path] : [];
  });
}
