/**
 * Which partition errors of a Fetch answer make the scheduler look the leader up again (a metadata
 * refresh) and which are retried where they are: the error table's `invalidMetadata` column decides
 * (issue #12 item 4). UNKNOWN_LEADER_EPOCH means the broker has not yet seen the epoch the client
 * knows, so the client's metadata is not the stale one (Java retries it without a refresh); before
 * the column, the scheduler re-routed it through a refresh all the same.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ByteBudget } from '../../src/stage/byte-budget.js';
import { eventually } from '../helpers/eventually.js';
import { ObservedStage } from './fetch-scheduler-stages.js';
import { askedOf, cleanUpWorlds, clusterWorld, offsets, range, schedulerFor, TOPIC, type ClusterWorld } from './fetch-scheduler-world.js';

afterEach(cleanUpWorlds);

/** Partition 0 answers `code` for its first `times` Fetches at offset 10; returns the Metadata requests the broker saw meanwhile. */
async function metadataRequestsAround(code: number, times: number): Promise<{ w: ClusterWorld; stage: ObservedStage; metadataRequests: number }> {
  const w = await clusterWorld({ records: new Map([[0, 30]]) });
  /** Fetches of partition 0 at offset 10 the broker took up (the failed ones and the answered one). */
  const fetchesAtTen = (): number => askedOf(w, 0).filter((p) => p.fetchOffset === 10).length;
  const budget = new ByteBudget(1024 * 1024);
  const scheduler = schedulerFor(w, budget);
  const stage = new ObservedStage(TOPIC, 0, 0, budget, scheduler, { minFetchBytes: 64 });
  scheduler.add(stage.target);
  scheduler.start();
  stage.ask(10);
  await eventually(() => stage.delivered.length === 10, { what: 'the records before the failing offset', timeoutMs: 10_000 });
  const before = w.fake.requests('Metadata').length;
  // No Fetch covers offset 10 before the demand for it: the next `times` Fetches of partition 0 are there.
  assert.equal(fetchesAtTen(), 0);
  w.fake.fail('Fetch', code, { topic: TOPIC, partition: 0, times });
  stage.ask(20);
  await eventually(() => stage.delivered.length === 30, { what: 'every record once the broker answers', timeoutMs: 10_000 });
  assert.equal(fetchesAtTen(), times + 1, `the broker answered ${times} failures, then the records`);
  assert.deepEqual(offsets(stage), range(0, 30));
  assert.deepEqual(stage.errors, [], 'a retriable code is no error of the partition');
  return { w, stage, metadataRequests: w.fake.requests('Metadata').length - before };
}

test('UNKNOWN_LEADER_EPOCH is retried at the same leader, without a metadata refresh', async () => {
  const { metadataRequests } = await metadataRequestsAround(ErrorCode.UNKNOWN_LEADER_EPOCH, 3);
  assert.equal(metadataRequests, 0);
});

test('NOT_LEADER_OR_FOLLOWER re-routes the partition through a metadata refresh', async () => {
  const { metadataRequests } = await metadataRequestsAround(ErrorCode.NOT_LEADER_OR_FOLLOWER, 3);
  assert.ok(metadataRequests >= 1, `metadata was refreshed (${metadataRequests} requests)`);
});
