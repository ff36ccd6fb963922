import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLUSTER_DEFAULTS, resolveClusterOptions } from '../../src/cluster/options.js';
import { CONNECTION_BOUNDS, CONNECTION_DEFAULTS, resolveConnectionOptions } from '../../src/network/connection-options.js';
import { InvalidOptionError } from '../../src/errors.js';

const base = { host: '127.0.0.1', port: 9092, clientId: 'c' };

function namesOption(option: string) {
  return (err: unknown) => err instanceof InvalidOptionError && err.option === option;
}

test('a connection and the cluster client apply the same defaults', () => {
  const conn = resolveConnectionOptions(base);
  const cluster = resolveClusterOptions({ brokers: '127.0.0.1:9092' });
  for (const key of ['connectTimeoutMs', 'requestTimeoutMs', 'maxResponseBytes'] as const) {
    assert.equal(conn[key], CONNECTION_DEFAULTS[key], key);
    assert.equal(cluster[key], CONNECTION_DEFAULTS[key], key);
    assert.equal(CLUSTER_DEFAULTS[key], CONNECTION_DEFAULTS[key], key);
  }
  assert.deepEqual(CONNECTION_DEFAULTS, { connectTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxResponseBytes: 128 * 1024 * 1024 });
  assert.equal(conn.tls, undefined);
  assert.equal(conn.firstCorrelationId, 0);
});

test('a connection and the cluster client accept and refuse the same bounds', () => {
  // They had different ones: a connection took a 4-byte response bound and timeouts up to 2^31-1 ms,
  // the cluster client 1 KiB and an hour.
  const cases: [key: 'connectTimeoutMs' | 'requestTimeoutMs' | 'maxResponseBytes', ok: number[], refused: number[]][] = [
    ['maxResponseBytes', [1024, 0x7fffffff], [4, 1023, 0x80000000]],
    ['requestTimeoutMs', [1, 3_600_000], [0, 3_600_001, 0x7fffffff]],
    ['connectTimeoutMs', [1, 3_600_000], [0, 3_600_001, 0x7fffffff]],
  ];
  for (const [key, ok, refused] of cases) {
    assert.equal(CONNECTION_BOUNDS[key].min, ok[0]);
    assert.equal(CONNECTION_BOUNDS[key].max, ok[1]);
    for (const value of ok) {
      assert.equal(resolveConnectionOptions({ ...base, [key]: value })[key], value, `${key} ${value}`);
      assert.equal(resolveClusterOptions({ brokers: 'h:1', [key]: value })[key], value, `${key} ${value}`);
    }
    for (const value of refused) {
      assert.throws(() => resolveConnectionOptions({ ...base, [key]: value }), namesOption(key), `${key} ${value}`);
      assert.throws(() => resolveClusterOptions({ brokers: 'h:1', [key]: value }), namesOption(key), `${key} ${value}`);
    }
  }
});

test('tls true means Node defaults, false or absent plain TCP', () => {
  assert.deepEqual(resolveConnectionOptions({ ...base, tls: true }).tls, {});
  assert.equal(resolveConnectionOptions({ ...base, tls: false }).tls, undefined);
  const ca = 'pem';
  assert.deepEqual(resolveConnectionOptions({ ...base, tls: { ca } }).tls, { ca });
});
