/**
 * Captures golden request/response bytes from a real broker: for every API and version we speak
 * that the broker also supports, sends the fixed request of test/protocol/golden/requests.ts and
 * writes `{api, apiKey, version, correlationId, clientId, topicId, [member], request, response}`
 * (hex; the response frame with its size prefix, exactly as read from the socket) to
 * test/protocol/golden/<api>-v<version>.json, plus broker-api-versions.json with the broker's ranges.
 *
 * Usage: KAFKA_BROKERS=127.0.0.1:19092 node --import tsx scripts/capture-golden.ts [API name...]
 * With API names (e.g. `JoinGroup Fetch`) only those are re-captured and the other files are left
 * alone: a re-capture changes response bytes (offsets, throttle times, member ids), so capture
 * only what changed. The group APIs are one sequence and are always captured together.
 *
 * Set-up it does first (idempotent): creates `golden-topic` (3 partitions) and one
 * `golden-delete-v<N>` topic per DeleteTopics version, waits for their leaders and for the group
 * coordinator. The group APIs then go to the coordinator of `golden-group` (FindCoordinator), in
 * rounds: round N runs a member's whole life — JoinGroup, SyncGroup, Heartbeat, OffsetCommit,
 * OffsetFetch, DescribeGroups, ListGroups, LeaveGroup — at version N of each API (clamped into the
 * range both sides speak), capturing each version the first time a round reaches it and sending
 * the rest with the set-up client id. Plain node:net, our own encodeRequest/decodeResponse: no
 * client library involved.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ALL_APIS, ApiVersions, CreateTopics, DescribeGroups, FindCoordinator, JoinGroup, LeaveGroup, Metadata } from '../src/protocol/apis/index.js';
import { errorNameOf } from '../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../src/protocol/frame.js';
import { ZERO_UUID, type AnyApi, type ApiDefinition, type ResponseOut } from '../src/protocol/schema.js';
import {
  deleteTopicName,
  errorCodesOf,
  GOLDEN_CLIENT_ID,
  GOLDEN_GROUP,
  GOLDEN_GROUP_SEQUENCE,
  GOLDEN_INSTANCE_ID,
  GOLDEN_PARTITIONS,
  GOLDEN_TOPIC,
  goldenCorrelationId,
  goldenExpectedErrors,
  goldenFileName,
  goldenRequest,
  speaksForMember,
  STATIC_JOIN_FROM,
  type GoldenContext,
  type GoldenMember,
} from '../test/protocol/golden/requests.js';

const OUT_DIR = join(new URL('..', import.meta.url).pathname, 'test/protocol/golden');
const SETUP_CLIENT_ID = 'kafka-stage-golden-setup';
const WAIT_MS = 30_000;

/** Captures of the other APIs run in this order: set-up effects first (produce before fetch), deletions last. */
const CAPTURE_ORDER = [
  'ApiVersions',
  'Metadata',
  'CreateTopics',
  'CreatePartitions',
  'DescribeConfigs',
  'IncrementalAlterConfigs',
  'InitProducerId',
  'FindCoordinator',
  'Produce',
  'Fetch',
  'ListOffsets',
  'DeleteTopics',
  'DeleteGroups',
];

