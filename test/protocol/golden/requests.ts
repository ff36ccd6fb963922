/**
 * The fixed requests of the golden captures, shared by scripts/capture-golden.ts (which sends them
 * to a real broker) and golden.test.ts (which checks we still encode them to the captured bytes).
 * Everything here is deterministic; the one input that is not ours, the id the broker gave
 * `golden-topic`, is recorded in each capture and passed back in.
 */
import {
  ApiVersions,
  CreatePartitions,
  CreateTopics,
  DeleteTopics,
  DescribeConfigs,
  Fetch,
  FindCoordinator,
  InitProducerId,
  ListOffsets,
  Metadata,
  Produce,
  ConfigResourceType,
  CoordinatorType,
  IsolationLevel,
  OffsetSpec,
} from '../../../src/protocol/apis/index.js';
import { encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { ZERO_UUID, type AnyApi, type RequestIn } from '../../../src/protocol/schema.js';

/** Client id of every golden request. */
export const GOLDEN_CLIENT_ID = 'kafka-stage-golden';
/** The topic the captures read and write: 3 partitions, replication factor 1. */
export const GOLDEN_TOPIC = 'golden-topic';
/** Partitions of {@link GOLDEN_TOPIC}. */
export const GOLDEN_PARTITIONS = 3;
/** Group key of the FindCoordinator captures. */
export const GOLDEN_GROUP = 'golden-group';
/** Fixed create time of the golden records (2023-11-14T22:13:20Z). */
export const GOLDEN_TIMESTAMP = 1_700_000_000_000;

/** Inputs of a golden request that the broker decides. */
export interface GoldenContext {
  /** Topic id of {@link GOLDEN_TOPIC} at capture time. */
  topicId: string;
}

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
  builder(InitProducerId, () => ({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })),
  builder(DescribeConfigs, () => ({
    resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: GOLDEN_TOPIC, configurationKeys: ['cleanup.policy', 'retention.ms'] }],
    includeSynonyms: true,
    includeDocumentation: true,
  })),
];

/** The golden request body of `api` at `version`. */
export async function goldenRequest(api: AnyApi, version: number, ctx: GoldenContext): Promise<unknown> {
  const entry = BUILDERS.find((b) => b.api === api);
  if (!entry) throw new Error(`no golden request for ${api.name}`);
  return (entry.build as Build<AnyApi>)(version, ctx);
}
