/**
 * Logging: every client takes a `logger` (any object with `debug`, `info`, `warn` and `error`, such
 * as `console`, a pino logger or a KafkaJS-style adapter). Without one, warnings and errors go to
 * stderr and `debug`/`info` only when `NODE_DEBUG` names `kafka-stage` (Node's usual switch).
 *
 * Log calls pass a message and a flat object of fields (topic, partition, broker, error …); secrets
 * never reach a log line: callers pass names and codes, never option objects.
 */
import { debuglog, format } from 'node:util';

/** Fields of one log line: plain values (strings, numbers, booleans) or an Error. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined | Error | readonly unknown[]>>;

/** What kafka-stage logs to: four levels, each taking a message and optional fields. */
export interface Logger {
  /** Detail for diagnosing (each request retried, each fetch plan). */
  debug(message: string, fields?: LogFields): void;
  /** Something worth knowing that needs no action (a rebalance, a connection recovered). */
  info(message: string, fields?: LogFields): void;
  /** Something that may need action or explain a delay (a missing topic, a lost connection). */
  warn(message: string, fields?: LogFields): void;
  /** A failure the application should see (an `error` event nobody listens to, a commit refused). */
  error(message: string, fields?: LogFields): void;
}

const debugEnabled = debuglog('kafka-stage').enabled;

/** Formats `fields` as ` key=value …` (errors by name, code and message). */
export function formatFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += ` ${key}=${value instanceof Error ? describeError(value) : typeof value === 'string' ? quote(value) : format('%j', value)}`;
  }
  return out;
}

function describeError(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return quote(`${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`);
}

function quote(text: string): string {
  return /^[\w.:/@+-]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * The default logger: `warn` and `error` to stderr as `kafka-stage WARN message key=value`,
 * `debug` and `info` too when `NODE_DEBUG=kafka-stage`.
 */
export function createStderrLogger(options: { debug?: boolean; write?: (line: string) => void } = {}): Logger {
  const verbose = options.debug ?? debugEnabled;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const line = (level: string, message: string, fields?: LogFields): void => {
    write(`kafka-stage ${level} ${message}${formatFields(fields)}\n`);
  };
  return {
    debug: (message, fields) => {
      if (verbose) line('DEBUG', message, fields);
    },
    info: (message, fields) => {
      if (verbose) line('INFO', message, fields);
    },
    warn: (message, fields) => line('WARN', message, fields),
    error: (message, fields) => line('ERROR', message, fields),
  };
}

/** A logger that drops everything (`logger: false`). */
export const SILENT_LOGGER: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});

/** The `logger` option: a {@link Logger}, `false` for none, or absent for the stderr default. */
export type LoggerOption = Logger | false;

/**
 * Resolves the `logger` option; throws TypeError naming the missing method when `option` is not a
 * logger (validated by the callers' option checks, which turn it into an InvalidOptionError).
 */
export function resolveLogger(option: LoggerOption | undefined): Logger {
  if (option === undefined) return createStderrLogger();
  if (option === false) return SILENT_LOGGER;
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof (option as Partial<Logger>)[level] !== 'function') throw new TypeError(`logger.${level} must be a function`);
  }
  // Bound, so a logger whose methods use `this` (pino, console) keeps working when called detached.
  return {
    debug: option.debug.bind(option),
    info: option.info.bind(option),
    warn: option.warn.bind(option),
    error: option.error.bind(option),
  };
}
