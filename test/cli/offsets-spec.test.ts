// `consume -o`: parsing kcat's forms and resolving them against ListOffsets answers (a fake lookup).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { parseOffsetStart, resolveOffsetStart, type OffsetLookup } from '../../src/cli/offsets-spec.js';

test('the forms: beginning, end, an offset, -n, s@ms; anything else is a UsageError', () => {
  assert.deepEqual(parseOffsetStart('beginning'), { kind: 'beginning' });
  assert.deepEqual(parseOffsetStart('end'), { kind: 'end' });
  assert.deepEqual(parseOffsetStart('42'), { kind: 'offset', offset: 42 });
  assert.deepEqual(parseOffsetStart('-10'), { kind: 'tail', count: 10 });
  assert.deepEqual(parseOffsetStart('s@1700000000000'), { kind: 'timestamp', ms: 1_700_000_000_000 });
  for (const bad of ['', 'begin', '-0', '-', '1.5', 's@', 's@-1', '99999999999999999999', 'e@5']) {
    assert.throws(() => parseOffsetStart(bad), (e: unknown) => e instanceof UsageError && /--offset takes beginning, end/.test(e.message), bad);
  }
});

/** Partition 0 holds offsets 5..20 (records at ms 1000+offset), partition 1 holds 0..3. */
function fakeLookup(calls: string[]): OffsetLookup {
  const start = new Map([[0, 5], [1, 0]]);
  const end = new Map([[0, 20], [1, 3]]);
  return async (spec, partitions) => {
    calls.push(`${spec}:${partitions.join(',')}`);
    return new Map(
      partitions.map((p) => {
        if (spec === 'earliest') return [p, start.get(p) as number];
        if (spec === 'latest') return [p, end.get(p) as number];
        const offset = Math.max(start.get(p) as number, spec - 1000);
        return [p, offset < (end.get(p) as number) ? offset : -1];
      }),
    );
  };
}

test('-n is n before the end of each partition, never before its beginning', async () => {
  const calls: string[] = [];
  const got = await resolveOffsetStart({ kind: 'tail', count: 10 }, [0, 1], fakeLookup(calls));
  assert.deepEqual([...got], [[0, 10], [1, 0]]);
});

test('s@ms: the first offset at or after the time; the end where no record is that recent', async () => {
  const calls: string[] = [];
  const got = await resolveOffsetStart({ kind: 'timestamp', ms: 1012 }, [0, 1], fakeLookup(calls));
  assert.deepEqual([...got], [[0, 12], [1, 3]]);
  assert.deepEqual(calls, ['1012:0,1', 'latest:1']);
});

test('an absolute offset needs no lookup; beginning and end ask once', async () => {
  const calls: string[] = [];
  assert.deepEqual([...(await resolveOffsetStart({ kind: 'offset', offset: 7 }, [0, 1], fakeLookup(calls)))], [[0, 7], [1, 7]]);
  assert.deepEqual(calls, []);
  assert.deepEqual([...(await resolveOffsetStart({ kind: 'beginning' }, [1], fakeLookup(calls)))], [[1, 0]]);
  assert.deepEqual([...(await resolveOffsetStart({ kind: 'end' }, [0], fakeLookup(calls)))], [[0, 20]]);
});
