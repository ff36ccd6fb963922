#!/usr/bin/env node
/**
 * The `kafka-stage` command: dispatches to a subcommand from {@link COMMANDS}. Adding a command is
 * one entry there (and its file). `help <command>` and `<command> --help` print a command's flags,
 * `--version` (`-V`) the package version. Exit codes: 0 success, 1 failure at run time, 2 usage error
 * (one line naming the problem, and where the flags are listed).
 */
import { readFileSync } from 'node:fs';
import { describeFlags, nearestName, UsageError, USAGE_EXIT_CODE } from './args.js';
import type { Command, CommandIo } from './command.js';
import { consumeCommand } from './consume.js';
import { demoCommand } from './demo.js';
import { groupCommand } from './group.js';
import { metadataCommand } from './metadata.js';
import { produceCommand } from './produce.js';
import { topicsCommand } from './topics.js';

/** Every subcommand, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({
  produce: produceCommand,
  consume: consumeCommand,
  group: groupCommand,
  topics: topicsCommand,
  metadata: metadataCommand,
  demo: demoCommand,
});

function overview(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
  return (
    `usage: kafka-stage <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\n` +
    "kafka-stage help <command> (or <command> --help) shows a command's flags; kafka-stage --version its version.\n"
  );
}

function help(name: string, command: Command): string {
  return `usage: kafka-stage ${name} ${command.usage}\n\n${command.summary}\n\nflags:\n${describeFlags(command.flags)}\n`;
}

/** The version of the package this file belongs to (src/cli and dist/cli both sit two levels below package.json). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}

function lookUp(name: string): Command | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

function unknownCommand(name: string, io: CommandIo): number {
  const nearest = nearestName(name, Object.keys(COMMANDS));
  io.stderr.write(`kafka-stage: unknown command '${name}'${nearest ? ` (did you mean ${nearest}?)` : ''}\nrun 'kafka-stage --help' for the commands\n`);
  return USAGE_EXIT_CODE;
}

/** `kafka-stage help [command]`: the overview, or one command's flags. */
function helpCommand(rest: readonly string[], io: CommandIo): number {
  const [name] = rest;
  if (name === undefined) {
    io.stdout.write(overview());
    return 0;
  }
  const command = lookUp(name);
  if (!command) return unknownCommand(name, io);
  io.stdout.write(help(name, command));
  return 0;
}

/** Runs the CLI with `argv` (the arguments after the program name) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(overview());
    return USAGE_EXIT_CODE;
  }
  if (name === '--help' || name === '-h' || name === 'help') return helpCommand(rest, io);
  if (name === '--version' || name === '-V') {
    io.stdout.write(`kafka-stage ${packageVersion()}\n`);
    return 0;
  }
  const command = lookUp(name);
  if (!command) return unknownCommand(name, io);
  // Only before a `--` terminator: after it `--help` is an argument like any other.
  const flagsPart = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flagsPart.includes('--help') || flagsPart.includes('-h')) {
    io.stdout.write(help(name, command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      // One line and where to look, not the whole flag list (it would push the message off screen).
      io.stderr.write(`kafka-stage ${name}: ${err.message}\n${err.showHelp ? `run 'kafka-stage help ${name}' for the flags\n` : ''}`);
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`kafka-stage ${name}: ${message}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2), {
  // A getter: opening stdin only when a command reads it keeps it from holding the process open.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit once stdout has drained (the summary line must not be cut when piped), whatever handles remain.
process.stdout.write('', () => process.exit(code));
