import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateVersion, UnsupportedVersionError } from '../../src/protocol/versions.js';

const fetchApi = { apiKey: 1, name: 'Fetch', minVersion: 4, maxVersion: 17 };

test('picks the highest version both sides speak', () => {
  assert.equal(negotiateVersion(fetchApi, new Map([[1, { minVersion: 4, maxVersion: 17 }]]), 1), 17);
  assert.equal(negotiateVersion(fetchApi, new Map([[1, { minVersion: 0, maxVersion: 12 }]]), 1), 12);
  assert.equal(negotiateVersion(fetchApi, new Map([[1, { minVersion: 4, maxVersion: 99 }]]), 1), 17);
});

test('a broker without the API or without an overlapping range gives a typed error', () => {
  assert.throws(() => negotiateVersion(fetchApi, new Map(), 7), (err: unknown) => {
    assert.ok(err instanceof UnsupportedVersionError);
    assert.equal(err.code, 'ERR_UNSUPPORTED_VERSION');
    assert.equal(err.context.broker, 7);
    assert.equal(err.context.api, 'Fetch');
    return true;
  });
  assert.throws(() => negotiateVersion(fetchApi, new Map([[1, { minVersion: 0, maxVersion: 3 }]]), 7), UnsupportedVersionError);
  assert.throws(() => negotiateVersion(fetchApi, new Map([[1, { minVersion: 18, maxVersion: 20 }]]), 7), UnsupportedVersionError);
});
