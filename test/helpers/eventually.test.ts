// The suite's one wait-until: what it resolves with, and what its failure says.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from './eventually.js';

test('resolves with the first value that is not false, once the condition turns', async () => {
  let calls = 0;
  const value = await eventually(() => ++calls >= 3 && `after ${calls}`, { what: 'three calls', timeoutMs: 5_000 });
  assert.equal(value, 'after 3');
  assert.equal(calls, 3);
});

test('with retryOnThrow, an assertion that stops throwing passes; a check returning nothing holds', async () => {
  let calls = 0;
  await eventually(
    () => {
      calls++;
      assert.ok(calls > 2, 'not yet');
    },
    { what: 'the assertion', timeoutMs: 5_000, retryOnThrow: true },
  );
  assert.equal(calls, 3);
});

test('without retryOnThrow, a check that throws fails the wait at once with its own error', async () => {
  let calls = 0;
  const wrong = new Error('protocol type is not consumer');
  await assert.rejects(
    eventually(
      () => {
        if (++calls === 2) throw wrong;
        return false;
      },
      { what: 'a stable group', timeoutMs: 60_000 },
    ),
    (error) => error === wrong,
  );
  assert.equal(calls, 2);
});

test('an async check is awaited before the next one starts', async () => {
  let running = 0;
  let overlapped = false;
  let calls = 0;
  await eventually(
    async () => {
      overlapped ||= running > 0;
      running++;
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return ++calls === 4;
    },
    { what: 'four calls', timeoutMs: 5_000 },
  );
  assert.equal(overlapped, false);
});

test('on timeout: the message names what was awaited, the last error and the progress; the error is the cause', async () => {
  const last = new Error('offset 7 is not 9');
  const failure = await eventually(
    () => {
      throw last;
    },
    { what: 'the commit', timeoutMs: 30, progress: () => '3 delivered', retryOnThrow: true },
  ).then(
    () => assert.fail('must time out'),
    (error: unknown) => error,
  );
  assert.ok(failure instanceof Error);
  assert.equal(failure.message, 'timed out after 30 ms waiting for the commit: the check threw offset 7 is not 9; 3 delivered');
  assert.equal(failure.cause, last);
});

test('on timeout of a predicate: the message says it still returned false', async () => {
  await assert.rejects(eventually(() => false, { what: 'never', timeoutMs: 20 }), {
    message: 'timed out after 20 ms waiting for never: the check still returned false',
  });
});

test('a hopeless wait fails at once with the reason, before the deadline', async () => {
  let calls = 0;
  const started = Date.now();
  await assert.rejects(
    eventually(() => ++calls > 100, { what: 'the consumer to print', timeoutMs: 60_000, hopeless: () => (calls >= 2 ? 'the consumer exited' : undefined) }),
    { message: 'gave up waiting for the consumer to print: the consumer exited' },
  );
  assert.equal(calls, 2);
  assert.ok(Date.now() - started < 60_000);
});
