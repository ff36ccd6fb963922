import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionError } from '../../src/errors.js';
import { PRODUCER_DEFAULTS, resolveProducerOptions, type ProducerOptions } from '../../src/producer/options.js';

function namesOption(option: string) {
  return (err: unknown) => {
    assert.ok(err instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(err)}`);
    assert.equal(err.option, option);
    assert.match(err.message, new RegExp(`invalid option ${option}`));
    return true;
  };
}

const brokers = '127.0.0.1:9092';

test('defaults match the documented Java-like values', () => {
  const o = resolveProducerOptions({ brokers });
  assert.equal(o.acks, -1);
  assert.equal(o.compression, 'none');
  assert.equal(o.lingerMs, 5);
  assert.equal(o.batchSize, 16_384);
  assert.equal(o.maxInFlight, 5);
  assert.equal(o.idempotent, true);
  assert.equal(o.deliveryTimeoutMs, 120_000);
  assert.equal(o.maxRequestSize, 1_048_576);
  assert.equal(o.bufferMemory, 32 * 1024 * 1024);
  assert.equal(o.partitioner, null);
  assert.ok(Object.isFrozen(PRODUCER_DEFAULTS));
  // Cluster options are resolved too.
  assert.deepEqual(o.cluster.brokers, [{ host: '127.0.0.1', port: 9092 }]);
});

test('acks accepts all, -1, 0 and 1', () => {
  assert.equal(resolveProducerOptions({ brokers, acks: 'all' }).acks, -1);
  assert.equal(resolveProducerOptions({ brokers, acks: -1 }).acks, -1);
  assert.equal(resolveProducerOptions({ brokers, acks: 1 }).acks, 1);
  assert.equal(resolveProducerOptions({ brokers, acks: 0 }).acks, 0);
  assert.throws(() => resolveProducerOptions({ brokers, acks: 2 as ProducerOptions['acks'] }), namesOption('acks'));
});

test('idempotence defaults off when acks or maxInFlight contradict it, and is an error when asked for', () => {
  assert.equal(resolveProducerOptions({ brokers, acks: 1 }).idempotent, false);
  assert.equal(resolveProducerOptions({ brokers, maxInFlight: 6 }).idempotent, false);
  assert.equal(resolveProducerOptions({ brokers, acks: 1, idempotent: false }).idempotent, false);
  assert.throws(() => resolveProducerOptions({ brokers, acks: 0, idempotent: true }), namesOption('acks'));
  assert.throws(() => resolveProducerOptions({ brokers, maxInFlight: 6, idempotent: true }), namesOption('maxInFlight'));
});

test('every invalid option throws a typed error naming it', () => {
  const cases: [ProducerOptions, string][] = [
    [{ brokers, compression: 'brotli' as ProducerOptions['compression'] }, 'compression'],
    [{ brokers, lingerMs: -1 }, 'lingerMs'],
    [{ brokers, lingerMs: 1.5 }, 'lingerMs'],
    [{ brokers, batchSize: 0 }, 'batchSize'],
    [{ brokers, maxInFlight: 0 }, 'maxInFlight'],
    [{ brokers, idempotent: 'yes' as unknown as boolean }, 'idempotent'],
    [{ brokers, deliveryTimeoutMs: 0 }, 'deliveryTimeoutMs'],
    [{ brokers, maxRequestSize: 10 }, 'maxRequestSize'],
    [{ brokers, bufferMemory: 1 }, 'bufferMemory'],
    [{ brokers, partitioner: 'murmur' as unknown as ProducerOptions['partitioner'] }, 'partitioner'],
    [{ brokers, requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    [{ brokers: [] }, 'brokers'],
  ];
  for (const [options, name] of cases) assert.throws(() => resolveProducerOptions(options), namesOption(name), name);
});

test('deliveryTimeoutMs must cover lingerMs + requestTimeoutMs, as in Java', () => {
  assert.throws(() => resolveProducerOptions({ brokers, deliveryTimeoutMs: 30_000, lingerMs: 5 }), namesOption('deliveryTimeoutMs'));
  assert.equal(resolveProducerOptions({ brokers, deliveryTimeoutMs: 1_100, requestTimeoutMs: 1_000, lingerMs: 100 }).deliveryTimeoutMs, 1_100);
});

test('unknown keys are rejected by name (a misspelt option is not ignored)', () => {
  assert.throws(() => resolveProducerOptions({ brokers, lingerMS: 5 } as ProducerOptions), namesOption('lingerMS'));
  assert.throws(() => resolveProducerOptions({ brokers, groupId: 'g' } as ProducerOptions), namesOption('groupId'));
});

test('a custom partitioner function is kept', () => {
  const partitioner = () => 0;
  assert.equal(resolveProducerOptions({ brokers, partitioner }).partitioner, partitioner);
});
