/** The partition assignors of classic consumer groups, by the names the Java client uses. */
import { CooperativeStickyAssignor } from './cooperative-sticky.js';
import { RangeAssignor } from './range.js';
import { RoundRobinAssignor } from './round-robin.js';
import type { Assignor, AssignorName } from './types.js';

export type { Assignor, AssignorMember, AssignorName, GroupAssignment, TopicPartition } from './types.js';
export { assignRange, RangeAssignor } from './range.js';
export { assignRoundRobin, RoundRobinAssignor } from './round-robin.js';
export {
  assignCooperativeSticky,
  CooperativeStickyAssignor,
  decodeCooperativeStickyUserData,
  encodeCooperativeStickyUserData,
  NO_GENERATION,
} from './cooperative-sticky.js';
export { assignorMemberFromJoin, type JoinedMember } from './members.js';
export { compareMembers } from './member-order.js';

/** Every assignor by name. */
export const ASSIGNORS: ReadonlyMap<AssignorName, Assignor> = new Map<AssignorName, Assignor>([
  ['range', RangeAssignor],
  ['roundrobin', RoundRobinAssignor],
  ['cooperative-sticky', CooperativeStickyAssignor],
]);

/** True when `name` is one of our assignors (e.g. the protocol a coordinator chose). */
export function isAssignorName(name: string): name is AssignorName {
  return ASSIGNORS.has(name as AssignorName);
}
