import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cluster } from '../../src/cluster/cluster.js';
import { AdminOperationError } from '../../src/admin/errors.js';
import { settleEntities } from '../../src/admin/settle-entities.js';
import { KafkaError } from '../../src/protocol/kafka-error.js';
import { KafkaStageError } from '../../src/errors.js';

// settleEntities only uses the cluster's retry policy; this cluster never connects anywhere.
const cluster = () => new Cluster({ brokers: '127.0.0.1:9', retry: { retries: 4, initialBackoffMs: 1, maxBackoffMs: 2, deadlineMs: 5_000 } });

test('transient entity errors are sent again, alone; results come back in the caller order', async () => {
  const sent: string[][] = [];
  const results = await settleEntities<string, number>(cluster(), {
    operation: 'op',
    keys: ['a', 'b', 'c'],
    nameOf: (k) => k,
    async send(pending, attempt) {
      sent.push([...pending]);
      return pending.map((key) =>
        key === 'b' && attempt === 1 ? { key, error: new KafkaError(41, { topic: key }) } : { key, value: attempt * 10 },
      );
    },
  });
  assert.deepEqual(sent, [['a', 'b', 'c'], ['b']]);
  assert.deepEqual([...results], [['a', 10], ['b', 20], ['c', 10]]);
});

test('permanent failures are aggregated with the successes, each failure naming its entity', async () => {
  const err = await settleEntities<string, true>(cluster(), {
    operation: 'deleteTopics',
    keys: ['ok', 'gone', 'bad'],
    nameOf: (k) => k,
    async send(pending) {
      return pending.map((key) =>
        key === 'ok' ? { key, value: true as const } : { key, error: new KafkaError(key === 'gone' ? 3 : 17, { topic: key }) },
      );
    },
    shouldRetry: (e) => e.retriable && !(e instanceof KafkaError && e.errorCode === 3),
  }).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AdminOperationError);
  assert.equal(err.code, 'ERR_ADMIN_OPERATION');
  assert.deepEqual(err.failures.map((f) => f.entity), ['gone', 'bad']);
  assert.deepEqual(err.succeeded, ['ok']);
  assert.equal((err.failureOf('gone') as KafkaError).errorCode, 3);
  assert.equal((err.failureOf('bad') as KafkaError).errorCode, 17);
  assert.match(err.message, /gone: UNKNOWN_TOPIC_OR_PARTITION/);
  assert.match(err.message, /bad: INVALID_TOPIC_EXCEPTION/);
  assert.equal(err.retriable, false);
});

test('an entity that stays transient past the retries fails with its own last error, not a wrapper', async () => {
  let calls = 0;
  const err = await settleEntities<string, true>(cluster(), {
    operation: 'listOffsets',
    keys: ['t/0'],
    nameOf: (k) => k,
    async send(pending) {
      calls++;
      return pending.map((key) => ({ key, error: new KafkaError(7, { topic: 't', partition: 0 }) }));
    },
  }).catch((e: unknown) => e);
  assert.ok(err instanceof AdminOperationError);
  assert.equal(calls, 5, 'the first attempt and 4 retries');
  const own = err.failureOf('t/0');
  assert.ok(own instanceof KafkaError);
  assert.equal(own.errorCode, 7);
  assert.equal(err.retriable, true);
});

test('an entity the broker leaves out of its answer is asked again', async () => {
  const sent: string[][] = [];
  await settleEntities<string, true>(cluster(), {
    operation: 'op',
    keys: ['a', 'b'],
    nameOf: (k) => k,
    async send(pending, attempt) {
      sent.push([...pending]);
      return pending.filter((k) => attempt > 1 || k === 'a').map((key) => ({ key, value: true as const }));
    },
  });
  assert.deepEqual(sent, [['a', 'b'], ['b']]);
});

test('a request that fails permanently fails every pending entity with that error', async () => {
  const boom = new KafkaStageError('ERR_UNSUPPORTED_VERSION', 'no such API');
  const err = await settleEntities<string, true>(cluster(), {
    operation: 'op',
    keys: ['a', 'b'],
    nameOf: (k) => k,
    async send() {
      throw boom;
    },
  }).catch((e: unknown) => e);
  assert.ok(err instanceof AdminOperationError);
  assert.deepEqual(err.failures.map((f) => [f.entity, f.error]), [['a', boom], ['b', boom]]);
  assert.deepEqual(err.succeeded, []);
});
