/** MissingTopicWatch: one warning per missing topic, look-ups on the 1 s → 5 s schedule, the owner told when topics appear. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingTopicDelay, MissingTopicWatch, type MissingTopicWatchHost } from '../../src/group/missing-topics.js';
import type { LogFields } from '../../src/logger.js';

type Answer = readonly string[] | 'skip' | Error;

/** A watch whose look-ups answer from `answers` in turn, recording warnings, look-ups and appearances. */
function harness(answers: Answer[]) {
  const warnings: (LogFields | undefined)[] = [];
  const appeared: string[][] = [];
  let lookUps = 0;
  const ignore = (): void => undefined;
  const host: MissingTopicWatchHost = {
    logger: { debug: ignore, info: ignore, error: ignore, warn: (_m, fields) => warnings.push(fields) },
    what: 'subscribed topic does not exist',
    fields: { group: 'g' },
    lookUp: async () => {
      const answer = answers[lookUps++] ?? 'skip';
      if (answer instanceof Error) throw answer;
      return answer;
    },
    appeared: (topics) => appeared.push([...topics]),
  };
  return { watch: new MissingTopicWatch(host), warnings, appeared, lookUps: () => lookUps };
}

/** Lets the look-up's promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('the schedule: 1 s, 2 s, 4 s, then every 5 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 50].map(missingTopicDelay), [1000, 2000, 4000, 5000, 5000, 5000]);
});

test('one warning per missing topic; look-ups on schedule until the topics appear; then the owner is told and looking stops', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness([['a', 'b'], 'skip', new Error('unreachable'), ['b'], []]);
  h.watch.update(['a', 'b']);
  h.watch.update(['a', 'b']); // the next assignment finds them missing again: no new warning
  assert.deepEqual(h.warnings, [{ group: 'g', topic: 'a' }, { group: 'g', topic: 'b' }]);
  t.mock.timers.tick(999);
  assert.equal(h.lookUps(), 0);
  for (const [ms, lookUps] of [[1, 1], [2000, 2], [4000, 3], [5000, 4]] as const) {
    t.mock.timers.tick(ms);
    await settle();
    assert.equal(h.lookUps(), lookUps, `after ${ms} ms`);
  }
  assert.deepEqual(h.appeared, [['a']], 'a appeared at the 4th look-up');
  t.mock.timers.tick(5000);
  await settle();
  assert.deepEqual(h.appeared, [['a'], ['b']]);
  assert.deepEqual(h.watch.missingTopics, []);
  t.mock.timers.tick(60_000);
  await settle();
  assert.equal(h.lookUps(), 5, 'no look-up once nothing is missing');
  assert.equal(h.warnings.length, 2);
  // A topic that appeared and goes missing again is warned about again.
  h.watch.update(['a']);
  assert.equal(h.warnings.length, 3);
});

test('stop() ends the look-ups, and a look-up answering after stop() tells nobody', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const h = harness([[]]);
  h.watch.update(['a']);
  t.mock.timers.tick(1000);
  h.watch.stop(); // the look-up is under way
  await settle();
  assert.equal(h.lookUps(), 1);
  assert.deepEqual(h.appeared, []);
  t.mock.timers.tick(60_000);
  await settle();
  assert.equal(h.lookUps(), 1);
});
