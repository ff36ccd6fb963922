import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchInfo, flush, makeBatch, makeStage } from './fixtures.js';
import { fetchTargetOf } from '../../../src/consumer/partition-stage.js';

test('batches(): a batch comes as records are buffered, never waiting to fill, never above the chunk', async () => {
  const { stage } = makeStage();
  const it = stage.batches({ maxDemand: 100, minDemand: 60 });
  const first = it.next();
  assert.equal(stage.stats().outstandingDemand, 100);
  fetchTargetOf(stage).onFetched([makeBatch(0, 2)], fetchInfo(3));
  const batch = (await first).value;
  assert.equal(batch?.records.length, 3, 'three buffered, three handed out');
  fetchTargetOf(stage).onFetched([makeBatch(3, 99)], fetchInfo(100));
  const sizes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const b = (await it.next()).value;
    assert.ok(b);
    sizes.push(b.records.length);
    assert.equal(b.records[0]?.offset, b.firstOffset);
  }
  assert.deepEqual(sizes, [40, 40, 17], 'chunks of maxDemand − minDemand');
  await it.return?.();
});

test('batches(): outstanding demand stays within [minDemand, maxDemand] while the subscriber works', async () => {
  const { stage } = makeStage({ limits: { maxRecords: 1000, maxBytes: 1 << 20, minFetchBytes: 100 } });
  const it = stage.batches({ maxDemand: 10, minDemand: 6 });
  const first = it.next();
  fetchTargetOf(stage).onFetched([makeBatch(0, 199)], fetchInfo(200));
  await first;
  let delivered = 4;
  for (let i = 0; i < 20; i++) {
    const demand = stage.stats().outstandingDemand;
    assert.ok(demand >= 6 && demand <= 10, `demand ${demand}`);
    const b = (await it.next()).value;
    delivered += b?.records.length ?? 0;
  }
  assert.equal(stage.stats().deliveredOffset, delivered);
  await it.return?.();
});

test('records(): concurrent next() calls are served in order', async () => {
  const { stage } = makeStage();
  const it = stage.records({ maxDemand: 1 });
  const calls = [it.next(), it.next(), it.next()];
  fetchTargetOf(stage).onFetched([makeBatch(0, 1)], fetchInfo(2));
  await flush();
  const settled = await Promise.race([Promise.all(calls.slice(0, 2)), flush().then(() => null)]);
  assert.deepEqual(
    settled?.map((r) => r.value?.offset),
    [0, 1],
  );
  await stage.revoke(0).catch(() => undefined);
  assert.deepEqual(await calls[2], { value: undefined, done: true });
});

test('records(): for await over the stage itself; break frees it', async () => {
  const { stage } = makeStage();
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  const seen: number[] = [];
  const loop = (async () => {
    for await (const record of stage) {
      seen.push(record.offset);
      if (seen.length === 3) break;
    }
  })();
  await flush();
  fetchTargetOf(stage).onFetched([makeBatch(0, 9)], fetchInfo(10));
  await loop;
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(stage.stats().outstandingDemand, 0);
});

test('an iterator attached to a stopped stage ends at once', async () => {
  const { stage } = makeStage();
  await stage.revoke(0);
  assert.deepEqual(await stage.records().next(), { value: undefined, done: true });
});
