// The batch paths of `consume --format value|json` print exactly what the per-record path prints
// (a string per record, joined, written as UTF-8), only as one chunk per batch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchPrinter, jsonRecord, recordPrinter } from '../../src/cli/consume-format.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';

const bytes = (v: string | number[] | null): Buffer | null => (v === null ? null : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v));

function rec(offset: number, value: string | number[] | null, key: string | number[] | null = null, headers: [string, string | number[] | null][] = []): KafkaRecord {
  return {
    topic: 'ignored',
    partition: 9,
    offset,
    timestamp: 1_700_000_000_000 + offset,
    key: bytes(key),
    value: bytes(value),
    headers: headers.map(([k, v]) => ({ key: k, value: bytes(v) })),
    attempt: 1,
  };
}

/** What the per-record path writes for a batch: each record's text, joined, as UTF-8 bytes. */
function perRecord(format: string, delimiter: string, records: KafkaRecord[]): Buffer {
  const print = recordPrinter(format, delimiter);
  return Buffer.from(records.map((r) => print('orders', 3, r)).join(''), 'utf8');
}

function printed(format: string, delimiter: string, records: KafkaRecord[]): Buffer {
  return Buffer.concat(batchPrinter(format, delimiter)('orders', 3, records).map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

const VALID = [rec(0, 'plain'), rec(1, null), rec(2, ''), rec(3, 'ünïcode 🎉 — "q"\n\t\\'), rec(4, [0xef, 0xbb, 0xbf, 0x61])];
// Each of these is not UTF-8 on its own: a stray continuation byte, a cut sequence, an overlong
// encoding, a UTF-16 surrogate, a byte never used in UTF-8.
const INVALID: (number[])[] = [[0x61, 0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff]];

test('value: the batch bytes equal the per-record text for valid UTF-8, null and empty values, any delimiter', () => {
  for (const delimiter of ['\n', '', '\x00', 'ÿ|', '\r\n']) {
    const out = batchPrinter('value', delimiter)('orders', 3, VALID);
    assert.ok(out.length === 1 && Buffer.isBuffer(out[0]), 'valid values are copied as bytes, not decoded');
    assert.deepEqual(out[0], perRecord('value', delimiter, VALID), `delimiter ${JSON.stringify(delimiter)}`);
  }
  assert.equal(printed('value', '\n', []).length, 0);
});

test('value: a batch holding a value that is not UTF-8 prints U+FFFD for it, as the per-record path does', () => {
  for (const bad of INVALID) {
    for (const delimiter of ['\n', '', 'ÿ']) {
      const records = [rec(0, 'a'), rec(1, bad), rec(2, 'é')];
      assert.deepEqual(printed('value', delimiter, records), perRecord('value', delimiter, records), `${JSON.stringify(bad)} with ${JSON.stringify(delimiter)}`);
      assert.ok(printed('value', delimiter, records).toString('utf8').includes('\uFFFD'));
    }
  }
  // Without a delimiter, two broken halves of one character must not join into it: each is U+FFFD.
  const halves = [rec(0, [0xc3]), rec(1, [0xa9])];
  assert.equal(printed('value', '', halves).toString('utf8'), '\uFFFD\uFFFD');
});

test('json: each line is JSON.stringify of the record object; keys, headers, unicode and bad bytes alike', () => {
  const records = [
    rec(0, 'v', 'k', [['h', '1'], ['h', '2'], ['empty', null]]),
    rec(1, null, null),
    rec(2, 'zwei — ünïcode 🎉 "quoted"\nnewline\u2028\u0000', '\u{1F600}', [['ключ', [0xff]]]),
    rec(3, [0x61, 0xff, 0x62], [0xc3]),
  ];
  for (const delimiter of ['\n', '\x00', '']) {
    const expected = records.map((r) => `${JSON.stringify(jsonRecord('orders', 3, r))}${delimiter}`).join('');
    assert.equal(printed('json', delimiter, records).toString('utf8'), expected);
    assert.deepEqual(printed('json', delimiter, records), perRecord('json', delimiter, records));
  }
  // Timestamps before the epoch (-1: none) and offsets of any size print as JSON numbers.
  const odd = [
    { ...rec(0, 'v'), timestamp: -1, offset: 2 ** 53 - 1 },
    { ...rec(0, 'w'), timestamp: 0, offset: 0 },
    ...[9, 10, 99_999_999, 100_000_000, 100_000_005, 1_000_000_000_007].map((n) => ({ ...rec(n, 'x'), timestamp: n * 3 })),
  ];
  assert.equal(printed('json', '\n', odd).toString('utf8'), odd.map((r) => `${JSON.stringify(jsonRecord('orders', 3, r))}\n`).join(''));
  // A topic name that needs quoting is quoted.
  assert.equal(JSON.parse(String(batchPrinter('json')('a"b', 0, [rec(5, 'x')])[0])).topic, 'a"b');
});

test('none prints nothing; base64 and format strings print the per-record text joined', () => {
  assert.equal(printed('none', '\n', VALID).length, 0);
  const records = [...VALID, rec(5, [0x00, 0xff])];
  for (const format of ['base64', '%o:%k:%v %S', '%v\\n']) assert.deepEqual(printed(format, '\n', records), perRecord(format, '\n', records), format);
});

test('a large batch is printed in chunks of about 64 KiB (fresh pages past 128 KiB cost a page fault each), same bytes in the same order', () => {
  const many = Array.from({ length: 3000 }, (_, i) => rec(i, `${i}:${'v'.repeat(100)}`, `k${i}`, i % 2 ? [] : [['h', 'é']]));
  const plain = Array.from({ length: 3000 }, (_, i) => rec(i, i % 7 ? `${i} ü ${'v'.repeat(100)}` : `"esc"\t${i}`, i % 3 ? null : `k${i}`));
  const big = [rec(0, 'x'.repeat(200_000)), rec(1, 'small'), rec(2, '"'.repeat(100_000)), rec(3, 'z')];
  const formats = [['value', many], ['json', many], ['json', plain], ['%o %v', many], ['value', big], ['json', big]] as const;
  for (const [format, records] of formats) {
    const chunks = batchPrinter(format)('orders', 3, records);
    assert.ok(chunks.length > 1, `${format}: ${chunks.length} chunk(s)`);
    for (const c of chunks.slice(0, -1)) assert.ok(Buffer.byteLength(c) >= 16_384 || records === big, `${format}: a chunk of ${Buffer.byteLength(c)} B is not cut short`);
    if (records !== big) for (const c of chunks) assert.ok(Buffer.byteLength(c) <= 128 * 1024, `${format}: a chunk of ${Buffer.byteLength(c)} B`);
    assert.deepEqual(printed(format, '\n', [...records]), perRecord(format, '\n', [...records]), format);
  }
  // A value that is not UTF-8 falls back to text for its own chunk only.
  const mixed = [...many.slice(0, 1500), rec(1500, [0xff]), ...many.slice(1501)];
  const chunks = batchPrinter('value')('orders', 3, mixed);
  assert.ok(chunks.some((c) => typeof c === 'string') && chunks.some((c) => Buffer.isBuffer(c)));
  assert.deepEqual(printed('value', '\n', mixed), perRecord('value', '\n', mixed));
});
