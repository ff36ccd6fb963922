/** `kafka-stage group <subcommand>`: consumer groups seen from outside. One subcommand today: `describe`. */
import { UsageError } from './args.js';
import type { Command, CommandIo } from './command.js';
import { CONNECTION_USAGE } from './connection-flags.js';
import { GROUP_DESCRIBE_FLAGS, runGroupDescribe } from './group-describe.js';

const SUBCOMMANDS: Readonly<Record<string, (argv: readonly string[], io: CommandIo) => Promise<number>>> = Object.freeze({
  describe: runGroupDescribe,
});

async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  const known = Object.keys(SUBCOMMANDS).join(', ');
  if (name === undefined) throw new UsageError(`needs a subcommand (${known})`);
  const sub = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!sub) throw new UsageError(`unknown subcommand '${name}' (known: ${known})`);
  return sub(rest, io);
}

/** The `group` command. */
export const groupCommand: Command = {
  summary: "describe a consumer group: committed offset, log-end offset and lag per partition",
  usage: `describe --group G ${CONNECTION_USAGE} [--json]`,
  flags: GROUP_DESCRIBE_FLAGS,
  run,
};
