import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { bufferView } from '../../../src/protocol/records/buffer-view.js';

test('a view is a Buffer over the bytes, no copy, in every way a caller can see', () => {
  const bytes = Buffer.from('hello world');
  const view = bufferView(bytes.buffer, bytes.byteOffset + 6, 5);
  assert.ok(Buffer.isBuffer(view));
  assert.ok(view instanceof Buffer);
  assert.equal(view.constructor, Buffer);
  assert.equal(view.toString(), 'world');
  assert.ok(view.equals(Buffer.from('world')));
  assert.deepEqual(view.toJSON(), { type: 'Buffer', data: [...Buffer.from('world')] });
  assert.equal(inspect(view), '<Buffer 77 6f 72 6c 64>');
  assert.equal(view.readUInt8(0), 0x77);
  for (const part of [view.subarray(1), view.slice(1)]) {
    assert.equal(Object.getPrototypeOf(part), Buffer.prototype, 'subarray and slice make ordinary Buffers');
    assert.equal(part.toString(), 'orld');
  }
  bytes[6] = 0x57;
  assert.equal(view.toString(), 'World', 'a view, not a copy');
});
