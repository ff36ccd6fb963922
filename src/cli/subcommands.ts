/**
 * Commands made of subcommands (`topics list`, `group reset-offsets`): one {@link Command} whose run
 * dispatches on its first argument, whose usage lists every subcommand, and whose flag list (for
 * `--help`) is the union of theirs.
 */
import { nearestKey } from '../options/suggest.js';
import { UsageError, type FlagSpec } from './args.js';
import type { Command, CommandIo } from './command.js';

/** One subcommand. */
export interface Subcommand {
  /** Usage after `kafka-stage <command> <subcommand>`. */
  readonly usage: string;
  /** Its flags (those of the connection included). */
  readonly flags: readonly FlagSpec[];
  /** Runs with the arguments after the subcommand's name. */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}

/** A command dispatching to `subcommands` by name. */
export function commandOf(name: string, summary: string, subcommands: Readonly<Record<string, Subcommand>>): Command {
  const names = Object.keys(subcommands);
  const flags = new Map<string, FlagSpec>();
  for (const sub of Object.values(subcommands)) for (const f of sub.flags) if (!flags.has(f.name)) flags.set(f.name, f);
  // Flags every subcommand has (the connection's) after the ones that tell the subcommands apart.
  const shared = (f: FlagSpec) => Object.values(subcommands).every((sub) => sub.flags.some((g) => g.name === f.name));
  const listed = [...flags.values()].sort((a, b) => Number(shared(a)) - Number(shared(b)));
  return {
    summary,
    usage: names.map((n, i) => `${i === 0 ? '' : `       kafka-stage ${name} `}${n} ${(subcommands[n] as Subcommand).usage}`).join('\n'),
    flags: listed,
    async run(argv: readonly string[], io: CommandIo): Promise<number> {
      const [sub, ...rest] = argv;
      if (sub === undefined) throw new UsageError(`needs a subcommand (${names.join(', ')})`);
      const found = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
      if (!found) {
        const nearest = nearestKey(sub, names);
        throw new UsageError(`unknown subcommand '${sub}'${nearest ? ` (did you mean ${nearest}?)` : ''} (known: ${names.join(', ')})`);
      }
      return found.run(rest, io);
    },
  };
}
