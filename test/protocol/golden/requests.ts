/**
 * The fixed requests of the golden captures, shared by scripts/capture-golden.ts (which sends them
 * to a real broker) and golden.test.ts (which checks we still encode them to the captured bytes).
 * Everything here is deterministic; the inputs that are not ours — the id the broker gave
 * `golden-topic`, and for group requests the member id and generation the coordinator handed out —
 * are recorded in each capture and passed back in (see {@link GoldenContext}).
 */
import { CONSUMER_PROTOCOL_TYPE, encodeAssignment, encodeSubscription } from '../../../src/protocol/consumer-protocol.js';
import {
  ApiVersions,
  CreatePartitions,
  CreateTopics,
  DeleteGroups,
  DeleteTopics,
  DescribeConfigs,
  DescribeGroups,
  Fetch,
  FindCoordinator,
  Heartbeat,
  IncrementalAlterConfigs,
  InitProducerId,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  Produce,
  SyncGroup,
  AlterConfigOperation,
  ConfigResourceType,
  CoordinatorType,
  IsolationLevel,
  NEW_MEMBER_ID,
  OffsetSpec,
} from '../../../src/protocol/apis/index.js';
import { KAFKA_ERROR_CODES } from '../../../src/protocol/error-codes.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { ZERO_UUID, type AnyApi, type RequestIn } from '../../../src/protocol/schema.js';

/** Client id of every golden request. */
export const GOLDEN_CLIENT_ID = 'kafka-stage-golden';
/** The topic the captures read and write: 3 partitions, replication factor 1. */
export const GOLDEN_TOPIC = 'golden-topic';
/** Partitions of {@link GOLDEN_TOPIC}. */
export const GOLDEN_PARTITIONS = 3;
/** Group key of the FindCoordinator captures, and the group every group API capture speaks to. */
export const GOLDEN_GROUP = 'golden-group';
/** `groupInstanceId` of the static member that JoinGroup v5+ captures join as. */
export const GOLDEN_INSTANCE_ID = 'golden-instance';
/** First JoinGroup version whose golden join is a static member's (the field exists from v5). */
export const STATIC_JOIN_FROM = 5;
/** Assignor name the golden member offers and, as the only member and leader, picks. */
export const GOLDEN_ASSIGNOR = 'range';
/**
 * Consumer protocol version of the golden subscription and assignment, pinned so that a change
 * of the library's default shows up as a deliberate re-capture, not as a silent golden drift.
 */
const GOLDEN_CONSUMER_PROTOCOL_VERSION = 3;
/** Fixed create time of the golden records (2023-11-14T22:13:20Z). */
export const GOLDEN_TIMESTAMP = 1_700_000_000_000;

/**
 * The group member a golden group request speaks for: what the coordinator handed out at capture
 * time (member id, generation) and what the member joined with (its instance id, null if dynamic).
 */
export interface GoldenMember {
  memberId: string;
  generationId: number;
  groupInstanceId: string | null;
}

/**
 * Inputs of a golden request that the broker decides. The member ids the coordinator generates
 * (`<client id>-<uuid>`) differ on every run, so no fixed request can name a live member; rather
 * than capture requests that only ever fail with UNKNOWN_MEMBER_ID, or compare raw captured bytes
 * (which would test nothing of our encoder), a capture records the member it spoke for and the
 * golden test re-builds the request from it and compares every byte. golden.test.ts checks that
 * each recorded member is one a JoinGroup capture was really given.
 */
export interface GoldenContext {
  /** Topic id of {@link GOLDEN_TOPIC} at capture time. */
  topicId: string;
  /** The member of {@link GOLDEN_GROUP} a SyncGroup, Heartbeat, OffsetCommit or LeaveGroup capture speaks for. */
  member?: GoldenMember;
}

/** Group the DeleteGroups capture asks to delete: it never exists, so the answer is GROUP_ID_NOT_FOUND. */
export const GOLDEN_MISSING_GROUP = 'golden-missing-group';

/** Topic the DeleteTopics capture of `version` deletes (created just before by the capture script). */
export function deleteTopicName(version: number): string {
  return `golden-delete-v${version}`;
}

/** Fixed correlation id of a golden request: distinct per API and version. */
export function goldenCorrelationId(api: AnyApi, version: number): number {
  return 1000 * (api.apiKey + 1) + version;
}

/** File name (without directory) of a capture: `list-offsets-v3.json`. */
export function goldenFileName(api: AnyApi, version: number): string {
  const kebab = api.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  return `${kebab}-v${version}.json`;
}

/** The record batch every golden Produce sends: two records, one with a header, uncompressed. */
export async function goldenRecordBatch(): Promise<Buffer> {
  return encodeRecordBatch({
    compression: 'none',
    baseTimestamp: GOLDEN_TIMESTAMP,
    records: [
      { key: 'k0', value: 'golden value 0', timestamp: GOLDEN_TIMESTAMP },
      { key: null, value: 'golden value 1', timestamp: GOLDEN_TIMESTAMP + 5, headers: [{ key: 'h', value: 'v' }] },
    ],
  });
}

