/**
 * Buffer views of fetched bytes at the cost of a bare typed-array construction.
 *
 * Every decoded key and value is a view into the fetched bytes. `Buffer.from(arrayBuffer, offset,
 * length)` makes one through argument checks, a native `isAnyArrayBuffer` call and Node's internal
 * `FastBuffer` class; in a profile of a 100 B drain that path was about 7 % of the busy time, twice
 * what constructing the typed array costs. The class here is what `FastBuffer` is: a `Uint8Array`
 * subclass whose prototype chain runs through `Buffer.prototype`, with `constructor` set to
 * `Buffer`, so its instances are Buffers in every respect a caller sees (`Buffer.isBuffer`,
 * `instanceof Buffer`, every Buffer method, `subarray()` and `slice()` returning ordinary Buffers,
 * `util.inspect` printing `<Buffer …>`).
 *
 * The class is anonymous on purpose. Build steps that keep class names (esbuild's `keepNames`, as
 * tsx runs it) redefine a named class's `name` after creation, and V8 then constructs instances
 * off its fast path: ten times slower than `Buffer.from`. An anonymous class has no name to keep.
 */
const BufferView: new (arrayBuffer: ArrayBuffer, byteOffset: number, length: number) => Uint8Array = [class extends Uint8Array {}][0] as typeof Uint8Array;
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
// As on Node's FastBuffer.prototype: species look-ups (subarray, slice, map) go through
// Buffer[Symbol.species] and make ordinary Buffers; inspect names the view a Buffer.
Object.defineProperty(BufferView.prototype, 'constructor', { value: Buffer, writable: true, configurable: true, enumerable: false });

/** A Buffer over `length` bytes of `arrayBuffer` from `byteOffset`, no copy. The caller checks the range. */
export function bufferView(arrayBuffer: ArrayBufferLike, byteOffset: number, length: number): Buffer {
  return new BufferView(arrayBuffer as ArrayBuffer, byteOffset, length) as Buffer;
}
