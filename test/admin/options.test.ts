import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admin } from '../../src/admin/admin.js';
import { InvalidOptionError } from '../../src/errors.js';
import { invalidOption } from '../helpers/invalid-option.js';

const invalid = invalidOption;

const admin = () => new Admin({ brokers: '127.0.0.1:9' });

test('bad client options fail the constructor synchronously, naming the option', () => {
  assert.throws(() => new Admin({ brokers: [] }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'brokers');
  assert.throws(() => new Admin({ brokers: 'h:1', operationTimeoutMs: 0 }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'operationTimeoutMs');
  assert.throws(() => new Admin({ brokers: 'h:1', requestTimeoutMs: -1 }), (e: unknown) => e instanceof InvalidOptionError && e.option === 'requestTimeoutMs');
  assert.throws(
    () => new Admin({ brokers: 'h:1', operationTimeout: 5 } as unknown as { brokers: string }),
    (e: unknown) => e instanceof InvalidOptionError && e.option === 'operationTimeout',
  );
});

test('createTopics input errors name the field, before anything is sent', async () => {
  const a = admin();
  assert.equal((await invalid(() => a.createTopics([]))).option, 'topics');
  assert.equal((await invalid(() => a.createTopics([{ topic: 'ok', partitions: 0 }]))).option, 'topics[0].partitions');
  assert.equal((await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1 }, { topic: 'bad name', partitions: 1 }]))).option, 'topics[1].topic');
  assert.equal((await invalid(() => a.createTopics([{ topic: 'x'.repeat(250), partitions: 1 }]))).option, 'topics[0].topic');
  assert.equal((await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1, replicationFactor: 1.5 }]))).option, 'topics[0].replicationFactor');
  assert.equal(
    (await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1, configs: { 'retention.ms': 5 as unknown as string } }]))).option,
    'topics[0].configs.retention.ms',
  );
  assert.equal((await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1 }, { topic: 'ok', partitions: 2 }]))).option, 'topics[1]');
  assert.equal((await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1 }], { timeoutMs: 0 }))).option, 'options.timeoutMs');
  assert.equal(
    (await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1 }], { validateOnly: 'yes' as unknown as boolean }))).option,
    'options.validateOnly',
  );
  assert.equal(
    (await invalid(() => a.createTopics([{ topic: 'ok', partitions: 1 }], { ignoreExisitng: true } as unknown as { ignoreExisting: boolean }))).option,
    'options.ignoreExisitng',
  );
});

test('other operations check their input too', async () => {
  const a = admin();
  assert.equal((await invalid(() => a.deleteTopics(['fine', '..']))).option, 'names[1]');
  assert.equal((await invalid(() => a.createPartitions([{ topic: 't', count: -2 }]))).option, 'partitions[0].count');
  assert.equal((await invalid(() => a.listOffsets([{ topic: 't', partition: -1, spec: 'latest' }]))).option, 'partitions[0].partition');
  assert.equal((await invalid(() => a.listOffsets([{ topic: 't', partition: 0, spec: 'newest' as unknown as 'latest' }]))).option, 'partitions[0].spec');
  assert.equal(
    (await invalid(() => a.listOffsets([{ topic: 't', partition: 0, spec: 'latest' }], { isolationLevel: 'committed' as unknown as 'read_committed' }))).option,
    'options.isolationLevel',
  );
  assert.equal((await invalid(() => a.describeConfigs([{ type: 'group' as unknown as 'topic', name: 'g' }]))).option, 'resources[0].type');
  assert.equal((await invalid(() => a.describeConfigs([{ type: 'broker', name: 'one' }]))).option, 'resources[0].name');
});
