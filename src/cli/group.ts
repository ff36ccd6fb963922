/** `kafka-stage group list|describe|reset-offsets|delete`: consumer groups seen and changed from outside. */
import { booleanFlag, parseCommandLine, stringsFlag, UsageError, type FlagSpec } from './args.js';
import { withAdmin } from './admin-session.js';
import type { CommandIo } from './command.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE } from './connection-flags.js';
import { GROUP_DESCRIBE_FLAGS, runGroupDescribe } from './group-describe.js';
import { GROUP_RESET_OFFSETS } from './group-reset-offsets.js';
import { commandOf } from './subcommands.js';
import { table } from './table.js';

const LIST_FLAGS: readonly FlagSpec[] = [{ name: 'json', type: 'boolean', description: 'print one JSON document instead of a table' }, ...CONNECTION_FLAGS];

async function runList(argv: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseCommandLine(argv, LIST_FLAGS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const groups = await withAdmin(flags, 'group list', io, (admin) => admin.listGroups());
  if (booleanFlag(flags, 'json')) {
    io.stdout.write(`${JSON.stringify(groups)}\n`);
  } else if (groups.length > 0) {
    const rows = groups.map((g) => [g.groupId, g.state || '-', g.protocolType || '-', g.type || '-']);
    io.stdout.write(`${table(['GROUP', 'STATE', 'PROTOCOL-TYPE', 'TYPE'], rows)}\n`);
  }
  return 0;
}

const DELETE_FLAGS: readonly FlagSpec[] = [
  { name: 'group', short: 'G', type: 'string', multiple: true, valueName: 'GROUP', description: 'a group to delete (or give groups as arguments)' },
  ...CONNECTION_FLAGS,
];

/** Deletes groups and their committed offsets (as kafka-consumer-groups --delete: no confirmation; a group with members is refused). */
async function runDelete(argv: readonly string[], io: CommandIo): Promise<number> {
  const { flags, positionals } = parseCommandLine(argv, DELETE_FLAGS);
  const groups = [...new Set([...stringsFlag(flags, 'group'), ...positionals])];
  if (groups.length === 0) throw new UsageError('name at least one group (-G GROUP or as an argument)');
  await withAdmin(flags, 'group delete', io, (admin) => admin.deleteGroups(groups));
  for (const g of groups) io.stdout.write(`deleted group ${g}\n`);
  return 0;
}

/** The `group` command. */
export const groupCommand = commandOf('group', 'list (type: classic or consumer), describe (committed offsets, lag, members; --watch), reset offsets of, delete consumer groups', {
  list: { usage: `[--json] ${CONNECTION_USAGE}`, flags: LIST_FLAGS, run: runList },
  describe: { usage: `-G GROUP [--json] [--watch [--interval MS]] ${CONNECTION_USAGE}`, flags: GROUP_DESCRIBE_FLAGS, run: runGroupDescribe },
  'reset-offsets': GROUP_RESET_OFFSETS,
  delete: { usage: `GROUP... ${CONNECTION_USAGE}`, flags: DELETE_FLAGS, run: runDelete },
});
