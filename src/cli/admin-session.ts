/** Runs an admin command: resolves the connection flags, checks the cluster is reachable, and closes the client afterwards. */
import { Admin } from '../admin/admin.js';
import type { ParsedFlags } from './args.js';
import type { CommandIo } from './command.js';
import { connectionFromFlags } from './connection-flags.js';
import { reachCluster } from './reach-cluster.js';

/** Calls `run` with a connected Admin for `command` (e.g. `topics create`, for warnings); closes it whatever happens. */
export async function withAdmin<T>(flags: ParsedFlags, command: string, io: CommandIo, run: (admin: Admin) => Promise<T>): Promise<T> {
  const connection = connectionFromFlags(flags, command, io);
  await reachCluster(connection);
  const admin = new Admin({ ...connection });
  try {
    return await run(admin);
  } finally {
    await admin.close();
  }
}
