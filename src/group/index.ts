/** Classic consumer groups: membership, the coordinator, committed offsets, assignors and the consumer protocol. */
export { GroupMembership } from './membership.js';
export type {
  GroupMembershipOptions,
  MembershipEvents,
  MembershipJoined,
  MembershipStopOptions,
} from './membership-contracts.js';
export type { MembershipPhase } from './membership-state.js';
export { GroupCoordinator, type CoordinatorNode } from './coordinator.js';
export {
  commitOffsetsTo,
  fetchCommittedOffsetsFrom,
  GroupOffsets,
  offsetKey,
  STANDALONE_COMMIT,
  type CommitIdentity,
  type CommittedOffset,
  type FetchCommittedOptions,
  type OffsetCommitEntry,
} from './offsets.js';
export {
  isFencingError,
  isRebalanceInProgressError,
  OffsetCommitError,
  OffsetFetchError,
  PartitionNotOwnedError,
  PartitionOffsetsError,
  type PartitionFailure,
} from './errors.js';
export { ASSIGNORS, type Assignor, type AssignorName } from './assignors/index.js';
