/** From JoinGroup's member list (as the leader receives it) to the members an assignor takes. */
import { decodeSubscription, flattenTopicPartitions } from '../../protocol/consumer-protocol.js';
import { decodeCooperativeStickyUserData, NO_GENERATION } from './cooperative-sticky.js';
import type { AssignorMember, AssignorName } from './types.js';

/** A member as JoinGroup's response lists it. */
export interface JoinedMember {
  memberId: string;
  groupInstanceId: string | null;
  /** The member's subscription, encoded in the consumer protocol. */
  metadata: Buffer;
}

/**
 * Decodes a joined member's subscription into an {@link AssignorMember}. The generation comes
 * from the subscription (v2+) or, for older subscriptions of the cooperative-sticky assignor,
 * from its userData, as the Java client reads it. An empty rack counts as none.
 * Throws `ProtocolError` when the metadata is not a consumer-protocol subscription.
 */
export function assignorMemberFromJoin(member: JoinedMember, assignor: AssignorName): AssignorMember {
  const subscription = decodeSubscription(member.metadata);
  let generation = subscription.generationId;
  if (subscription.version < 2) {
    generation = assignor === 'cooperative-sticky' ? decodeCooperativeStickyUserData(subscription.userData) : NO_GENERATION;
  }
  return {
    memberId: member.memberId,
    groupInstanceId: member.groupInstanceId,
    topics: subscription.topics,
    ownedPartitions: flattenTopicPartitions(subscription.ownedPartitions),
    generation,
    rackId: subscription.rackId === '' ? null : subscription.rackId,
  };
}
