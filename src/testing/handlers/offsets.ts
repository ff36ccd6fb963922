/** OffsetCommit and OffsetFetch: a group's committed offsets, kept with the group. */
import { OffsetCommit } from '../../protocol/apis/offset-commit.js';
import { OffsetFetch } from '../../protocol/apis/offset-fetch.js';
import { ZERO_UUID } from '../../protocol/schema.js';
import type { ClassicGroup } from '../classic-group.js';
import { route, type HandlerContext } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { coordinates, findTopic } from './lookup.js';

/** OffsetCommit names topics by id from this version on. */
const COMMIT_TOPIC_ID_VERSION = 10;
/** OffsetCommit answers GROUP_ID_NOT_FOUND (not ILLEGAL_GENERATION) for a member of an unknown group from this version on. */
const COMMIT_GROUP_NOT_FOUND_VERSION = 9;
/** OffsetFetch asks for many groups from this version on. */
const FETCH_BATCHED_VERSION = 8;
/** OffsetFetch names topics by id from this version on. */
const FETCH_TOPIC_ID_VERSION = 10;

/** The key of a committed offset in {@link ClassicGroup.offsets}. */
export function offsetKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** Where a commit's offsets go, and the check each partition passes first (a consumer group's, by member epoch). */
interface CommitTarget {
  code: number;
  group?: { offsets: ClassicGroup['offsets'] };
  partitionCheck?: (topicId: string, partition: number) => number;
}

/** The error every partition of a commit gets before any is looked at, or NONE. */
function commitRequestError(context: HandlerContext, groupId: string, memberId: string, generation: number): CommitTarget {
  if (groupId === '') return { code: ErrorCode.INVALID_GROUP_ID };
  if (!coordinates(context, groupId)) return { code: ErrorCode.NOT_COORDINATOR };
  const consumer = context.state.consumerGroups.get(groupId);
  if (consumer) {
    const check = consumer.commitCheck(memberId, generation, context.version);
    return typeof check === 'number' ? { code: check, group: consumer } : { code: ErrorCode.NONE, group: consumer, partitionCheck: check };
  }
  const existing = context.state.group(groupId, false);
  if (!existing) {
    if (generation >= 0) return { code: context.version >= COMMIT_GROUP_NOT_FOUND_VERSION ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION };
    return { code: ErrorCode.NONE, group: context.state.group(groupId, true) };
  }
  return { code: existing.commitError(memberId, generation), group: existing };
}

/** The OffsetCommit handler. */
export const offsetCommitRoute = route(OffsetCommit, (request, context) => {
  const byId = context.version >= COMMIT_TOPIC_ID_VERSION;
  const injected = context.claimError(request.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex }))));
  const checked = commitRequestError(context, request.groupId, request.memberId, request.generationIdOrMemberEpoch);
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((asked) => {
      const topic = findTopic(context, asked.name, asked.topicId, byId);
      return {
        name: asked.name,
        topicId: asked.topicId,
        partitions: asked.partitions.map((p) => {
          const name = typeof topic === 'number' ? asked.name : topic.name;
          if (injected?.appliesTo(name, p.partitionIndex)) return { partitionIndex: p.partitionIndex, errorCode: injected.code };
          if (checked.code !== ErrorCode.NONE || !checked.group) return { partitionIndex: p.partitionIndex, errorCode: checked.code };
          if (typeof topic === 'number') return { partitionIndex: p.partitionIndex, errorCode: topic };
          // A partition the topic does not have is refused, as Kafka's metadata check does.
          if (!topic.partitions[p.partitionIndex]) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
          const refused = checked.partitionCheck?.(topic.id, p.partitionIndex) ?? ErrorCode.NONE;
          if (refused !== ErrorCode.NONE) return { partitionIndex: p.partitionIndex, errorCode: refused };
          checked.group.offsets.set(offsetKey(topic.name, p.partitionIndex), {
            offset: Number(p.committedOffset),
            leaderEpoch: p.committedLeaderEpoch,
            metadata: p.committedMetadata,
          });
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE };
        }),
      };
    }),
  };
});