/** One socket, one request at a time: enough for a capture, and the bytes are exactly the wire's. */
class RawConnection {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | null = null;
  private failed: ((err: Error) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    socket.on('error', (err) => this.failed?.(err));
    socket.on('close', () => this.failed?.(new Error('connection closed by the broker')));
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private deliver(): void {
    if (this.buffered.length < 4) return;
    const size = this.buffered.readInt32BE(0);
    if (this.buffered.length < 4 + size) return;
    const frame = this.buffered.subarray(0, 4 + size);
    this.buffered = this.buffered.subarray(4 + size);
    const waiting = this.waiting;
    this.waiting = null;
    this.failed = null;
    waiting?.(Buffer.from(frame));
  }

  /** Sends a whole request frame and resolves with the whole response frame, size prefix included. */
  exchange(request: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response within 30 s')), WAIT_MS);
      this.waiting = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.failed = (err) => {
        clearTimeout(timer);
        reject(err);
      };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.end();
  }
}

let setupCorrelationId = 1;

async function call<A extends AnyApi>(conn: RawConnection, api: A, version: number, body: unknown): Promise<ResponseOut<A>> {
  const correlationId = setupCorrelationId++;
  const frame = await conn.exchange(
    encodeRequest(api as ApiDefinition<unknown, unknown, unknown, never>, version, correlationId, SETUP_CLIENT_ID, body),
  );
  return decodeResponse(api, version, frame.subarray(4));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until<T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

type Ranges = Map<number, { minVersion: number; maxVersion: number }>;

function versionsOf(api: AnyApi): number[] {
  return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
}

function overlap(api: AnyApi, ranges: Ranges): number[] {
  const theirs = ranges.get(api.apiKey);
  if (!theirs) return [];
  const versions: number[] = [];
  for (let v = Math.max(api.minVersion, theirs.minVersion); v <= Math.min(api.maxVersion, theirs.maxVersion); v++) versions.push(v);
  return versions;
}

async function setUp(conn: RawConnection, ranges: Ranges): Promise<GoldenContext> {
  const createVersion = Math.max(...overlap(CreateTopics, ranges));
  const deleteVersions = overlap(ALL_APIS.find((a) => a.name === 'DeleteTopics') as AnyApi, ranges);
  const topics = [
    // The golden records carry a fixed 2023 timestamp: under time retention the broker deletes them
    // within minutes and a later Fetch from offset 0 is out of range. Kept forever instead.
    { name: GOLDEN_TOPIC, numPartitions: GOLDEN_PARTITIONS, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '-1' }] },
    ...deleteVersions.map((v) => ({ name: deleteTopicName(v), numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })),
  ];
  // A topic deleted by an earlier run may still be going away: retry until every create settles.
  await until('topic creation', async () => {
    const res = await call(conn, CreateTopics, createVersion, { topics, timeoutMs: 10_000, validateOnly: false });
    const pending = res.topics.filter((t) => t.errorCode !== 0 && errorNameOf(t.errorCode) !== 'TOPIC_ALREADY_EXISTS');
    for (const t of pending) console.error(`  create ${t.name}: ${errorNameOf(t.errorCode)} ${t.errorMessage ?? ''}`);
    return pending.length === 0 ? true : undefined;
  });

  const metadataVersion = Math.max(...overlap(Metadata, ranges));
  const topicId = await until('leaders of the golden topics', async () => {
    const res = await call(conn, Metadata, metadataVersion, {
      topics: topics.map((t) => ({ name: t.name, topicId: ZERO_UUID })),
      allowAutoTopicCreation: false,
    });
    const ready = res.topics.every((t) => t.errorCode === 0 && t.partitions.length > 0 && t.partitions.every((p) => p.leaderId >= 0));
    const golden = res.topics.find((t) => t.name === GOLDEN_TOPIC);
    return ready && golden && golden.topicId !== ZERO_UUID ? golden.topicId : undefined;
  });

  const findVersion = Math.max(...overlap(FindCoordinator, ranges));
  await until('the group coordinator', async () => {
    const res = await call(conn, FindCoordinator, findVersion, { keyType: 0, coordinatorKeys: [GOLDEN_GROUP] });
    return res.coordinators.every((c) => c.errorCode === 0) ? true : undefined;
  });
  return { topicId };
}

/** The version round `round` uses: the round number, clamped into the range both sides speak. */
function versionInRound(api: AnyApi, ranges: Ranges, round: number): number {
  const versions = overlap(api, ranges);
  const [lowest] = versions;
  if (lowest === undefined) throw new Error(`the broker speaks no version of ${api.name} that we speak`);
  return Math.min(Math.max(round, lowest), lowest + versions.length - 1);
}

/** Fails unless the decoded response carries exactly the errors its golden request is meant to get. */
function checkErrors(api: AnyApi, version: number, decoded: unknown, expected: string[]): void {
  const got = errorCodesOf(decoded);
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    const names = got.map((e) => `${e} (${errorNameOf(Number(e.slice(e.lastIndexOf('=') + 1)))})`);
    throw new Error(`${api.name} v${version}: expected errors [${expected.join(', ')}], got [${names.join(', ')}]`);
  }
}

