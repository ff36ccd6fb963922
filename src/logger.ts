/**
 * Logging: every client takes a `logger` (any object with `debug`, `info`, `warn` and `error`, such
 * as `console`, a pino logger or a KafkaJS-style adapter). Without one, warnings and errors go to
 * stderr, and `debug`/`info` too when `NODE_DEBUG` names `kafka-stage` (Node's usual switch).
 *
 * Log calls pass a message and a flat object of fields (`topic`, `partition`, `broker`, `group`,
 * an Error under `err` …). What is logged, and how often:
 *
 * | event | level | how often |
 * |---|---|---|
 * | a broker cannot be reached, or a connection to it fails with requests waiting | warn | once per outage |
 * | the broker reachable again | info, with `outageMs` | once per outage |
 * | a broker throttles the client (`throttle_time_ms` > 0) | warn, with `throttleTimeMs` | at most once a minute per broker |
 * | joined a group generation, partitions assigned / revoked | info | once per rebalance |
 * | partitions lost (fenced, session expired) | warn | once per loss |
 * | a commit fails | warn (retriable) or error | once per failing streak |
 * | commits succeed again | info | once per streak |
 * | an `error` event with no listener | error | every such event |
 *
 * Secrets never reach a log line: callers pass names, addresses, offsets, error codes and errors
 * (whose messages never hold credentials), never option objects.
 */
import { debuglog, format } from 'node:util';
import type { TopicPartition } from './protocol/topic-partition.js';

/**
 * Fields of one log line: plain values, lists, or an Error (always under `err`, the key pino's
 * standard serializers expect).
 */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined | Error | readonly unknown[]>>;

/**
 * What kafka-stage logs to: four levels, each taking a message and optional fields. `console`
 * fits as it is (its `debug` and `info` write to stdout); a pino logger is recognised and called
 * pino's way (see {@link loggerFromPino}). A logger that throws is ignored after one note on stderr.
 * Pass `logger: false` for no logging at all.
 *
 * A KafkaJS `logCreator` can be reused with an adapter like this one (KafkaJS levels: ERROR 1,
 * WARN 2, INFO 4, DEBUG 5; its log functions get `{ namespace, level, label, log }`):
 *
 * ```ts
 * const write = myLogCreator(4); // the level the KafkaJS client was given (INFO)
 * const at = (level: number, label: string) => (message: string, fields?: LogFields) => {
 *   if (level <= 4) write({ namespace: 'kafka-stage', level, label, log: { timestamp: new Date().toISOString(), message, ...fields } });
 * };
 * const logger: Logger = { error: at(1, 'ERROR'), warn: at(2, 'WARN'), info: at(4, 'INFO'), debug: at(5, 'DEBUG') };
 * new ConsumerGroup({ brokers, groupId, topics, logger });
 * ```
 */
export interface Logger {
  /** Detail for diagnosing (a reconnect after an idle close, a commit retried in a failing streak). */
  debug(message: string, fields?: LogFields): void;
  /** Something worth knowing that needs no action (a rebalance, a connection recovered). */
  info(message: string, fields?: LogFields): void;
  /** Something that may need action or explain a delay (a broker unreachable, throttling). */
  warn(message: string, fields?: LogFields): void;
  /** A failure the application should see (an `error` event nobody listens to, a commit refused). */
  error(message: string, fields?: LogFields): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** How deep the default logger follows `cause` when it prints an error's stack. */
const MAX_CAUSES = 4;

/** Formats `fields` as ` key=value …` (errors by name, code and message). */
export function formatFields(fields: LogFields | undefined): string {
  if (!fields) return '';
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out += ` ${key}=${value instanceof Error ? quote(describeError(value)) : typeof value === 'string' ? quote(value) : format('%j', value)}`;
  }
  return out;
}

