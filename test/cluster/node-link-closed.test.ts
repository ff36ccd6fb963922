/**
 * Chaos defect D4 (a cause): the cluster client closes a broker's link when metadata stops listing
 * the broker (a node down during a restart) or when it rebootstraps. A connection that link was
 * still setting up failed its waiters with a plain `Error('link closed')`, which no policy knows:
 * the idempotent producer took it for a fatal failure, failed the batch and bumped its epoch, and
 * the bump restamped batches the broker may already have written (duplicates after the whole
 * cluster came back). The waiters now get a retriable ConnectionClosedError naming the broker.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeLink } from '../../src/cluster/node-link.js';
import { resolveClusterOptions } from '../../src/cluster/options.js';
import { ApiVersions } from '../../src/protocol/apis/api-versions.js';
import { ConnectionClosedError } from '../../src/network/errors.js';
import { FakeBroker } from '../helpers/fake-broker.js';

test('closing a link while its connection is being set up rejects the waiters with a retriable ConnectionClosedError', async () => {
  const broker = await FakeBroker.start();
  let asked!: () => void;
  const apiVersionsAsked = new Promise<void>((resolve) => (asked = resolve));
  broker.handle(ApiVersions, () => {
    asked();
    return 'stall';
  });
  const options = resolveClusterOptions({ brokers: [broker.address], connectTimeoutMs: 20_000 });
  const link = new NodeLink(1, broker.host, broker.port, options);
  try {
    const waiting = link.get().then(
      () => assert.fail('connected'),
      (e: unknown) => e,
    );
    await apiVersionsAsked;
    await link.close();
    const error = await waiting;
    assert.ok(error instanceof ConnectionClosedError, `got ${String(error)}`);
    assert.equal(error.retriable, true);
    assert.equal(error.context.broker, broker.address);
  } finally {
    await link.close();
    await broker.stop();
  }
});

test('asking a link closed for good rejects with a retriable ConnectionClosedError, not a plain Error', async () => {
  const options = resolveClusterOptions({ brokers: ['127.0.0.1:9'] });
  const link = new NodeLink(2, '127.0.0.1', 9, options);
  await link.close();
  const error = await link.get().then(
    () => assert.fail('connected'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConnectionClosedError, `got ${String(error)}`);
  assert.equal(error.retriable, true);
});