/** Sends the golden request of `api` at `version` and saves the exchange; resolves with the decoded response. */
async function capture<A extends AnyApi>(conn: RawConnection, api: A, version: number, ctx: GoldenContext): Promise<ResponseOut<A>> {
  const correlationId = goldenCorrelationId(api, version);
  const body = await goldenRequest(api, version, ctx);
  const request = encodeRequest(api as ApiDefinition<unknown, unknown, unknown, never>, version, correlationId, GOLDEN_CLIENT_ID, body);
  const response = await conn.exchange(request);
  if (response.readInt32BE(4) !== correlationId) throw new Error(`${api.name} v${version}: correlation id mismatch`);
  // Decoding proves the capture is readable before it is saved.
  const decoded = decodeResponse(api, version, response.subarray(4));
  checkErrors(api, version, decoded, goldenExpectedErrors(api, version));
  const file = goldenFileName(api, version);
  const record = {
    api: api.name,
    apiKey: api.apiKey,
    version,
    correlationId,
    clientId: GOLDEN_CLIENT_ID,
    topicId: ctx.topicId,
    ...(speaksForMember(api) ? { member: ctx.member } : {}),
    request: request.toString('hex'),
    response: response.toString('hex'),
  };
  writeFileSync(join(OUT_DIR, file), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`captured ${file} (${request.length} B request, ${response.length} B response)`);
  return decoded;
}

/** Finds the coordinator of the golden group and connects to it: group requests go nowhere else. */
async function coordinatorOfGoldenGroup(bootstrap: RawConnection, ranges: Ranges): Promise<RawConnection> {
  const version = Math.max(...overlap(FindCoordinator, ranges));
  const found = await call(bootstrap, FindCoordinator, version, { key: GOLDEN_GROUP, keyType: 0, coordinatorKeys: [GOLDEN_GROUP] });
  const coordinator = version >= 4 ? found.coordinators[0] : found;
  if (!coordinator || coordinator.errorCode !== 0) throw new Error(`FindCoordinator v${version} for ${GOLDEN_GROUP} failed`);
  console.log(`group coordinator of ${GOLDEN_GROUP}: node ${coordinator.nodeId} at ${coordinator.host}:${coordinator.port}`);
  return RawConnection.open(coordinator.host, coordinator.port);
}

/** Removes members an interrupted earlier run left behind, so that round 0 starts with an empty group. */
async function emptyGoldenGroup(conn: RawConnection, ranges: Ranges): Promise<void> {
  const described = await call(conn, DescribeGroups, Math.max(...overlap(DescribeGroups, ranges)), {
    groups: [GOLDEN_GROUP],
    includeAuthorizedOperations: false,
  });
  const members = described.groups.flatMap((g) => g.members);
  if (members.length === 0) return;
  const version = Math.max(...overlap(LeaveGroup, ranges));
  const left = await call(conn, LeaveGroup, version, {
    groupId: GOLDEN_GROUP,
    members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: 'golden capture clean-up' })),
  });
  checkErrors(LeaveGroup, version, left, []);
  console.log(`removed ${members.length} member(s) left in ${GOLDEN_GROUP} by an earlier run`);
}

/**
 * One member's life in the golden group at the versions of `round`. The golden JoinGroup is a
 * first join; when it only yields a member id (MEMBER_ID_REQUIRED, dynamic members at v4+), the
 * member rejoins with it — a set-up request, as its bytes name an id the broker made up.
 */
async function groupRound(conn: RawConnection, ranges: Ranges, round: number, topicId: string, toCapture: Set<string>): Promise<void> {
  const step = async <A extends AnyApi>(api: A, ctx: GoldenContext): Promise<ResponseOut<A>> => {
    const version = versionInRound(api, ranges, round);
    if (toCapture.delete(goldenFileName(api, version))) return capture(conn, api, version, ctx);
    const response = await call(conn, api, version, await goldenRequest(api, version, ctx));
    checkErrors(api, version, response, goldenExpectedErrors(api, version));
    return response;
  };

  const joinVersion = versionInRound(JoinGroup, ranges, round);
  let joined = await step(JoinGroup, { topicId });
  if (joined.errorCode !== 0) {
    const rejoin = { ...((await goldenRequest(JoinGroup, joinVersion, { topicId })) as Record<string, unknown>), memberId: joined.memberId };
    joined = await call(conn, JoinGroup, joinVersion, rejoin);
    checkErrors(JoinGroup, joinVersion, joined, []);
  }
  if (joined.leader !== joined.memberId) throw new Error(`round ${round}: the only member does not lead the golden group`);
  const member: GoldenMember = {
    memberId: joined.memberId,
    generationId: joined.generationId,
    groupInstanceId: joinVersion >= STATIC_JOIN_FROM ? GOLDEN_INSTANCE_ID : null,
  };
  for (const api of GOLDEN_GROUP_SEQUENCE) {
    if (api !== JoinGroup) await step(api, speaksForMember(api) ? { topicId, member } : { topicId });
  }
}

