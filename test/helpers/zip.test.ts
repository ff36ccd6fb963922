/**
 * The test helpers' zip reader (test/helpers/zip.ts) on archives built here byte by byte: it reads
 * stored and deflated entries, and refuses, with a ZipError naming why, every archive it cannot
 * read faithfully (bad CRC, lying sizes, a decompression bomb, zip64, encryption, other methods,
 * truncation) instead of returning wrong bytes or allocating past the entry's declared size.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { readZipEntries, ZipError } from './zip.js';

interface Entry {
  name: string;
  data: Buffer;
  method?: 0 | 8;
  /** Overrides of the central directory record, to build broken archives. */
  size?: number;
  crc?: number;
  flags?: number;
  methodCode?: number;
}

/** A zip archive of `entries` (local headers, data, central directory, end record). */
function zipOf(entries: Entry[], endOverrides: { count?: number } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.methodCode ?? e.method ?? 0;
    const payload = e.method === 8 ? deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(e.crc ?? crc32(e.data) >>> 0, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(e.size ?? e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, payload);
    centrals.push(central, name);
    offset += local.length + name.length + payload.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(endOverrides.count ?? entries.length, 8);
  end.writeUInt16LE(endOverrides.count ?? entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('zip reader (test/helpers/zip.ts)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-stage-zip-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const archive = (bytes: Buffer): string => {
    const path = join(dir, `a${n++}.zip`);
    writeFileSync(path, bytes);
    return path;
  };
  const refused = (path: string, reason: RegExp) => (err: unknown) => err instanceof ZipError && err.message.startsWith(path) && reason.test(err.message);

  it('reads stored and deflated entries, only those asked for, and skips folders', () => {
    const text = Buffer.from('{ "name": "FetchRequest" } '.repeat(50));
    const path = archive(
      zipOf([
        { name: 'common/message/', data: Buffer.alloc(0) },
        { name: 'common/message/A.json', data: text, method: 8 },
        { name: 'common/message/B.json', data: Buffer.from('stored'), method: 0 },
        { name: 'other/C.class', data: Buffer.from('skip me') },
      ]),
    );
    const got = readZipEntries(path, (name) => name.startsWith('common/'));
    assert.deepEqual([...got.keys()], ['common/message/A.json', 'common/message/B.json']);
    assert.ok(got.get('common/message/A.json')?.equals(text));
    assert.equal(got.get('common/message/B.json')?.toString(), 'stored');
  });

  it('refuses an entry whose bytes fail their CRC-32', () => {
    const path = archive(zipOf([{ name: 'a', data: Buffer.from('hello'), crc: 1234 }]));
    assert.throws(() => readZipEntries(path, () => true), refused(path, /entry a fails its CRC-32 check/));
  });

  it('refuses an entry that inflates past its declared size, without inflating the rest (a bomb)', () => {
    const bomb = Buffer.alloc(8 * 1024 * 1024);
    const path = archive(zipOf([{ name: 'bomb', data: bomb, method: 8, size: 10 }]));
    assert.throws(() => readZipEntries(path, () => true), refused(path, /entry bomb (does not inflate|holds 11 bytes)/));
    const short = archive(zipOf([{ name: 'short', data: Buffer.from('abc'), method: 8, size: 4 }]));
    assert.throws(() => readZipEntries(short, () => true), refused(short, /holds 3 bytes, its header says 4/));
  });

  it('refuses zip64, encrypted entries and compression methods other than stored and deflate', () => {
    const zip64 = archive(zipOf([{ name: 'a', data: Buffer.from('x') }], { count: 0xffff }));
    assert.throws(() => readZipEntries(zip64, () => true), refused(zip64, /zip64/));
    const encrypted = archive(zipOf([{ name: 'a', data: Buffer.from('x'), flags: 1 }]));
    assert.throws(() => readZipEntries(encrypted, () => true), refused(encrypted, /encrypted/));
    const bzip2 = archive(zipOf([{ name: 'a', data: Buffer.from('x'), methodCode: 12 }]));
    assert.throws(() => readZipEntries(bzip2, () => true), refused(bzip2, /compression method 12/));
  });

  it('refuses a truncated archive and a file that is not a zip', () => {
    const whole = zipOf([{ name: 'a', data: Buffer.from('some bytes here') }]);
    for (const cut of [whole.length - 1, whole.length - 30, 10]) {
      const path = archive(whole.subarray(0, cut));
      assert.throws(() => readZipEntries(path, () => true), (err: unknown) => err instanceof ZipError, `cut at ${cut}`);
    }
    const text = archive(Buffer.from('just some text, no archive at all'));
    assert.throws(() => readZipEntries(text, () => true), refused(text, /not a zip archive/));
  });
});
