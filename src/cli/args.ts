/**
 * A small command-line flag parser for the kafka-stage commands: `--flag value`, `--flag=value`,
 * boolean flags (`--create`, `--create=false`). Every command declares its flags; anything else is
 * a {@link UsageError}, which the CLI reports with exit code 2.
 */

/** Exit code of a command-line usage error (as most Unix tools). */
export const USAGE_EXIT_CODE = 2;

/** A wrong command line: unknown flag, missing or malformed value. */
export class UsageError extends Error {
  readonly exitCode = USAGE_EXIT_CODE;
  /** Stable code: `ERR_CLI_USAGE`, or `ERR_CLI_CONFIG` for a {@link ConfigError}. */
  readonly code: 'ERR_CLI_USAGE' | 'ERR_CLI_CONFIG' = 'ERR_CLI_USAGE';
  /** Whether the CLI prints the command's flags after the message (not for a bad file's content). */
  readonly showHelp: boolean = true;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Bad connection settings: a `--config` file that does not parse or asks for what kafka-stage cannot
 * do, a file named by a flag that cannot be read, settings that contradict each other. Exit code 2
 * like any usage error, but the flag list is not printed (it would not help). Messages name keys,
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

/** Parsed flags by name: strings, integers (as numbers) and booleans. Absent flags are missing. */
export type ParsedFlags = Record<string, string | number | boolean>;

/** Parses `argv` (the arguments after the command name) against `specs`. Throws UsageError. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--') || arg === '--') throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (name in flags) throw new UsageError(`--${name} given more than once`);
    let text: string;
    if (eq >= 0) {
      text = arg.slice(eq + 1);
    } else if (spec.type === 'boolean') {
      text = 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      text = next;
      i++;
    }
    flags[name] = convert(spec, text);
  }
  for (const spec of specs) {
    if (spec.required && !(spec.name in flags)) throw new UsageError(`--${spec.name} is required`);
  }
  return flags;
}

function convert(spec: FlagSpec, text: string): string | number | boolean {
  switch (spec.type) {
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new UsageError(`--${spec.name} takes true or false, got '${text}'`);
    case 'integer': {
      const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
      const min = spec.min ?? 0;
      if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${spec.name} needs an integer ≥ ${min}, got '${text}'`);
      return value;
    }
    case 'string':
      if (text.length === 0) throw new UsageError(`--${spec.name} needs a non-empty value`);
      if (spec.choices && !spec.choices.includes(text)) {
        throw new UsageError(`--${spec.name} must be one of ${spec.choices.join('|')}, got '${text}'`);
      }
      return text;
  }
}

/** The `--help` text of a command's flags, one per line. */
export function describeFlags(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => {
      const value = s.type === 'boolean' ? '' : s.choices ? ` ${s.choices.join('|')}` : s.type === 'integer' ? ' N' : ` ${s.valueName ?? 'VALUE'}`;
      const notes = [s.required ? 'required' : '', s.defaultText ? `default ${s.defaultText}` : ''].filter(Boolean).join(', ');
      // Two blanks at least between a long flag and its text.
      return `  --${s.name}${value}  `.padEnd(40) + s.description + (notes ? ` (${notes})` : '');
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