/** Every version of every group API both sides speak, captured over as many rounds as the highest needs. */
async function captureGroupApis(bootstrap: RawConnection, ranges: Ranges, topicId: string): Promise<void> {
  const toCapture = new Set(GOLDEN_GROUP_SEQUENCE.flatMap((api) => overlap(api, ranges).map((v) => goldenFileName(api, v))));
  const rounds = Math.max(...GOLDEN_GROUP_SEQUENCE.flatMap((api) => overlap(api, ranges)));
  const conn = await coordinatorOfGoldenGroup(bootstrap, ranges);
  try {
    await emptyGoldenGroup(conn, ranges);
    for (let round = 0; round <= rounds; round++) await groupRound(conn, ranges, round, topicId, toCapture);
  } finally {
    conn.close();
  }
  if (toCapture.size > 0) throw new Error(`never captured: ${[...toCapture].join(', ')}`);
  for (const api of GOLDEN_GROUP_SEQUENCE) {
    const spoken = overlap(api, ranges);
    const refused = versionsOf(api).filter((v) => !spoken.includes(v));
    if (refused.length > 0) console.log(`${api.name}: the broker does not support v${refused.join(', v')} (not captured)`);
  }
}

/** The APIs named on the command line (all when none is named); naming any group API names them all. */
function selectedApis(names: string[]): Set<AnyApi> {
  if (names.length === 0) return new Set(ALL_APIS);
  const selected = new Set<AnyApi>();
  for (const name of names) {
    const api = ALL_APIS.find((a) => a.name === name);
    if (!api) throw new Error(`unknown API ${name}; known: ${ALL_APIS.map((a) => a.name).join(', ')}`);
    for (const one of GOLDEN_GROUP_SEQUENCE.includes(api) ? GOLDEN_GROUP_SEQUENCE : [api]) selected.add(one);
  }
  return selected;
}

async function main(): Promise<void> {
  const selected = selectedApis(process.argv.slice(2));
  const [first] = (process.env.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!first) throw new Error('set KAFKA_BROKERS, e.g. KAFKA_BROKERS=127.0.0.1:19092');
  const [host, port] = [first.slice(0, first.lastIndexOf(':')), Number(first.slice(first.lastIndexOf(':') + 1))];
  const conn = await RawConnection.open(host, port);
  try {
    const versions = await call(conn, ApiVersions, 3, {});
    if (versions.errorCode !== 0) throw new Error(`ApiVersions failed: ${errorNameOf(versions.errorCode)}`);
    const ranges: Ranges = new Map(versions.apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]));
    const ctx = await setUp(conn, ranges);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(
      join(OUT_DIR, 'broker-api-versions.json'),
      `${JSON.stringify(
        {
          note: 'ApiVersions ranges of the broker the goldens were captured from (only the APIs we speak)',
          apis: Object.fromEntries(ALL_APIS.map((api) => [api.name, ranges.get(api.apiKey) ?? null])),
        },
        null,
        2,
      )}\n`,
    );

    const apis = ALL_APIS.filter((api) => selected.has(api) && !GOLDEN_GROUP_SEQUENCE.includes(api)).sort(
      (a, b) => CAPTURE_ORDER.indexOf(a.name) - CAPTURE_ORDER.indexOf(b.name),
    );
    for (const api of apis) {
      const spoken = overlap(api, ranges);
      const refused = versionsOf(api).filter((v) => !spoken.includes(v));
      for (const version of spoken) await capture(conn, api, version, ctx);
      if (refused.length > 0) console.log(`${api.name}: the broker does not support v${refused.join(', v')} (not captured)`);
    }
    if (GOLDEN_GROUP_SEQUENCE.some((api) => selected.has(api))) await captureGroupApis(conn, ranges, ctx.topicId);
  } finally {
    conn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