/** `Name CODE: message` of an error (the code when it has a string one, as KafkaStageError does). */
function describeError(err: Error): string {
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`;
}

function quote(text: string): string {
  return /^[\w.:/@+,\-[\]]+$/.test(text) ? text : JSON.stringify(text);
}

/**
 * The stack of every Error field and of its causes, indented under the line: an `error` nobody
 * listened to is most often a handler's bug, and where it was thrown is what its author needs.
 */
function stacks(fields: LogFields | undefined): string {
  let out = '';
  for (const value of Object.values(fields ?? {})) {
    let err: unknown = value;
    for (let depth = 0; err instanceof Error && depth <= MAX_CAUSES; depth++, err = err.cause) {
      const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
      out += `    ${depth === 0 ? '' : 'caused by '}${describeError(err)}\n`;
      for (const frame of frames) out += `    ${frame.trim()}\n`;
    }
  }
  return out;
}

/** Options of {@link createStderrLogger}. */
export interface StderrLoggerOptions {
  /** Write `debug` and `info` lines too. Default: when `NODE_DEBUG` names `kafka-stage`. */
  debug?: boolean;
  /** Where each line goes (with its newline). Default: `process.stderr`. */
  write?: (line: string) => void;
}

/**
 * The default logger: one line per call, `kafka-stage WARN message key=value …`, `warn` and
 * `error` always, `debug` and `info` when `NODE_DEBUG=kafka-stage` (or `debug: true`). An `error`
 * line is followed by the stack of its Error fields and their causes, indented.
 */
export function createStderrLogger(options: StderrLoggerOptions = {}): Logger {
  const verbose = options.debug ?? debuglog('kafka-stage').enabled;
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const line = (level: string, message: string, fields: LogFields | undefined, withStacks: boolean): void => {
    write(`kafka-stage ${level} ${message}${formatFields(fields)}\n${withStacks ? stacks(fields) : ''}`);
  };
  return {
    debug: (message, fields) => {
      if (verbose) line('DEBUG', message, fields, false);
    },
    info: (message, fields) => {
      if (verbose) line('INFO', message, fields, false);
    },
    warn: (message, fields) => line('WARN', message, fields, false),
    error: (message, fields) => line('ERROR', message, fields, true),
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

/** A logger taking `(fields, message)`, as pino and bunyan do. */
export interface FieldsFirstLogger {
  /** Logs `message` at debug level with `fields` merged into the entry. */
  debug(fields: object, message: string): void;
  /** Logs at info level. */
  info(fields: object, message: string): void;
  /** Logs at warn level. */
  warn(fields: object, message: string): void;
  /** Logs at error level. */
  error(fields: object, message: string): void;
}

/**
 * Adapts a logger whose methods take `(fields, message)` (pino, bunyan) to {@link Logger}. Given
 * `(message, fields)`, pino would take the fields for format arguments of a message without
 * placeholders and drop them. A pino logger passed as `logger` is recognised (its `levels.values`
 * and `bindings()`) and adapted without this call; use it for a wrapped pino or for bunyan.
 *
 * ```ts
 * import pino from 'pino';
 * new Producer({ brokers, logger: loggerFromPino(pino().child({ component: 'kafka' })) });
 * ```
 */
export function loggerFromPino(logger: FieldsFirstLogger): Logger {
  const at =
    (level: (typeof LEVELS)[number]) =>
    (message: string, fields?: LogFields): void => {
      logger[level]({ ...fields }, message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** True for a pino logger: its `levels.values` table and `bindings()` are pino's own. */
function isPino(logger: object): boolean {
  const candidate = logger as { levels?: { values?: unknown }; bindings?: unknown; child?: unknown };
  return typeof candidate.bindings === 'function' && typeof candidate.child === 'function' && typeof candidate.levels?.values === 'object';
}

/**
 * Resolves the `logger` option; throws TypeError naming the missing method when `option` is not a
 * logger (the callers' option checks turn it into an InvalidOptionError).
 */
export function resolveLogger(option: LoggerOption | undefined): Logger {
  if (option === undefined) return createStderrLogger();
  if (option === false) return SILENT_LOGGER;
  for (const level of LEVELS) {
    if (typeof (option as Partial<Logger>)[level] !== 'function') throw new TypeError(`logger.${level} must be a function`);
  }
  // Bound, so a logger whose methods use `this` (pino, console) keeps working when called detached.
  const bound = {
    debug: option.debug.bind(option),
    info: option.info.bind(option),
    warn: option.warn.bind(option),
    error: option.error.bind(option),
  };
  return guarded(isPino(option) ? loggerFromPino(bound as unknown as FieldsFirstLogger) : bound);
}

/**
 * The user's logger, shielded: a logger that throws must not break the client code that logged
 * (a commit, a reconnect). The failure is reported once on stderr.
 */
function guarded(logger: Logger): Logger {
  let reported = false;
  const at =
    (level: (typeof LEVELS)[number]) =>
    (message: string, fields?: LogFields): void => {
      try {
        logger[level](message, fields);
      } catch (err) {
        if (!reported) {
          reported = true;
          process.stderr.write(`kafka-stage ERROR the logger's ${level}() threw; later failures are not reported${formatFields({ err: err instanceof Error ? err : new Error(String(err)) })}\n`);
        }
      }
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Partitions as one short field: `orders:0,1,2 payments:3` (topics in first-seen order, partitions
 * sorted), so a rebalance of 64 partitions stays one readable line.
 */
export function partitionsField(partitions: readonly TopicPartition[]): string {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = byTopic.get(topic);
    if (list) list.push(partition);
    else byTopic.set(topic, [partition]);
  }
  return [...byTopic].map(([topic, list]) => `${topic}:${[...new Set(list)].sort((a, b) => a - b).join(',')}`).join(' ');
}