/** Every partition of {@link GOLDEN_TOPIC}: what the golden member is assigned, commits and fetches. */
const ALL_GOLDEN_PARTITIONS = Array.from({ length: GOLDEN_PARTITIONS }, (_, p) => p);

/** The golden subscription (JoinGroup protocol metadata): golden-topic, nothing owned yet. */
export function goldenSubscription(): Buffer {
  return encodeSubscription({ topics: [GOLDEN_TOPIC], ownedPartitions: [], generationId: -1, rackId: null }, GOLDEN_CONSUMER_PROTOCOL_VERSION);
}

/** The golden assignment (SyncGroup): the only member gets every partition of golden-topic. */
export function goldenAssignment(): Buffer {
  return encodeAssignment(
    { assignedPartitions: [{ topic: GOLDEN_TOPIC, partitions: ALL_GOLDEN_PARTITIONS }], userData: null },
    GOLDEN_CONSUMER_PROTOCOL_VERSION,
  );
}

function memberOf(ctx: GoldenContext): GoldenMember {
  if (!ctx.member) throw new Error('this golden request speaks for a group member: the context must name it');
  return ctx.member;
}

type Build<A> = (version: number, ctx: GoldenContext) => RequestIn<A> | Promise<RequestIn<A>>;

function builder<A extends AnyApi>(api: A, build: Build<A>): { api: A; build: Build<A> } {
  return { api, build };
}

/** The golden request of each API, by API name. */
const BUILDERS = [
  builder(ApiVersions, () => ({ clientSoftwareName: 'kafka-stage-golden', clientSoftwareVersion: '1.0.0' })),
  builder(Metadata, () => ({
    // By name: a zero id (v10+) means "not given".
    topics: [{ name: GOLDEN_TOPIC, topicId: ZERO_UUID }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: true,
    includeTopicAuthorizedOperations: true,
  })),
  builder(Produce, async (_v, ctx) => ({
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [{ name: GOLDEN_TOPIC, topicId: ctx.topicId, partitionData: [{ index: 0, records: await goldenRecordBatch() }] }],
  })),
  builder(Fetch, (_v, ctx) => ({
    replicaId: -1,
    maxWaitMs: 100,
    minBytes: 1,
    maxBytes: 65_536,
    isolationLevel: IsolationLevel.READ_UNCOMMITTED,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: GOLDEN_TOPIC,
        topicId: ctx.topicId,
        partitions: [
          { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 512 },
          { partition: 2, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 512 },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  })),
  builder(ListOffsets, () => ({
    replicaId: -1,
    isolationLevel: IsolationLevel.READ_UNCOMMITTED,
    topics: [
      {
        name: GOLDEN_TOPIC,
        partitions: [
          { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: OffsetSpec.LATEST },
          { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: OffsetSpec.EARLIEST },
          { partitionIndex: 2, currentLeaderEpoch: -1, timestamp: BigInt(GOLDEN_TIMESTAMP) },
        ],
      },
    ],
    timeoutMs: 10_000,
  })),
  builder(FindCoordinator, () => ({ key: GOLDEN_GROUP, keyType: CoordinatorType.GROUP, coordinatorKeys: [GOLDEN_GROUP] })),
  builder(CreateTopics, () => ({
    topics: [
      {
        name: 'golden-created',
        numPartitions: 2,
        replicationFactor: 1,
        assignments: [],
        configs: [{ name: 'retention.ms', value: '3600000' }],
      },
    ],
    timeoutMs: 10_000,
    // Validation only: the capture can run again and again without leaving topics behind.
    validateOnly: true,
  })),
  builder(DeleteTopics, (version) => ({
    topics: [{ name: deleteTopicName(version), topicId: ZERO_UUID }],
    topicNames: [deleteTopicName(version)],
    timeoutMs: 10_000,
  })),
  builder(CreatePartitions, () => ({
    topics: [{ name: GOLDEN_TOPIC, count: GOLDEN_PARTITIONS + 1, assignments: null }],
    timeoutMs: 10_000,
    validateOnly: true,
  })),
  builder(IncrementalAlterConfigs, () => ({
    resources: [
      {
        resourceType: ConfigResourceType.TOPIC,
        resourceName: GOLDEN_TOPIC,
        configs: [
          { name: 'retention.ms', configOperation: AlterConfigOperation.SET, value: '3600000' },
          { name: 'segment.ms', configOperation: AlterConfigOperation.DELETE, value: null },
        ],
      },
    ],
    // Validation only: the golden topic keeps its configs, and the capture can run again.
    validateOnly: true,
  })),
  builder(DeleteGroups, () => ({ groupsNames: [GOLDEN_MISSING_GROUP] })),
  builder(InitProducerId, () => ({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })),
  builder(DescribeConfigs, () => ({
    resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: GOLDEN_TOPIC, configurationKeys: ['cleanup.policy', 'retention.ms'] }],
    includeSynonyms: true,
    includeDocumentation: true,
  })),
  // A first join: dynamic before v5 (at v4 the coordinator answers MEMBER_ID_REQUIRED), static from v5.
  builder(JoinGroup, (version) => ({
    groupId: GOLDEN_GROUP,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 10_000,
    memberId: NEW_MEMBER_ID,
    groupInstanceId: version >= STATIC_JOIN_FROM ? GOLDEN_INSTANCE_ID : null,
    protocolType: CONSUMER_PROTOCOL_TYPE,
    protocols: [{ name: GOLDEN_ASSIGNOR, metadata: goldenSubscription() }],
    reason: 'golden capture',
  })),
  builder(SyncGroup, (_v, ctx) => {
    const { memberId, generationId, groupInstanceId } = memberOf(ctx);
    return {
      groupId: GOLDEN_GROUP,
      generationId,
      memberId,
      groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: GOLDEN_ASSIGNOR,
      assignments: [{ memberId, assignment: goldenAssignment() }],
    };
  }),
  builder(Heartbeat, (_v, ctx) => {
    const { memberId, generationId, groupInstanceId } = memberOf(ctx);
    return { groupId: GOLDEN_GROUP, generationId, memberId, groupInstanceId };
  }),
  builder(OffsetCommit, (_v, ctx) => {
    const { memberId, generationId, groupInstanceId } = memberOf(ctx);
    return {
      groupId: GOLDEN_GROUP,
      generationIdOrMemberEpoch: generationId,
      memberId,
      groupInstanceId,
      retentionTimeMs: -1n,
      topics: [
        {
          name: GOLDEN_TOPIC,
          topicId: ctx.topicId,
          partitions: ALL_GOLDEN_PARTITIONS.map((p) => ({
            partitionIndex: p,
            committedOffset: BigInt(p + 1),
            committedLeaderEpoch: -1,
            committedMetadata: `golden-${p}`,
          })),
        },
      ],
    };
  }),
  builder(OffsetFetch, (_v, ctx) => ({
    groupId: GOLDEN_GROUP,
    topics: [{ name: GOLDEN_TOPIC, partitionIndexes: ALL_GOLDEN_PARTITIONS }],
    // v8+: one group of the batch; a classic group's member sends no KIP-848 member id or epoch.
    groups: [
      {
        groupId: GOLDEN_GROUP,
        memberId: null,
        memberEpoch: -1,
        topics: [{ name: GOLDEN_TOPIC, topicId: ctx.topicId, partitionIndexes: ALL_GOLDEN_PARTITIONS }],
      },
    ],
    requireStable: true,
  })),
  builder(DescribeGroups, () => ({ groups: [GOLDEN_GROUP], includeAuthorizedOperations: true })),
  builder(ListGroups, () => ({ statesFilter: ['Stable'], typesFilter: ['classic'] })),
  builder(LeaveGroup, (_v, ctx) => {
    const { memberId, groupInstanceId } = memberOf(ctx);
    return { groupId: GOLDEN_GROUP, memberId, members: [{ memberId, groupInstanceId, reason: 'golden capture done' }] };
  }),
];

