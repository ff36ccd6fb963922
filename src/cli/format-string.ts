/**
 * kcat's output format strings for `kafka-stage consume --format` (`-f`): text with `%` tokens
 * replaced per record and backslash escapes.
 *
 * Tokens: `%t` topic, `%p` partition, `%o` offset, `%k` key, `%v` or `%s` value, `%h` headers as
 * `k=v` pairs joined by commas, `%T` timestamp (ms since the epoch), `%K` / `%S` key / value length
 * in bytes (-1 when absent), `%%` a percent sign. Escapes: `\n`, `\r`, `\t`, `\\`, `\xHH` (one byte,
 * two hex digits). Key, value and header values print as UTF-8; an absent one prints nothing.
 *
 * The string is compiled once into parts, so a record costs one pass over them; an unknown token
 * or escape is a UsageError when the flag is read, not a surprise in the middle of the output.
 */
import type { KafkaRecord } from '../protocol/records/types.js';
import { UsageError } from './args.js';

/** Prints one record: the text for it, record delimiter included. */
export type RecordPrinter = (topic: string, partition: number, record: KafkaRecord) => string;

type Field = (topic: string, partition: number, record: KafkaRecord) => string;

const text = (bytes: Buffer | null): string => (bytes === null ? '' : bytes.toString('utf8'));
const length = (bytes: Buffer | null): string => String(bytes === null ? -1 : bytes.length);

const FIELDS: Readonly<Record<string, Field>> = {
  t: (topic) => topic,
  p: (_t, partition) => String(partition),
  o: (_t, _p, r) => String(r.offset),
  k: (_t, _p, r) => text(r.key),
  v: (_t, _p, r) => text(r.value),
  s: (_t, _p, r) => text(r.value),
  h: (_t, _p, r) => r.headers.map((h) => `${h.key}=${text(h.value)}`).join(','),
  T: (_t, _p, r) => String(r.timestamp),
  K: (_t, _p, r) => length(r.key),
  S: (_t, _p, r) => length(r.value),
};

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };

/** True when `format` is a format string (has a `%` token or a backslash escape) rather than a format name. */
export function isFormatString(format: string): boolean {
  return format.includes('%') || format.includes('\\');
}

/**
 * Splits `input` at its backslash escapes (`\n`, `\r`, `\t`, `\\`, `\xHH`): text pieces, and the
 * byte of each `\xHH`. `flag` names the flag in errors.
 */
function escapedParts(input: string, flag: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let literal = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (c !== '\\') {
      literal += c;
      continue;
    }
    const next = input[i + 1];
    if (next === 'x') {
      const hex = input.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UsageError(`${flag}: \\x needs two hex digits, got '\\x${hex}'`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(parseInt(hex, 16));
      i += 3;
    } else if (next !== undefined && Object.hasOwn(ESCAPES, next)) {
      literal += ESCAPES[next] as string;
      i++;
    } else {
      throw new UsageError(`${flag}: unknown escape '\\${next ?? ''}' (known: \\n \\r \\t \\\\ \\xHH)`);
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** `input` with its backslash escapes turned into characters (`\xHH`: the character U+00HH); for output text. */
export function unescape(input: string, flag: string): string {
  return escapedParts(input, flag)
    .map((p) => (typeof p === 'number' ? String.fromCharCode(p) : p))
    .join('');
}

/**
 * `input` with its backslash escapes as bytes: text as UTF-8 (what a terminal sends), `\xHH` as
 * that one byte; for delimiters matched against input bytes (`produce -D '\x00'`).
 */
export function unescapeBytes(input: string, flag: string): Buffer {
  return Buffer.concat(escapedParts(input, flag).map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p, 'utf8'))));
}

/**
 * Compiles a format string. A string that does not end with a newline gets `delimiter` after each
 * record (so `-f '%k %v'` prints one record per line, and `-f '%v\n'` as kcat does); `flag` names
 * the flag in errors.
 */
export function compileFormatString(format: string, delimiter: string, flag = '--format'): RecordPrinter {
  const parts: (string | Field)[] = [];
  let literal = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    if (c !== '%') {
      literal += c;
      continue;
    }
    const token = format[i + 1];
    i++;
    if (token === '%') {
      literal += '%';
      continue;
    }
    const field = token !== undefined && Object.hasOwn(FIELDS, token) ? FIELDS[token] : undefined;
    if (!field) throw new UsageError(`${flag}: unknown token '%${token ?? ''}' (known: %t %p %o %k %v %s %h %T %K %S %%)`);
    if (literal) parts.push(unescape(literal, flag));
    literal = '';
    parts.push(field);
  }
  if (literal) parts.push(unescape(literal, flag));
  const last = parts[parts.length - 1];
  if (!(typeof last === 'string' && last.endsWith('\n'))) parts.push(delimiter);
  return (topic, partition, record) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(topic, partition, record);
    return out;
  };
}
