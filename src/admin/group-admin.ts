/**
 * Changes to consumer groups from outside: deleting groups (DeleteGroups) and setting a group's
 * committed offsets (OffsetCommit as a non-member: generation -1, empty member id, as Kafka's
 * consumer-groups tool does). Both need a group without members.
 */
import type { Cluster } from '../cluster/cluster.js';
import { GroupCoordinator } from '../group/coordinator.js';
import { commitOffsetsTo, STANDALONE_COMMIT, type OffsetCommitEntry } from '../group/offsets.js';
import { DeleteGroups } from '../protocol/apis/delete-groups.js';
import { kafkaError } from '../protocol/kafka-error.js';
import { GroupNotEmptyError } from './errors.js';
import { describeGroup, findGroupCoordinator } from './groups.js';
import { settleEntities, type EntityOutcome } from './settle-entities.js';
import { ErrorCode } from '../protocol/error-codes.js';


/** States in which a group has no members, so its offsets may be changed from outside. */
const INACTIVE_STATES: ReadonlySet<string> = new Set(['Empty', 'Dead']);

/**
 * Deletes groups and their committed offsets, each at its coordinator. A group with members fails
 * with {@link GroupNotEmptyError}, an unknown one with GROUP_ID_NOT_FOUND; all failures together in
 * one AdminOperationError.
 */
export async function deleteGroups(cluster: Cluster, groupIds: string[]): Promise<void> {
  await settleEntities<string, true>(cluster, {
    operation: 'deleteGroups',
    keys: groupIds,
    nameOf: (g) => g,
    async send(pending) {
      // A failed lookup fails the attempt: the cluster's retry policy asks again.
      const byCoordinator = new Map<number, string[]>();
      const nodes = await Promise.all(pending.map((groupId) => findGroupCoordinator(cluster, groupId)));
      pending.forEach((groupId, i) => {
        const node = nodes[i] as number;
        byCoordinator.set(node, [...(byCoordinator.get(node) ?? []), groupId]);
      });
      const answers = await Promise.all(
        [...byCoordinator].map(async ([node, groups]) => {
          const response = await cluster.request(node, DeleteGroups, () => ({ groupsNames: groups }));
          return response.results
            .filter((r) => groups.includes(r.groupId))
            .map((r): EntityOutcome<string, true> => {
              if (r.errorCode === ErrorCode.NON_EMPTY_GROUP) return { key: r.groupId, error: new GroupNotEmptyError(r.groupId, 'deleteGroups', null) };
              const error = kafkaError(r.errorCode, { group: r.groupId, api: 'DeleteGroups', broker: node }, { brokerMessage: r.errorMessage });
              return error ? { key: r.groupId, error } : { key: r.groupId, value: true };
            });
        }),
      );
      return answers.flat();
    },
  });
}

/**
 * Sets a group's committed offsets, as a non-member. Refuses with {@link GroupNotEmptyError} unless
 * the group is `Empty` or `Dead` (unknown: the commit creates it); the coordinator refuses a commit
 * by a member that joins meanwhile.
 */
export async function alterGroupOffsets(cluster: Cluster, groupId: string, offsets: OffsetCommitEntry[]): Promise<void> {
  const { state } = await describeGroup(cluster, groupId);
  if (!INACTIVE_STATES.has(state)) throw new GroupNotEmptyError(groupId, 'alterGroupOffsets', state);
  const coordinator = new GroupCoordinator(cluster, groupId);
  try {
    await commitOffsetsTo(coordinator, STANDALONE_COMMIT, offsets);
  } finally {
    await coordinator.close();
  }
}
