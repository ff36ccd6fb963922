/** Options of the admin client: the cluster options plus the admin's own, with one frozen defaults object and one validate. */
import { CLUSTER_OPTION_KEYS, clusterOptionsOf, resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from '../cluster/options.js';
import { checkInteger, checkKnownKeys } from '../options/validate.js';
import { InvalidOptionError } from '../errors.js';

/** Options of {@link Admin}. */
export interface AdminOptions extends ClusterOptions {
  /**
   * Time an operation may take on the broker and in waiting for its effect (topic creation, new
   * partitions getting leaders), ms. Per-call `timeoutMs` overrides it. Default 60_000
   * (Java `default.api.timeout.ms`).
   */
  operationTimeoutMs?: number;
}

/** Admin options after defaults and validation. */
export interface ResolvedAdminOptions {
  /** The cluster part, resolved once: the admin's Cluster is built from it. */
  cluster: ResolvedClusterOptions;
  operationTimeoutMs: number;
}

/** Defaults of the admin's own options. */
export const ADMIN_DEFAULTS = Object.freeze({
  operationTimeoutMs: 60_000,
});

const ADMIN_OPTION_KEYS = [...CLUSTER_OPTION_KEYS, 'operationTimeoutMs'] as const;

/** Applies defaults and validates; throws InvalidOptionError naming the first bad option. */
export function resolveAdminOptions(options: AdminOptions): ResolvedAdminOptions {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'expected an object');
  checkKnownKeys('admin', options, ADMIN_OPTION_KEYS);
  return {
    cluster: resolveClusterOptions(clusterOptionsOf(options)),
    operationTimeoutMs: checkInteger('operationTimeoutMs', options.operationTimeoutMs ?? ADMIN_DEFAULTS.operationTimeoutMs, 1, 3_600_000),
  };
}
