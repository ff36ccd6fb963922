/**
 * alterConfigs: IncrementalAlterConfigs (KIP-339) — each listed entry is set, deleted (back to its
 * default), appended to or subtracted from; entries not listed keep their values. Topic changes go
 * to any broker (in KRaft forwarded to the controller), a broker's to that broker.
 */
import type { Cluster, RequestTarget } from '../cluster/cluster.js';
import { AlterConfigOperation, IncrementalAlterConfigs } from '../protocol/apis/incremental-alter-configs.js';
import { InvalidOptionError } from '../errors.js';
import { checkOneOf } from '../options/validate.js';
import { askResources, RESOURCE_TYPE, settleConfigResources } from './configs.js';
import { checkConfigResources, checkList, type ConfigResourceType } from './requests.js';
import type { EntityOutcome } from './settle-entities.js';


/** What to do with one config entry (Java `AlterConfigOp.OpType`). */
export type AlterConfigOpType = 'set' | 'delete' | 'append' | 'subtract';

/** One change of a config entry. */
export interface AlterConfigOp {
  /** The config's name, e.g. `retention.ms`. */
  name: string;
  op: AlterConfigOpType;
  /** The value to set, append or subtract; none for `delete`. List configs take comma-separated items. */
  value?: string;
}

/** The changes to one resource's configs. */
export interface AlterConfigsResource {
  type: ConfigResourceType;
  /** Topic name, or the broker's node id as a string. */
  name: string;
  ops: AlterConfigOp[];
}

/** Options of `alterConfigs`. */
export interface AlterConfigsOptions {
  /** Check the changes without applying them. Default false. */
  validateOnly?: boolean;
}

const OPERATION_CODES: Readonly<Record<AlterConfigOpType, number>> = Object.freeze({
  set: AlterConfigOperation.SET,
  delete: AlterConfigOperation.DELETE,
  append: AlterConfigOperation.APPEND,
  subtract: AlterConfigOperation.SUBTRACT,
});

/** Validates `alterConfigs` input: resources as `describeConfigs` takes them, each with at least one op on a distinct config. */
export function checkAlterConfigsResources(items: unknown): AlterConfigsResource[] {
  const list = checkConfigResources(items) as unknown as AlterConfigsResource[];
  list.forEach((r, i) => {
    const ops = checkList<AlterConfigOp>(`resources[${i}].ops`, r.ops, (o) => String((o as AlterConfigOp | null)?.name));
    ops.forEach((o, j) => {
      const at = `resources[${i}].ops[${j}]`;
      if (o === null || typeof o !== 'object') throw new InvalidOptionError(at, 'expected { name, op, value? }');
      if (typeof o.name !== 'string' || o.name.length === 0) throw new InvalidOptionError(`${at}.name`, 'expected a config name');
      checkOneOf(`${at}.op`, o.op, ['set', 'delete', 'append', 'subtract'] as const);
      if (o.op === 'delete') {
        if (o.value !== undefined) throw new InvalidOptionError(`${at}.value`, 'a delete takes no value');
      } else if (typeof o.value !== 'string') {
        throw new InvalidOptionError(`${at}.value`, `expected a string value for op '${o.op}'`);
      }
    });
  });
  return list;
}

/** Applies the changes; throws one AdminOperationError naming every resource that failed. */
export async function alterConfigs(cluster: Cluster, resources: AlterConfigsResource[], options: { validateOnly: boolean }): Promise<void> {
  await settleConfigResources<AlterConfigsResource, true>(cluster, 'alterConfigs', 'IncrementalAlterConfigs', resources, (target, group) =>
    ask(cluster, target, group, options.validateOnly),
  );
}

function ask(cluster: Cluster, target: RequestTarget, group: AlterConfigsResource[], validateOnly: boolean): Promise<EntityOutcome<AlterConfigsResource, true>[]> {
  return askResources(
    group,
    'IncrementalAlterConfigs',
    (r) => r.responses,
    () =>
      cluster.request(target, IncrementalAlterConfigs, () => ({
        resources: group.map((r) => ({
          resourceType: RESOURCE_TYPE[r.type],
          resourceName: r.name,
          configs: r.ops.map((o) => ({ name: o.name, configOperation: OPERATION_CODES[o.op], value: o.op === 'delete' ? null : (o.value ?? null) })),
        })),
        validateOnly,
      })),
    () => true as const,
  );
}
