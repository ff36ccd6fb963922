/**
 * The command-line flags of the kafka-stage commands, parsed with `node:util` parseArgs: long flags
 * (`--flag value`, `--flag=value`), kcat's short flags (`-t topic`, `-ttopic`, `-qe`), boolean flags
 * (`--create`, `--create=false`) and repeatable flags (`-H a=1 -H b=2`). Every command declares its
 * flags in a {@link FlagSpec} table; anything else is a {@link UsageError}, which the CLI reports in
 * one line with exit code 2. Type checks (integer, minimum, choices) run after parseArgs.
 */
import { parseArgs } from 'node:util';
import { nearestKey } from '../options/suggest.js';

/** Exit code of a command-line usage error (as most Unix tools). */
export const USAGE_EXIT_CODE = 2;

/** A wrong command line: unknown flag, missing or malformed value. */
export class UsageError extends Error {
  readonly exitCode = USAGE_EXIT_CODE;
  /** Stable code: `ERR_CLI_USAGE`, or `ERR_CLI_CONFIG` for a {@link ConfigError}. */
  readonly code: 'ERR_CLI_USAGE' | 'ERR_CLI_CONFIG' = 'ERR_CLI_USAGE';
  /** Whether the CLI points at `kafka-stage help <command>` after the message (not for a bad file's content). */
  readonly showHelp: boolean = true;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Bad connection settings: a `--config` file that does not parse or asks for what kafka-stage cannot
 * do, a file named by a flag that cannot be read, settings that contradict each other. Exit code 2
 * like any usage error, but no pointer to the flag list (it would not help). Messages name keys,
 * flags and paths, never a value that could be a secret.
 */
export class ConfigError extends UsageError {
  override readonly code = 'ERR_CLI_CONFIG';
  override readonly showHelp = false;

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The kinds of flag values. */
export type FlagType = 'string' | 'integer' | 'boolean';

/** One flag a command accepts. */
export interface FlagSpec {
  /** Name without the dashes, e.g. `brokers`. */
  readonly name: string;
  readonly type: FlagType;
  /** One line for `--help`. */
  readonly description: string;
  /** One-letter alias, as kcat's (`b` for `-b`). */
  readonly short?: string;
  /** May be given more than once; its values are collected in order (a string array, see {@link stringsFlag}). */
  readonly multiple?: boolean;
  /** Must be given. */
  readonly required?: boolean;
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[];
  /** Smallest allowed value of an integer flag (default 0). */
  readonly min?: number;
  /** Value shown in `--help` as the default. */
  readonly defaultText?: string;
  /** Placeholder of a string flag's value in `--help` (default `VALUE`), e.g. `FILE`. */
  readonly valueName?: string;
}

/** One parsed value: a string, an integer, a boolean, or the values of a `multiple` flag. */
export type FlagValue = string | number | boolean | readonly (string | number)[];

/** Parsed flags by name. Absent flags are missing. */
export type ParsedFlags = Record<string, FlagValue>;

/** Flags and the arguments that are not flags (e.g. a topic name after `topics describe`). */
export interface ParsedCommandLine {
  readonly flags: ParsedFlags;
  readonly positionals: readonly string[];
}

/** Parses `argv` (the arguments after the command name) against `specs`; no positional arguments. Throws UsageError. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const { flags, positionals } = parseCommandLine(argv, specs);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  return flags;
}

/**
 * Parses `argv` against `specs`, keeping the arguments that are not flags in order (after `--`,
 * everything is one). Throws UsageError for an unknown flag (naming the nearest known one), a
 * missing or malformed value, a flag given twice that is not `multiple`, a missing required flag.
 */
export function parseCommandLine(argv: readonly string[], specs: readonly FlagSpec[]): ParsedCommandLine {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short as string, s]));
  // Lenient mode: unknown flags and values that start with '-' (`-o -10`) come back as tokens and
  // are judged below, where the message can name the flag and suggest the nearest one.
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      specs.map((s) => [s.name, { type: s.type === 'boolean' ? ('boolean' as const) : ('string' as const), ...(s.short ? { short: s.short } : {}) }]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: ParsedFlags = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const spec = byName.get(token.name) ?? (token.rawName.length === 2 ? byShort.get(token.name) : undefined);
    if (!spec) throw new UsageError(`unknown flag ${token.rawName}${suggestion(token.rawName, specs)}`);
    const shown = flagName(spec);
    let value: FlagValue;
    if (spec.type === 'boolean') {
      value = token.value === undefined ? true : booleanValue(shown, token.value);
    } else {
      if (token.value === undefined || looksLikeFlag(token.value, token.inlineValue === true, byShort)) throw new UsageError(`${shown} needs a value`);
      value = convert(spec, shown, token.value);
    }
    if (spec.multiple) {
      const list = (flags[spec.name] as (string | number)[] | undefined) ?? [];
      list.push(value as string | number);
      flags[spec.name] = list;
    } else {
      if (spec.name in flags) throw new UsageError(`${shown} given more than once`);
      flags[spec.name] = value;
    }
  }
  for (const spec of specs) {
    if (spec.required && !(spec.name in flags)) throw new UsageError(`${flagName(spec)} is required`);
  }
  return { flags, positionals };
}

