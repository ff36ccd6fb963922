// How `produce` splits stdin into records: delimiters across chunk boundaries, keys, CRLF, the size bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecords, StdinRecordTooLargeError, type StdinRecordOptions } from '../../src/cli/stdin-records.js';

async function split(chunks: (string | Buffer)[], options: Partial<StdinRecordOptions> = {}) {
  const out: [string | null, string][] = [];
  const input = (async function* () {
    yield* chunks;
  })();
  for await (const r of readRecords(input, { delimiter: Buffer.from('\n'), maxBytes: 1024, ...options })) {
    out.push([r.key === null ? null : r.key.toString('latin1'), r.value.toString('latin1')]);
  }
  return out;
}

test('lines: empty lines are empty records, CRLF loses its CR, a last line without newline counts, an empty tail does not', async () => {
  assert.deepEqual(await split(['a\r\n\nb', 'c\n', 'd']), [[null, 'a'], [null, ''], [null, 'bc'], [null, 'd']]);
  assert.deepEqual(await split(['x\n']), [[null, 'x']]);
  assert.deepEqual(await split([]), []);
});

test('a multi-byte delimiter split across chunks; a CR is kept when the delimiter is not the newline', async () => {
  const delimiter = Buffer.from('||');
  assert.deepEqual(await split(['a|', '|b\r|', '|', 'c'], { delimiter }), [[null, 'a'], [null, 'b\r'], [null, 'c']]);
});

test('-K: the key is before the first key delimiter; without one the record has no key; bytes stay bytes', async () => {
  const keyDelimiter = Buffer.from(':');
  assert.deepEqual(await split(['k1:v:1\nnokey\n:empty-key\n'], { keyDelimiter }), [['k1', 'v:1'], [null, 'nokey'], ['', 'empty-key']]);
  const binary = Buffer.from([0xff, 0x3a, 0x00, 0x0a]);
  const [r] = await split([binary], { keyDelimiter });
  assert.deepEqual(r, ['\xff', '\x00']);
});

test('a record longer than maxBytes without a delimiter fails the read instead of growing without bound', async () => {
  const chunk = 'x'.repeat(600);
  await assert.rejects(split([chunk, chunk, chunk], { maxBytes: 1000 }), (e: unknown) => e instanceof StdinRecordTooLargeError && /record 1 is longer than 1000 bytes/.test(e.message));
  // Right at the bound is fine.
  assert.equal((await split(['y'.repeat(1000), '\n']))[0]?.[1].length, 1000);
});
