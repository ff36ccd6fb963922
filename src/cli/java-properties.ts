/**
 * A reader of the Java `.properties` format, as `java.util.Properties.load` reads it, so a client
 * properties file written for the Kafka tools (`--command-config`, `--consumer.config`) means the
 * same to kafka-stage: `key=value`, `key: value` or `key value`; `#` and `!` comment lines; a line
 * ending in an odd number of backslashes continues on the next one (whose leading blanks are
 * dropped); escapes `\t \n \r \f \uXXXX`, and a backslash before any other character keeps that
 * character (`\=`, `\:`, `\ `, `\\`, `\#`). A key given twice keeps its last value, as in Java.
 *
 * The Java tools read these files as ISO-8859-1 (Properties.load(InputStream)); callers decode the
 * bytes the same way ({@link decodeLatin1}) so a password means the same bytes to both.
 */
import { ConfigError } from './args.js';

/** One key/value pair and the (1-based) line where its logical line starts. */
export interface PropertyEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/** The properties of a file: the last value of each key, in file order of first appearance. */
export interface JavaProperties {
  /** Values by key. */
  readonly values: ReadonlyMap<string, string>;
  /** Line of each key's last definition, for messages. */
  readonly lines: ReadonlyMap<string, number>;
}

/** Blanks as the Java format defines them: space, tab, form feed. */
function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\f';
}

/** A logical line (continuations joined, continuation backslashes removed) and where it starts. */
interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

/** Splits the text into logical lines, dropping blank and comment lines (Java's LineReader). */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let i = 0;
  let lineNo = 1;
  while (i < text.length) {
    // Start of a logical line: blanks and empty lines are skipped.
    const c = text[i] as string;
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      lineNo++;
      continue;
    }
    const startLine = lineNo;
    if (c === '#' || c === '!') {
      // A comment runs to the end of its natural line; a trailing backslash does not continue it.
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    let buf = '';
    for (;;) {
      // One natural line: up to its terminator, counting backslashes to see whether it continues.
      let end = i;
      let backslashes = 0;
      while (end < text.length && text[end] !== '\n' && text[end] !== '\r') {
        backslashes = text[end] === '\\' ? backslashes + 1 : 0;
        end++;
      }
      const continues = backslashes % 2 === 1;
      buf += text.slice(i, continues ? end - 1 : end);
      i = end;
      if (i < text.length) {
        i += text[i] === '\r' && text[i + 1] === '\n' ? 2 : 1;
        lineNo++;
      }
      if (!continues || i >= text.length) break;
      // The continuation's leading blanks go; an empty continuation line ends the logical line.
      while (i < text.length && isBlank(text[i] as string)) i++;
      if (i >= text.length) break;
      if (text[i] === '\n' || text[i] === '\r') break;
    }
    out.push({ text: buf, line: startLine });
  }
  return out;
}

/** Resolves the escapes of a key or value (Java's loadConvert). */
function unescape(s: string, line: number): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    // A lone backslash at the very end (the file ended after it) stands for nothing, as in Java.
    if (i >= s.length) break;
    const e = s[i] as string;
    if (e === 'u') {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ConfigError(`line ${line}: malformed \\uXXXX escape`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (e === 't') out += '\t';
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 'f') out += '\f';
    else out += e;
  }
  return out;
}

/** Splits one logical line into key and value (Java's Properties.load0). */
function splitEntry(l: LogicalLine): PropertyEntry {
  const s = l.text;
  let keyEnd = 0;
  let valueStart = s.length;
  let hasSeparator = false;
  let escaped = false;
  for (; keyEnd < s.length; keyEnd++) {
    const c = s[keyEnd] as string;
    if (!escaped && (c === '=' || c === ':')) {
      valueStart = keyEnd + 1;
      hasSeparator = true;
      break;
    }
    if (!escaped && isBlank(c)) {
      valueStart = keyEnd + 1;
      break;
    }
    escaped = c === '\\' ? !escaped : false;
  }
  // Blanks after the key, then at most one '=' or ':' (if the key ended on a blank), then blanks.
  for (; valueStart < s.length; valueStart++) {
    const c = s[valueStart] as string;
    if (isBlank(c)) continue;
    if (!hasSeparator && (c === '=' || c === ':')) {
      hasSeparator = true;
      continue;
    }
    break;
  }
  return { key: unescape(s.slice(0, keyEnd), l.line), value: unescape(s.slice(valueStart), l.line), line: l.line };
}

/** Every entry of the text in order, duplicates included. Throws ConfigError on a malformed escape. */
export function parsePropertyEntries(text: string): PropertyEntry[] {
  return logicalLines(text).map(splitEntry);
}

/** Parses properties text; a repeated key keeps its last value. Throws ConfigError. */
export function parseJavaProperties(text: string): JavaProperties {
  const values = new Map<string, string>();
  const lines = new Map<string, number>();
  for (const e of parsePropertyEntries(text)) {
    values.set(e.key, e.value);
    lines.set(e.key, e.line);
  }
  return { values, lines };
}

/** Decodes file bytes as ISO-8859-1, the charset the Java tools read properties files with. */
export function decodeLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
