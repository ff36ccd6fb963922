/** The declarative schema language: version ranges, defaults, tagged fields, struct-typed tags, nullability. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Reader } from '../../src/protocol/reader.js';
import {
  array,
  bool,
  defineApi,
  field,
  int16,
  int32,
  int64,
  isDefault,
  nullableArray,
  nullableString,
  parseVersions,
  string,
  struct,
  uuid,
  ZERO_UUID,
} from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';

const point = struct({
  x: field(int32, '0+', { default: -1 }),
  y: field(int32, '0+', { default: -1 }),
});

const sample = struct({
  id: field(int32, '0+'),
  name: field(string, '1+', { default: 'none' }),
  legacy: field(int16, '0-2'),
  epoch: field(int64, '2+', { default: -1n }),
  label: field(nullableString, '3+', { tag: 0, default: null }),
  where: field(point, '3+', { tag: 1 }),
  tags: field(array(string), '3+', { tag: 2 }),
  topicId: field(uuid, '4+', { tag: 3 }),
  items: field(array(struct({ k: field(string, '0+'), v: field(int32, '0+') })), '0+'),
  maybe: field(nullableArray(int32), '1+'),
});

function encode(version: number, flexible: boolean, value: Parameters<typeof sample.write>[1]): Buffer {
  const w = new Writer(8);
  sample.write(w, value, version, flexible);
  return Buffer.from(w.finish());
}

function decode(version: number, flexible: boolean, buf: Buffer): ReturnType<typeof sample.read> {
  const r = new Reader(buf);
  const v = sample.read(r, version, flexible);
  assert.equal(r.remaining, 0, 'all bytes consumed');
  return v;
}

describe('version ranges', () => {
  it('parses the spec notation', () => {
    assert.deepEqual(parseVersions('3+'), [3, Number.MAX_SAFE_INTEGER]);
    assert.deepEqual(parseVersions('0-2'), [0, 2]);
    const [lo, hi] = parseVersions('none');
    assert.ok(lo > hi, 'none is an empty range');
  });

  it('writes only the fields of the version, in declaration order', () => {
    const value = { id: 1, name: 'n', legacy: 2, epoch: 3n, items: [], maybe: null };
    // v0: id, legacy, items
    assert.equal(encode(0, false, value).toString('hex'), '00000001' + '0002' + '00000000');
    // v2: id, name, legacy, epoch, items, maybe
    assert.equal(
      encode(2, false, value).toString('hex'),
      '00000001' + '00016e' + '0002' + '0000000000000003' + '00000000' + 'ffffffff',
    );
    // v3 (not flexible): legacy gone, tagged fields not sent at all
    assert.equal(encode(3, false, value).toString('hex'), '00000001' + '00016e' + '0000000000000003' + '00000000' + 'ffffffff');
  });

  it('decodes fields absent from a version to their defaults', () => {
    const v0 = decode(0, false, Buffer.from('00000007' + '0009' + '00000000', 'hex'));
    assert.deepEqual(v0, {
      id: 7,
      name: 'none',
      legacy: 9,
      epoch: -1n,
      label: null,
      where: { x: -1, y: -1 },
      tags: [],
      topicId: ZERO_UUID,
      items: [],
      maybe: null,
    });
  });

  it('fills omitted input fields with their defaults when writing', () => {
    const buf = encode(2, false, { id: 1, items: [{ k: 'a', v: 2 }] });
    const v = decode(2, false, buf);
    assert.equal(v.name, 'none');
    assert.equal(v.epoch, -1n);
    assert.equal(v.legacy, 0);
    assert.deepEqual(v.items, [{ k: 'a', v: 2 }]);
  });

  it('decoded defaults are fresh objects: mutating one decode leaves the next alone', () => {
    const buf = Buffer.from('00000007' + '0009' + '00000000', 'hex');
    const first = decode(0, false, buf);
    first.tags.push('mutated');
    first.where.x = 99;
    const second = decode(0, false, buf);
    assert.deepEqual(second.tags, []);
    assert.deepEqual(second.where, { x: -1, y: -1 });
    assert.deepEqual(point.zero, { x: -1, y: -1 });
  });
});

describe('tagged fields', () => {
  const base = { id: 1, name: 'n', epoch: 0n, items: [], maybe: [] };

  it('are not written when equal to their defaults', () => {
    const plain = encode(4, true, base);
    const defaults = encode(4, true, { ...base, label: null, where: { x: -1, y: -1 }, tags: [], topicId: ZERO_UUID });
    const partialDefault = encode(4, true, { ...base, where: {} });
    assert.ok(plain.equals(defaults));
    assert.ok(plain.equals(partialDefault));
    assert.equal(plain.at(-1), 0, 'an empty tagged section');
  });

  it('are written in tag order when set, and read back', () => {
    const topicId = Buffer.alloc(16, 0xab).toString('base64url');
    const value = { ...base, topicId, tags: ['a'], label: 'L', where: { x: 5 } };
    const buf = encode(4, true, value);
    // The section starts after the plain fields: 3 tagged fields follow tag 0.. ascending.
    const decoded = decode(4, true, buf);
    assert.equal(decoded.label, 'L');
    assert.deepEqual(decoded.where, { x: 5, y: -1 });
    assert.deepEqual(decoded.tags, ['a']);
    assert.equal(decoded.topicId, topicId);
    const r = new Reader(buf);
    const tags: number[] = [];
    // Skip the plain fields by decoding them with the struct at v4 minus tags: read manually.
    r.int32();
    r.compactString();
    r.int64();
    r.arrayLength(true);
    r.arrayLength(true);
    r.taggedFields((tag) => tags.push(tag));
    assert.deepEqual(tags, [0, 1, 2, 3]);
  });

  it('are absent (default) in versions before they exist', () => {
    const buf = encode(3, true, { ...base, topicId: Buffer.alloc(16, 1).toString('base64url'), label: 'x' });
    const decoded = decode(3, true, buf);
    assert.equal(decoded.label, 'x');
    assert.equal(decoded.topicId, ZERO_UUID, 'tag 3 exists from v4');
  });

  it('unknown tags are skipped', () => {
    const known = encode(4, true, { ...base, label: 'k' });
    // Rewrite the tagged section: tag 0 (label) plus an unknown tag 7 with 3 bytes.
    const sectionAt = known.length - 1 - (1 + 1 + 2); // count, tag, size, 'k' compact (02 6b)
    const head = known.subarray(0, sectionAt);
    const section = Buffer.from('02' + '00' + '02' + '026b' + '07' + '03' + 'aabbcc', 'hex');
    const decoded = decode(4, true, Buffer.concat([head, section]));
    assert.equal(decoded.label, 'k');
  });

  it('honour taggedVersions narrower than versions', () => {
    const s = struct({ a: field(int32, '0+'), b: field(int32, '0+', { tag: 0, taggedVersions: '2+' }) });
    const w = new Writer();
    s.write(w, { a: 1, b: 2 }, 1, true);
    const r = new Reader(Buffer.from(w.finish()));
    assert.deepEqual(s.read(r, 1, true), { a: 1, b: 0 }, 'not sent before its tagged versions');
    const w2 = new Writer();
    s.write(w2, { a: 1, b: 2 }, 2, true);
    assert.deepEqual(s.read(new Reader(Buffer.from(w2.finish())), 2, true), { a: 1, b: 2 });
  });
});

describe('isDefault', () => {
  it('compares primitives, bigints, empty arrays, buffers and structs field by field', () => {
    assert.ok(isDefault(-1n, -1n));
    assert.ok(!isDefault(0n, -1n));
    assert.ok(isDefault([], []));
    assert.ok(!isDefault([1], []));
    assert.ok(isDefault(Buffer.alloc(0), Buffer.alloc(0)));
    assert.ok(isDefault({ x: -1, y: -1 }, { x: -1, y: -1 }));
    assert.ok(isDefault({ x: -1 }, { x: -1, y: -1 }), 'missing keys take their default');
    assert.ok(!isDefault({ x: -1, y: 0 }, { x: -1, y: -1 }));
    assert.ok(!isDefault(null, { x: -1 }));
  });
});

describe('nullable fields', () => {
  it('null and empty stay distinct in plain and compact encodings', () => {
    for (const flexible of [false, true]) {
      const nullBuf = encode(1, flexible, { id: 1, items: [], maybe: null });
      const emptyBuf = encode(1, flexible, { id: 1, items: [], maybe: [] });
      assert.equal(decode(1, flexible, nullBuf).maybe, null);
      assert.deepEqual(decode(1, flexible, emptyBuf).maybe, []);
    }
  });

  it('a null where an array is required is refused', () => {
    const buf = Buffer.from('00000001' + '0000' + 'ffffffff', 'hex');
    assert.throws(() => decode(0, false, buf), ProtocolError);
  });

  // As Kafka's specs say `"nullableVersions": "2+"`: the field exists from v0 but admits null from v2.
  const limited = struct({
    name: field(nullableString, '0+', { nullableVersions: '2+' }),
    tags: field(nullableArray(int32), '0+', { nullableVersions: '2+' }),
    hint: field(nullableString, '0+', { tag: 0, nullableVersions: '3+' }),
  });

  it('nullableVersions: null is written and read only in the versions that allow it', () => {
    for (const [version, flexible] of [
      [2, false],
      [3, true],
    ] as const) {
      const w = new Writer(32);
      limited.write(w, { name: null, tags: null, hint: null }, version, flexible);
      const back = limited.read(new Reader(w.finish()), version, flexible);
      assert.deepEqual(back, { name: null, tags: null, hint: null }, `v${version}`);
    }
    for (const [key, value] of [
      ['name', null],
      ['tags', null],
    ] as const) {
      const input = { name: 'a', tags: [1], [key]: value };
      assert.throws(() => limited.write(new Writer(32), input, 1, false), (e: unknown) => e instanceof ProtocolError && e.message.includes(`${key} is null in version 1`));
    }
  });

  it('nullableVersions: a peer sending null where the version does not allow it is refused', () => {
    // v1, plain encoding: name as a null string (-1), tags as an empty array.
    const nullName = Buffer.from('ffff' + '00000000', 'hex');
    assert.throws(() => limited.read(new Reader(nullName), 1, false), (e: unknown) => e instanceof ProtocolError && e.message.includes('name is null in version 1'));
    const nullTags = Buffer.from('0001' + '61' + 'ffffffff', 'hex');
    assert.throws(() => limited.read(new Reader(nullTags), 1, false), ProtocolError);
    assert.deepEqual(limited.read(new Reader(nullTags), 2, false), { name: 'a', tags: null, hint: null });
  });
});

describe('array counts and struct sizes', () => {
  it('a struct element count that cannot fit the bytes left is refused without looping', () => {
    const many = array(struct({ a: field(int32, '0+'), b: field(int64, '0+') }));
    assert.equal(many.item.minBytes, 12);
    // 2 elements claimed, 20 bytes left: 2 x 12 > 20.
    const buf = Buffer.concat([Buffer.from('00000002', 'hex'), Buffer.alloc(20)]);
    assert.throws(() => many.read(new Reader(buf), 0, false), ProtocolError);
  });
});

describe('defineApi', () => {
  it('derives the version range and flexible start', () => {
    const api = defineApi({
      apiKey: 99,
      name: 'Test',
      versions: '2-5',
      flexibleVersions: '4+',
      request: { a: field(bool, '0+') },
      response: { b: field(int32, '0+') },
    });
    assert.equal(api.minVersion, 2);
    assert.equal(api.maxVersion, 5);
    assert.equal(api.flexibleFrom, 4);
    const none = defineApi({ apiKey: 98, name: 'T2', versions: '0-1', flexibleVersions: 'none', request: {}, response: {} });
    assert.equal(none.flexibleFrom, Infinity);
  });
});
