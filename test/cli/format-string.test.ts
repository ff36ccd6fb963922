// kcat format strings and the named formats of `consume --format`, without a broker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { recordPrinter } from '../../src/cli/consume-format.js';
import { compileFormatString, unescape } from '../../src/cli/format-string.js';
import type { KafkaRecord } from '../../src/protocol/records/types.js';

const rec = (key: string | null, value: string | null, headers: [string, string | null][] = []): KafkaRecord => ({
  topic: 'orders',
  partition: 2,
  offset: 17,
  timestamp: 1_700_000_000_123,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: headers.map(([k, v]) => ({ key: k, value: v === null ? null : Buffer.from(v) })),
  attempt: 1,
});

test("every kcat token; a format without a trailing newline gets the delimiter", () => {
  const print = compileFormatString('%t %p %o %k %v %s %h %T %K %S 100%%', '\n');
  assert.equal(print('orders', 2, rec('k1', 'héllo', [['a', '1'], ['b', null]])), 'orders 2 17 k1 héllo héllo a=1,b= 1700000000123 2 6 100%\n');
  // Absent key and value: empty text, length -1.
  assert.equal(compileFormatString('[%k][%v] %K %S', '\n')('orders', 2, rec(null, null)), '[][] -1 -1\n');
});

test('escapes: \\n \\t \\\\ \\xHH; a format ending in \\n gets no second newline; -D replaces the newline', () => {
  assert.equal(compileFormatString('%k\\t%v\\n', '\n')('t', 0, rec('a', 'b')), 'a\tb\n');
  assert.equal(compileFormatString('%v\\x3b\\\\', '|')('t', 0, rec(null, 'v')), 'v;\\|');
  assert.equal(unescape('\\n\\r', '-D'), '\n\r');
});

test('an unknown token or escape is a UsageError at compile time, naming the known ones', () => {
  assert.throws(() => compileFormatString('%t %x', '\n'), (e: unknown) => e instanceof UsageError && /unknown token '%x' \(known: %t %p %o/.test(e.message));
  assert.throws(() => compileFormatString('%v %', '\n'), (e: unknown) => e instanceof UsageError && /unknown token '%'/.test(e.message));
  assert.throws(() => compileFormatString('%v\\q', '\n'), (e: unknown) => e instanceof UsageError && /unknown escape '\\q'/.test(e.message));
  assert.throws(() => compileFormatString('\\x4', '\n'), (e: unknown) => e instanceof UsageError && /\\x needs two hex digits/.test(e.message));
});

test('named formats: value, base64 (binary-safe), json; anything else without % is rejected', () => {
  const binary: KafkaRecord = { ...rec('k', null), value: Buffer.from([0, 255, 10, 13]) };
  assert.equal(recordPrinter('base64')('t', 0, binary), 'AP8KDQ==\n');
  assert.deepEqual(Buffer.from(recordPrinter('base64')('t', 0, binary).trim(), 'base64'), binary.value);
  assert.equal(recordPrinter('value', '\x00')('t', 0, rec(null, 'v')), 'v\x00');
  assert.equal(JSON.parse(recordPrinter('json')('orders', 2, rec('k', 'v'))).offset, 17);
  assert.throws(() => recordPrinter('xml'), (e: unknown) => e instanceof UsageError && /--format must be one of json\|value\|base64\|none or a format string/.test(e.message));
});