/**
 * The group APIs in the order a member uses them; the capture runs this sequence once per round,
 * round N at version N of each API (clamped into the range both sides speak).
 */
export const GOLDEN_GROUP_SEQUENCE: readonly AnyApi[] = [JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, LeaveGroup];

/** True when the golden request of `api` speaks for a group member, so its capture records {@link GoldenMember}. */
export function speaksForMember(api: AnyApi): boolean {
  return api === SyncGroup || api === Heartbeat || api === OffsetCommit || api === LeaveGroup;
}

function errorCodeOf(name: string): number {
  const code = KAFKA_ERROR_CODES.get(name);
  if (code === undefined) throw new Error(`unknown Kafka error ${name}`);
  return code;
}

/**
 * The non-zero error codes the golden response of `api` at `version` carries, as
 * {@link errorCodesOf} lists them: none, except where the capture's request is answered with an
 * error by design.
 */
export function goldenExpectedErrors(api: AnyApi, version: number): string[] {
  // A dynamic member's first join at v4 only gets the member id to rejoin with.
  if (api === JoinGroup && version >= 4 && version < STATIC_JOIN_FROM) return [`.errorCode=${errorCodeOf('MEMBER_ID_REQUIRED')}`];
  // No group ever has the id the capture deletes: the point is the request's encoding and the error's place.
  if (api === DeleteGroups) return [`.results[0].errorCode=${errorCodeOf('GROUP_ID_NOT_FOUND')}`];
  return [];
}

/** Every non-zero `errorCode` (at any depth) of a decoded response, as `path=code`. */
export function errorCodesOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => errorCodesOf(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(k.endsWith('rrorCode') && v !== 0 ? [`${path}.${k}=${String(v)}`] : []),
    ...errorCodesOf(v, `${path}.${k}`),
  ]);
}

/** The golden request body of `api` at `version`. */
export async function goldenRequest(api: AnyApi, version: number, ctx: GoldenContext): Promise<unknown> {
  const entry = BUILDERS.find((b) => b.api === api);
  if (!entry) throw new Error(`no golden request for ${api.name}`);
  return (entry.build as Build<AnyApi>)(version, ctx);
}
