import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveClusterOptions } from '../../src/cluster/options.js';
import { checkBrokers, checkKnownKeys } from '../../src/options/validate.js';
import { InvalidOptionError } from '../../src/errors.js';

function namesOption(option: string) {
  return (err: unknown) => {
    assert.ok(err instanceof InvalidOptionError, `expected InvalidOptionError, got ${String(err)}`);
    assert.equal(err.code, 'ERR_INVALID_OPTION');
    assert.equal(err.option, option);
    assert.match(err.message, new RegExp(option.replace(/[[\].]/g, '\\$&')));
    return true;
  };
}

test('brokers parse from a list or a comma-separated string, IPv6 in brackets', () => {
  assert.deepEqual(checkBrokers('brokers', '127.0.0.1:9092, host:1'), [
    { host: '127.0.0.1', port: 9092 },
    { host: 'host', port: 1 },
  ]);
  assert.deepEqual(checkBrokers('brokers', ['[::1]:9092']), [{ host: '::1', port: 9092 }]);
});

test('invalid cluster options throw a typed error naming the option', () => {
  assert.throws(() => resolveClusterOptions({ brokers: [] }), namesOption('brokers'));
  assert.throws(() => resolveClusterOptions({ brokers: ['nohost'] }), namesOption('brokers[0]'));
  assert.throws(() => resolveClusterOptions({ brokers: ['h:70000'] }), namesOption('brokers[0]'));
  assert.throws(() => resolveClusterOptions({ brokers: 'h:1', requestTimeoutMs: -1 }), namesOption('requestTimeoutMs'));
  assert.throws(() => resolveClusterOptions({ brokers: 'h:1', requestTimeoutMs: 1.5 }), namesOption('requestTimeoutMs'));
  assert.throws(() => resolveClusterOptions({ brokers: 'h:1', clientId: '' }), namesOption('clientId'));
  assert.throws(() => resolveClusterOptions({ brokers: 'h:1', retry: { retries: -2 } }), namesOption('retry.retries'));
  assert.throws(
    () => resolveClusterOptions({ brokers: 'h:1', retry: { initialBackoffMs: 500, maxBackoffMs: 100 } }),
    namesOption('retry.maxBackoffMs'),
  );
});

test('defaults apply and are documented values', () => {
  const o = resolveClusterOptions({ brokers: 'h:1' });
  assert.equal(o.clientId, 'kafka-stage');
  assert.equal(o.requestTimeoutMs, 30_000);
  assert.equal(o.retry.retries, 30);
});

test('unknown keys are rejected by name', () => {
  assert.throws(() => checkKnownKeys('producer', { lingerMS: 1 }, ['lingerMs']), namesOption('lingerMS'));
});
