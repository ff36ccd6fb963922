/** The shape of a kafka-stage command, shared by main.ts (the dispatcher) and each command file. */
import type { Readable, Writable } from 'node:stream';
import type { FlagSpec } from './args.js';

/** Where a command reads and writes: the process streams, replaceable in tests. */
export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The environment the connection settings may come from (KAFKA_BROKERS, KAFKA_SASL_PASSWORD); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One subcommand of `kafka-stage`. */
export interface Command {
  /** One line for the command list. */
  readonly summary: string;
  /** Usage line after `kafka-stage <name>`. */
  readonly usage: string;
  /** The flags it accepts (besides --help). */
  readonly flags: readonly FlagSpec[];
  /** Runs with the arguments after the command name; resolves with the exit code. Throws UsageError for a bad command line. */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}
