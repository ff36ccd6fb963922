#!/usr/bin/env node
/**
 * The `kafka-stage` command: dispatches to a subcommand from {@link COMMANDS}. Adding a command is
 * one entry there (and its file). Exit codes: 0 success, 1 failure at run time, 2 usage error.
 */
import { describeFlags, UsageError, USAGE_EXIT_CODE } from './args.js';
import type { Command, CommandIo } from './command.js';
import { consumeCommand } from './consume.js';
import { demoCommand } from './demo.js';
import { groupCommand } from './group.js';
import { produceCommand } from './produce.js';

/** Every subcommand, by name. */
export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({
  produce: produceCommand,
  consume: consumeCommand,
  group: groupCommand,
  demo: demoCommand,
});

function overview(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
  return `usage: kafka-stage <command> [flags]\n\ncommands:\n${lines.join('\n')}\n\nkafka-stage <command> --help shows a command's flags.\n`;
}

function help(name: string, command: Command): string {
  return `usage: kafka-stage ${name} ${command.usage}\n\n${command.summary}\n\nflags:\n${describeFlags(command.flags)}\n`;
}

/** Runs the CLI with `argv` (the arguments after the program name) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(overview());
    return name === undefined ? USAGE_EXIT_CODE : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.stderr.write(`kafka-stage: unknown command '${name}'\n\n${overview()}`);
    return USAGE_EXIT_CODE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(help(name, command));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`kafka-stage ${name}: ${err.message}\n${err.showHelp ? `\n${help(name, command)}` : ''}`);
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
