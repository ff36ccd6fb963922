/**
 * Small checks shared by every role's `validate()`: each throws {@link InvalidOptionError} naming the
 * option exactly as the user spelled it, synchronously, before any I/O starts.
 */
import { InvalidOptionError } from '../errors.js';
import { nearestKey, suggestOption } from './suggest.js';

/** An integer within [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidOptionError(name, `expected an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new InvalidOptionError(name, `expected ${min} ≤ ${name} ≤ ${max}, got ${value}`);
  }
  return value;
}

/** One of a fixed set of strings. */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    // A case slip or typo ('plain', 'earliset') gets the value meant.
    const meant = typeof value === 'string' ? nearestKey(value, allowed) : undefined;
    const hint = meant === undefined ? '' : `; did you mean '${meant}'?`;
    throw new InvalidOptionError(name, `expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}${hint}`);
  }
  return value as T;
}

/** A non-empty string. */
export function checkString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(name, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** A boolean. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, `expected a boolean, got ${describe(value)}`);
  return value;
}

/** A list of `host:port` broker addresses (a comma-separated string is accepted too). */
export function checkBrokers(name: string, value: unknown): { host: string; port: number }[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidOptionError(name, `expected a non-empty list of host:port, got ${describe(value)}`);
  }
  return list.map((entry: unknown, i) => {
    if (typeof entry !== 'string') throw new InvalidOptionError(`${name}[${i}]`, `expected host:port, got ${describe(entry)}`);
    const text = entry.trim();
    const colon = text.lastIndexOf(':');
    const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = Number(text.slice(colon + 1));
    if (colon <= 0 || host.length === 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidOptionError(`${name}[${i}]`, `expected host:port, got '${text}'`);
    }
    return { host, port };
  });
}

/**
 * Rejects keys the role does not know, so a misspelt option is not silently ignored. `path` is
 * where `options` sits ('' at the top level, else e.g. `retry`): the error names `path.key` and
 * suggests the nearest known key or, for a KafkaJS option, the kafka-stage name.
 */
export function checkKnownKeys(role: string, options: object, known: readonly string[], path = ''): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const hint = suggestOption(key, known, path);
    throw new InvalidOptionError(path === '' ? key : `${path}.${key}`, `unknown ${role} option${hint === '' ? '' : `; ${hint}`} (known: ${known.join(', ')})`);
  }
}

/**
 * A nested options object (`commit`, `retry`, an admin call's options …): undefined gives `{}`,
 * anything but a plain object is an error, and unknown keys are rejected as by {@link checkKnownKeys}.
 */
export function checkOptionsObject<T extends object>(path: string, value: T | undefined, known: readonly string[], role = path): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidOptionError(path, `expected an object, got ${describe(value)}`);
  checkKnownKeys(role, value, known, path);
  return value;
}

/** A function (a subscriber, handler or callback). */
export function checkFunction<T>(name: string, value: T, expected = 'a function'): T {
  if (typeof value !== 'function') throw new InvalidOptionError(name, `expected ${expected}, got ${describe(value)}`);
  return value;
}

/** A consumer's subscriber factory: a function, or absent (the consumer's stream() is used). */
export function checkSubscriber(value: unknown): void {
  if (value !== undefined && value !== null) checkFunction('subscriber', value, 'a function (stage, context) => Promise<void>, or nothing to use stream()');
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** A legal Kafka topic name (the broker's rule: 1-249 of `a-z A-Z 0-9 . _ -`, not `.` or `..`), else InvalidOptionError naming `path`. */
export function checkTopicName(path: string, value: unknown): string {
  if (typeof value !== 'string' || !TOPIC_NAME.test(value) || value === '.' || value === '..') {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value) : describe(value);
    const why = typeof value === 'string' && value.length > 249 ? ` (${value.length} characters)` : '';
    throw new InvalidOptionError(path, `expected a topic name of 1-249 characters from [a-zA-Z0-9._-], not '.' or '..', got ${shown}${why}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}