/** How messages name a flag: always the long form, whichever form was typed (the one `--help` explains). */
function flagName(spec: FlagSpec): string {
  return `--${spec.name}`;
}

/**
 * Whether a separate value is really the next flag (`--brokers --create`): a value that starts with
 * `--`, or is one of the command's short flags. Negative numbers (`-o -10`) and `-` are values.
 */
function looksLikeFlag(value: string, inline: boolean, byShort: ReadonlyMap<string, FlagSpec>): boolean {
  if (inline) return false;
  if (value.startsWith('--') && value.length > 2) return true;
  return /^-[A-Za-z]/.test(value) && byShort.has(value.charAt(1));
}

function booleanValue(shown: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`${shown} takes true or false, got '${text}'`);
}

function convert(spec: FlagSpec, shown: string, text: string): string | number {
  if (spec.type === 'integer') {
    const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
    const min = spec.min ?? 0;
    if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`${shown} needs an integer ≥ ${min}, got '${text}'`);
    return value;
  }
  if (text.length === 0) throw new UsageError(`${shown} needs a non-empty value`);
  if (spec.choices && !spec.choices.includes(text)) {
    throw new UsageError(`${shown} must be one of ${spec.choices.join('|')}, got '${text}'`);
  }
  return text;
}

/** ` (did you mean --topic?)` for the known flag nearest to an unknown one, or '' when none is near. */
function suggestion(rawName: string, specs: readonly FlagSpec[]): string {
  const name = rawName.replace(/^-+/, '');
  // A single letter is too short to guess from: `-x` gets no suggestion.
  if (name.length < 2) return '';
  const nearest = nearestName(name, specs.map((s) => s.name));
  return nearest === null ? '' : ` (did you mean --${nearest}?)`;
}

/** The candidate nearest to `word` when it looks like a typo of it (src/options/suggest.ts's rule), else null. */
export function nearestName(word: string, candidates: readonly string[]): string | null {
  return nearestKey(word, candidates) ?? null;
}

/** The `--help` text of a command's flags, one per line. */
export function describeFlags(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const value = s.type === 'boolean' ? '' : s.choices ? ` ${s.choices.join('|')}` : s.type === 'integer' ? ' N' : ` ${s.valueName ?? 'VALUE'}`;
      const notes = [s.required ? 'required' : '', s.multiple ? 'repeatable' : '', s.defaultText ? `default ${s.defaultText}` : ''].filter(Boolean).join(', ');
      const short = s.short ? `-${s.short}, ` : '    ';
      // Two blanks at least between a long flag and its text.
      return `  ${short}--${s.name}${value}  `.padEnd(44) + s.description + (notes ? ` (${notes})` : '');
    })
    .join('\n');
}

/** A string flag's value, or undefined. */
export function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** An integer flag's value, or undefined. */
export function integerFlag(flags: ParsedFlags, name: string): number | undefined {
  const v = flags[name];
  return typeof v === 'number' ? v : undefined;
}

/** A boolean flag's value (false when absent). */
export function booleanFlag(flags: ParsedFlags, name: string): boolean {
  return flags[name] === true;
}

/** The values of a `multiple` string flag in command-line order (empty when absent). */
export function stringsFlag(flags: ParsedFlags, name: string): string[] {
  const v = flags[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}
