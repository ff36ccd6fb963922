/**
 * Append-only line logs of the chaos processes. Every write is synchronous so that a line is on disk
 * before the action it records goes further (a delivery is logged before it is acked), and a
 * SIGKILLed process loses nothing it claimed to have done.
 */
import { openSync, writeSync } from 'node:fs';

/** A line log opened for appending. */
export interface LineLog {
  /** Appends the lines (each without its newline) in one write. */
  write(lines: string[]): void;
}

/** Opens (creates or appends to) the line log at `path`. */
export function openLineLog(path: string): LineLog {
  const fd = openSync(path, 'a');
  return {
    write(lines: string[]): void {
      if (lines.length === 0) return;
      writeSync(fd, lines.join('\n') + '\n');
    },
  };
}
