/**
 * Test doubles for logging: a logger that keeps every call at every level (and lets a test wait
 * for an entry), and a port nothing listens on (a broker that cannot be reached).
 */
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import type { LogFields, Logger } from '../../src/logger.js';

/** One call a capturing logger received. */
export interface LogEntry {
  level: keyof Logger;
  message: string;
  fields: LogFields | undefined;
}

/** A {@link Logger} keeping its calls. */
export interface CapturingLogger extends Logger {
  /** Every call, in order. */
  readonly entries: LogEntry[];
  /** The calls of one level. */
  at(level: keyof Logger): LogEntry[];
  /** The first entry (past or future) matching `match`; rejects naming `what` after `timeoutMs`. */
  next(match: (entry: LogEntry) => boolean, what: string, timeoutMs?: number): Promise<LogEntry>;
}

/** A logger that keeps every call, at every level. */
export function captureLogger(): CapturingLogger {
  const entries: LogEntry[] = [];
  const waiters: { match: (e: LogEntry) => boolean; resolve: (e: LogEntry) => void }[] = [];
  const at = (level: keyof Logger) => (message: string, fields?: LogFields) => {
    const entry = { level, message, fields };
    entries.push(entry);
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      if (waiter?.match(entry)) {
        waiters.splice(i, 1);
        waiter.resolve(entry);
      }
    }
  };
  return {
    entries,
    at: (level) => entries.filter((e) => e.level === level),
    next: (match, what, timeoutMs = 60_000) =>
      new Promise<LogEntry>((resolve, reject) => {
        const found = entries.find(match);
        if (found) return resolve(found);
        const timer = setTimeout(() => reject(new Error(`no log entry: ${what}\n${inspect(entries)}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      }),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
}

/** A port on 127.0.0.1 nothing listens on (it was free a moment ago). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
