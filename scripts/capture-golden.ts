/**
 * Captures golden request/response bytes from a real broker: for every API and version we speak
 * that the broker also supports, sends the fixed request of test/protocol/golden/requests.ts and
 * writes `{api, apiKey, version, correlationId, clientId, topicId, request, response}` (hex; the
 * response frame with its size prefix, exactly as read from the socket) to
 * test/protocol/golden/<api>-v<version>.json, plus broker-api-versions.json with the broker's ranges.
 *
 * Usage: KAFKA_BROKERS=127.0.0.1:19092 node --import tsx scripts/capture-golden.ts
 *
 * Set-up it does first (idempotent): creates `golden-topic` (3 partitions) and one
 * `golden-delete-v<N>` topic per DeleteTopics version, waits for their leaders and for the group
 * coordinator. Plain node:net, our own encodeRequest/decodeResponse: no client library involved.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { ALL_APIS, ApiVersions, CreateTopics, FindCoordinator, Metadata } from '../src/protocol/apis/index.js';
import { errorNameOf } from '../src/protocol/error-codes.js';
import { decodeResponse, encodeRequest } from '../src/protocol/frame.js';
import { ZERO_UUID, type AnyApi, type ApiDefinition, type ResponseOut } from '../src/protocol/schema.js';
import {
  deleteTopicName,
  GOLDEN_CLIENT_ID,
  GOLDEN_GROUP,
  GOLDEN_PARTITIONS,
  GOLDEN_TOPIC,
  goldenCorrelationId,
  goldenFileName,
  goldenRequest,
  type GoldenContext,
} from '../test/protocol/golden/requests.js';

const OUT_DIR = join(new URL('..', import.meta.url).pathname, 'test/protocol/golden');
const SETUP_CLIENT_ID = 'kafka-stage-golden-setup';
const WAIT_MS = 30_000;

/** Captures run in this order: set-up effects first (produce before fetch), deletions last. */
const CAPTURE_ORDER = [
  'ApiVersions',
  'Metadata',
  'CreateTopics',
  'CreatePartitions',
  'DescribeConfigs',
  'InitProducerId',
  'FindCoordinator',
  'Produce',
  'Fetch',
  'ListOffsets',
  'DeleteTopics',
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
    { name: GOLDEN_TOPIC, numPartitions: GOLDEN_PARTITIONS, replicationFactor: 1, assignments: [], configs: [] },
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

async function main(): Promise<void> {
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

    const apis = [...ALL_APIS].sort((a, b) => CAPTURE_ORDER.indexOf(a.name) - CAPTURE_ORDER.indexOf(b.name));
    for (const api of apis) {
      const spoken = overlap(api, ranges);
      const refused: number[] = [];
      for (let v = api.minVersion; v <= api.maxVersion; v++) if (!spoken.includes(v)) refused.push(v);
      for (const version of spoken) {
        const correlationId = goldenCorrelationId(api, version);
        const body = await goldenRequest(api, version, ctx);
        const request = encodeRequest(api as ApiDefinition<unknown, unknown, unknown, never>, version, correlationId, GOLDEN_CLIENT_ID, body);
        const response = await conn.exchange(request);
        if (response.readInt32BE(4) !== correlationId) throw new Error(`${api.name} v${version}: correlation id mismatch`);
        // Decoding proves the capture is readable before it is saved.
        decodeResponse(api, version, response.subarray(4));
        const file = goldenFileName(api, version);
        const record = {
          api: api.name,
          apiKey: api.apiKey,
          version,
          correlationId,
          clientId: GOLDEN_CLIENT_ID,
          topicId: ctx.topicId,
          request: request.toString('hex'),
          response: response.toString('hex'),
        };
        writeFileSync(join(OUT_DIR, file), `${JSON.stringify(record, null, 2)}\n`);
        console.log(`captured ${file} (${request.length} B request, ${response.length} B response)`);
      }
      if (refused.length > 0) console.log(`${api.name}: the broker does not support v${refused.join(', v')} (not captured)`);
    }
  } finally {
    conn.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
