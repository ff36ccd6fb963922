/**
 * The answer handler keeps a partition within its buffer's byte bound plus one batch (fetch-answer.ts,
 * `cutToRoom`), whatever growth the Fetch was sized with: the real AnswerHandler and decoder, on
 * batches our encoder wrote, with a host that records what the scheduler would be told.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveClusterOptions } from '../../src/cluster/options.js';
import { ReportLimiter } from '../../src/cluster/report-limiter.js';
import { AnswerHandler, type AnswerHost } from '../../src/consumer/fetch-answer.js';
import type { FetchResponsePartition } from '../../src/consumer/fetch-request.js';
import { newTargetState, type BrokerState, type SentFetch, type SentPart } from '../../src/consumer/fetch-state.js';
import type { FetchTarget } from '../../src/consumer/fetch-target.js';
import { encodeRecordBatch } from '../../src/protocol/records/encode-batch.js';
import type { RecordBatch } from '../../src/protocol/records/types.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';

const BOUND = 128 * 1024;
const BATCHES = 8;

/** Eight batches of 10 records × 1000 B, offsets 0-79, as one partition's answer. */
async function answerBytes(): Promise<Buffer> {
  const batches = await Promise.all(
    Array.from({ length: BATCHES }, (_, b) =>
      encodeRecordBatch({ records: Array.from({ length: 10 }, () => ({ value: Buffer.alloc(1000, 'v') })), compression: 'none', baseOffset: b * 10 }),
    ),
  );
  return Buffer.concat(batches);
}

/** A target holding `buffered` bytes, and what it was handed. */
function targetHolding(buffered: number) {
  const handed: RecordBatch[][] = [];
  const target: FetchTarget = {
    topic: 't',
    partition: 0,
    fetchOffset: 0,
    leaderEpoch: -1,
    active: true,
    growth: 1,
    bufferedBytes: buffered,
    fetchBytesWanted: () => 0,
    onFetched: (batches) => {
      handed.push([...batches]);
    },
    onFetchError: (error) => {
      throw error;
    },
  };
  return { target, handed };
}

/** One part answered with `records`, licensed (its first batch past its ask) or not. */
async function handle(buffered: number, options: { licensed: boolean }) {
  const { target, handed } = targetHolding(buffered);
  const settled: SentPart[] = [];
  const host: AnswerHost = {
    budget: new ByteBudget(32 * 1024 * 1024),
    settings: { maxWaitMs: 100, minBytes: 1, minPartitionBytes: 16 * 1024, isolationLevel: 'read_uncommitted', verifyCrc: true, maxBytesPerPartition: BOUND },
    clusterOptions: resolveClusterOptions({ brokers: ['127.0.0.1:9'] }),
    reports: new ReportLimiter(1000),
    isCurrent: () => true,
    owns: () => true,
    settle: (_sent, part) => {
      settled.push(part);
    },
    park: () => assert.fail('parked'),
    backOff: () => assert.fail('backed off'),
    reroute: () => assert.fail('rerouted'),
    armTimer: () => undefined,
    wake: () => undefined,
    nextOwedSeq: () => 1,
    countPartitionError: () => assert.fail('a partition error'),
    onError: (error) => assert.fail(error),
    onOffsetOutOfRange: () => assert.fail('out of range'),
  };
  const records = await answerBytes();
  const state = newTargetState(target, 't:0');
  const part: SentPart = {
    state,
    topic: 't',
    topicId: '',
    partition: 0,
    fetchOffset: 0,
    currentLeaderEpoch: -1,
    // Licensed: asked less than the first batch (it came whole, KIP-74). Else: asked all of it.
    partitionMaxBytes: options.licensed ? 100 : records.length,
    reserved: records.length,
    keepBytes: options.licensed ? 100 : records.length,
  };
  const sent: SentFetch = { parts: [part], unsettled: part.reserved, slack: true, answered: true };
  const broker: BrokerState = { id: 1, requesting: false, running: new Map(), handling: null, failures: 0, retryAt: 0, rotation: 0 };
  const data: FetchResponsePartition = {
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 80n,
    lastStableOffset: 80n,
    logStartOffset: 0n,
    divergingEpoch: { epoch: -1, endOffset: -1n },
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    snapshotId: { endOffset: -1n, epoch: -1 },
    abortedTransactions: null,
    preferredReadReplica: -1,
    records,
  };
  await new AnswerHandler(host).handle(broker, part, data, sent);
  return { handed, settled, sent, state };
}

test('an answer is kept up to the partition bound and one batch past it, the rest fetched again', async () => {
  // A little over 10 KB per batch held: 25 KB of room takes two batches and the one that crosses.
  const { handed, settled, state } = await handle(BOUND - 25_000, { licensed: false });
  assert.equal(handed.length, 1);
  assert.deepEqual(
    handed[0]?.map((b) => b.baseOffset),
    [0, 10, 20],
  );
  assert.equal(settled.length, 1, 'the reservation ends once');
  assert.equal(state.aheadRefused, true, 'cut on a short estimate: not read ahead until an answer is held whole');
  const whole = await handle(0, { licensed: false });
  assert.equal(whole.handed[0]?.length, BATCHES, 'with room for all, all');
  assert.equal(whole.state.aheadRefused, false);
});

test('an answer for a partition at its bound is not held; the licence it came on stays for the next part', async () => {
  const { handed, settled, sent, state } = await handle(BOUND, { licensed: true });
  assert.equal(handed.length, 0, 'nothing handed to the stage');
  assert.equal(settled.length, 1, 'its reservation ends');
  assert.equal(sent.slack, true, 'the one-batch licence was not used');
  assert.equal(state.stuckRounds, 0, 'not counted as an answer without progress');
  const room = await handle(BOUND - 1, { licensed: true });
  assert.equal(room.handed[0]?.length, 1, 'any room left takes the licensed first batch');
  assert.equal(room.sent.slack, false);
});
