/**
 * A reader of the `sasl.jaas.config` client property, the one-entry JAAS configuration the Java
 * client takes inline:
 *
 *     org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cr\"t";
 *
 * As Kafka's JaasConfig reads it (a java.io.StreamTokenizer): a login module class, a control flag
 * (required, requisite, sufficient, optional), then `key=value` options, then `;`. Values are bare
 * words or quoted with `"` or `'`; inside quotes a backslash escapes (`\"`, `\\`, `\n`, `\t`, octal
 * `\101` …). `//` and `/* … *\/` comments are allowed between tokens. Exactly one entry, as the
 * Java client requires.
 *
 * Errors name the option keys and the position, never a value: the text holds the password.
 */
import { ConfigError } from './args.js';

/** A parsed `sasl.jaas.config` entry. */
export interface JaasEntry {
  /** The login module class, e.g. `org.apache.kafka.common.security.plain.PlainLoginModule`. */
  readonly loginModule: string;
  /** The control flag, lower-cased. */
  readonly controlFlag: 'required' | 'requisite' | 'sufficient' | 'optional';
  /** The options in order (a repeated key keeps its last value). */
  readonly options: ReadonlyMap<string, string>;
}

type Token = { kind: 'word' | 'quoted'; text: string; at: number } | { kind: '=' | ';'; at: number };

/** Characters of a bare word: those StreamTokenizer treats as word or number characters, as Kafka sets it up. */
function isWordChar(c: string): boolean {
  return /[A-Za-z0-9._$\-\u00a0-\u00ff]/.test(c);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function fail(message: string): never {
  throw new ConfigError(`sasl.jaas.config: ${message}`);
}

/** Reads a quoted value starting after its opening quote; returns the value and the index after the closing quote. */
function readQuoted(s: string, start: number, quote: string): { text: string; end: number } {
  let out = '';
  let i = start;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === quote) return { text: out, end: i + 1 };
    // StreamTokenizer ends a quoted string at a line end; a value with an unclosed quote is refused here.
    if (c === '\n' || c === '\r') break;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) break;
    const octal = /^[0-7]{1,3}/.exec(s.slice(i + 1, i + 4))?.[0];
    if (octal !== undefined) {
      // As StreamTokenizer: three octal digits only when the first is 0-3 (the value fits a byte).
      const digits = octal.length === 3 && (octal[0] as string) > '3' ? octal.slice(0, 2) : octal;
      out += String.fromCharCode(parseInt(digits, 8));
      i += 1 + digits.length;
    } else {
      out += SIMPLE_ESCAPES[e] ?? e;
      i += 2;
    }
  }
  return fail(`a quoted value opened at character ${start} is not closed`);
}

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c <= ' ') {
      i++;
    } else if (s.startsWith('//', i)) {
      while (i < s.length && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (s.startsWith('/*', i)) {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) fail(`a comment opened at character ${i + 1} is not closed`);
      i = end + 2;
    } else if (c === '=' || c === ';') {
      tokens.push({ kind: c, at: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const { text, end } = readQuoted(s, i + 1, c);
      tokens.push({ kind: 'quoted', text, at: i + 1 });
      i = end;
    } else if (isWordChar(c)) {
      let end = i;
      while (end < s.length && isWordChar(s[end] as string)) end++;
      tokens.push({ kind: 'word', text: s.slice(i, end), at: i + 1 });
      i = end;
    } else {
      // The character itself is not echoed: it may be part of a mistyped password.
      fail(`unexpected character at ${i + 1} (quote values that contain punctuation)`);
    }
  }
  return tokens;
}

const CONTROL_FLAGS = ['required', 'requisite', 'sufficient', 'optional'] as const;

/** Parses a `sasl.jaas.config` value. Throws ConfigError naming the problem (and keys), never a value. */
export function parseJaasConfig(text: string): JaasEntry {
  const tokens = tokenize(text);
  let i = 0;
  const next = (): Token | undefined => tokens[i++];
  const module = next();
  if (module === undefined) fail('empty');
  if (module.kind !== 'word') fail(`expected a login module class at character ${module.at}`);
  const flagToken = next();
  if (flagToken === undefined || flagToken.kind !== 'word') fail('expected a control flag (required, …) after the login module class');
  const flag = flagToken.text.toLowerCase();
  const controlFlag = CONTROL_FLAGS.find((f) => f === flag);
  if (controlFlag === undefined) fail(`unknown control flag at character ${flagToken.at} (expected one of ${CONTROL_FLAGS.join(', ')})`);
  const options = new Map<string, string>();
  for (;;) {
    const t = next();
    if (t === undefined) fail("the entry does not end with ';'");
    if (t.kind === ';') break;
    if (t.kind !== 'word') fail(`expected an option name at character ${t.at}`);
    const eq = next();
    // Without '=' the word may not be a key at all (an unquoted value with a blank): not echoed.
    if (eq?.kind !== '=') fail(`expected '=' after the option name at character ${t.at}`);
    const value = next();
    if (value === undefined || (value.kind !== 'word' && value.kind !== 'quoted')) fail(`option '${t.text}' has no value`);
    options.set(t.text, value.text);
  }
  if (i < tokens.length) fail('holds more than one login module entry; the client takes exactly one');
  return { loginModule: module.text, controlFlag, options };
}