/** One topic of an OffsetFetch answer, in the shape of the v8+ group entry. */
interface FetchedTopic {
  name: string;
  topicId: string;
  partitions: { partitionIndex: number; committedOffset: bigint; committedLeaderEpoch: number; metadata: string | null; errorCode: number }[];
}

/** One group's committed offsets for `asked` topics (null: every topic it has offsets for). */
function fetchGroup(
  context: HandlerContext,
  groupId: string,
  asked: { name: string; topicId: string; partitionIndexes: number[] }[] | null,
  member: { memberId: string | null; memberEpoch: number } = { memberId: null, memberEpoch: -1 },
): { errorCode: number; topics: FetchedTopic[] } {
  const consumer = context.state.consumerGroups.get(groupId);
  const group = consumer ?? context.state.group(groupId, false);
  const byId = context.version >= FETCH_TOPIC_ID_VERSION;
  // Topics by name, also when the request names them by id (v10+), so a fail rule for a topic finds them.
  const wanted = (asked ?? committedTopics(context, group)).map((t) => {
    const topic = findTopic(context, t.name, t.topicId, byId);
    return { ...t, topic, name: typeof topic === 'number' ? t.name : topic.name };
  });
  // An injected error for a topic (or partition) goes on its partitions; one for no topic on the group.
  const injected = context.claimError(wanted.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))));
  if (injected?.appliesTo()) return { errorCode: injected.code, topics: [] };
  if (!coordinates(context, groupId)) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
  // A consumer group's member fetches at its epoch; no member id and epoch -1 is an admin's fetch.
  const memberError = consumer?.fetchError(member.memberId, member.memberEpoch) ?? ErrorCode.NONE;
  if (memberError !== ErrorCode.NONE) return { errorCode: memberError, topics: [] };
  const topics = wanted.map(({ topic, name, ...t }) => {
    return {
      name,
      topicId: typeof topic === 'number' ? t.topicId : topic.id,
      partitions: t.partitionIndexes.map((partitionIndex) => {
        const committed = group?.offsets.get(offsetKey(name, partitionIndex));
        return {
          partitionIndex,
          committedOffset: BigInt(committed?.offset ?? -1),
          committedLeaderEpoch: committed?.leaderEpoch ?? -1,
          metadata: committed?.metadata ?? '',
          errorCode: injected?.appliesTo(name, partitionIndex) ? injected.code : byId && typeof topic === 'number' ? topic : ErrorCode.NONE,
        };
      }),
    };
  });
  return { errorCode: ErrorCode.NONE, topics };
}

/** Every topic a group has offsets for, with the partitions it has them for. */
function committedTopics(context: HandlerContext, group: { offsets: ClassicGroup['offsets'] } | undefined): { name: string; topicId: string; partitionIndexes: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const key of group?.offsets.keys() ?? []) {
    const [name, partition] = key.split('\0') as [string, string];
    byTopic.set(name, [...(byTopic.get(name) ?? []), Number(partition)]);
  }
  return [...byTopic].map(([name, partitionIndexes]) => ({ name, topicId: context.state.topics.byTopicName(name)?.id ?? ZERO_UUID, partitionIndexes }));
}

/** The OffsetFetch handler. */
export const offsetFetchRoute = route(OffsetFetch, (request, context) => {
  if (context.version >= FETCH_BATCHED_VERSION) {
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((g) => ({ groupId: g.groupId, ...fetchGroup(context, g.groupId, g.topics, g) })),
    };
  }
  const asked = request.topics?.map((t) => ({ ...t, topicId: ZERO_UUID })) ?? null;
  const { errorCode, topics } = fetchGroup(context, request.groupId, asked);
  // v1 has no top-level error: the group's error goes on every partition.
  return {
    throttleTimeMs: 0,
    errorCode,
    topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p, errorCode: p.errorCode || errorCode })) })),
  };
});
