/**
 * Which answers make `Cluster.withRetry` refresh metadata before the next attempt: the codes the
 * error table marks `invalidMetadata` (Java's InvalidMetadataException subclasses), NOT_CONTROLLER
 * (the controller moved, as Java's admin client treats it) and a failed connection. Before issue
 * #12 the cluster kept its own set, which refreshed after NOT_ENOUGH_REPLICAS and
 * UNKNOWN_LEADER_EPOCH (where a refresh cannot help) and not after KAFKA_STORAGE_ERROR or
 * NETWORK_EXCEPTION (where the leader may have moved).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import type { ClusterMetadata } from '../../src/cluster/metadata.js';
import { KafkaStageError } from '../../src/errors.js';
import { ConnectionError } from '../../src/network/errors.js';
import { ErrorCode, type KafkaErrorName } from '../../src/protocol/error-codes.js';
import { kafkaErrorOf } from '../../src/protocol/kafka-error.js';

/** How many metadata refreshes `withRetry` asked for around one failure with `error`. */
async function refreshesAfter(error: Error): Promise<number> {
  // Never connects: the refresh is counted, not sent.
  const cluster = new Cluster({ brokers: '127.0.0.1:9', retry: { retries: 2, initialBackoffMs: 1, maxBackoffMs: 2, deadlineMs: 5_000 } });
  let refreshes = 0;
  cluster.refreshMetadata = (): Promise<ClusterMetadata> => {
    refreshes++;
    return Promise.reject(new KafkaStageError('ERR_CLOSED', 'not in this test'));
  };
  const result = await cluster.withRetry('op', (attempt) => (attempt === 1 ? Promise.reject(error) : Promise.resolve('done')), ['t']);
  assert.equal(result, 'done', 'the second attempt ran');
  await cluster.close();
  return refreshes;
}

const refreshing: KafkaErrorName[] = [
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'KAFKA_STORAGE_ERROR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_TOPIC_ID',
  'INCONSISTENT_TOPIC_ID',
  'NOT_CONTROLLER',
];
const notRefreshing: KafkaErrorName[] = ['NOT_ENOUGH_REPLICAS', 'UNKNOWN_LEADER_EPOCH', 'REQUEST_TIMED_OUT', 'COORDINATOR_LOAD_IN_PROGRESS'];

for (const name of refreshing) {
  test(`withRetry refreshes metadata after ${name} before trying again`, async () => {
    assert.equal(await refreshesAfter(kafkaErrorOf(ErrorCode[name], { topic: 't' })), 1);
  });
}

for (const name of notRefreshing) {
  test(`withRetry retries ${name} without a metadata refresh: the client's metadata is not what is wrong`, async () => {
    assert.equal(await refreshesAfter(kafkaErrorOf(ErrorCode[name], { topic: 't' })), 0);
  });
}

test('withRetry refreshes metadata after a failed connection (the broker may be gone)', async () => {
  assert.equal(await refreshesAfter(new ConnectionError('refused', { broker: 1 })), 1);
});
