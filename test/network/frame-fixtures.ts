/** Frame bodies and size-prefixed streams shared by the FrameDecoder and FrameReader tests. */

/** A frame body of `size` bytes whose content depends on `seed`, so frames cannot be confused. */
export function body(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

/** The bodies as a stream of frames, each behind its int32 size prefix. */
export function framed(...bodies: Buffer[]): Buffer {
  return Buffer.concat(
    bodies.flatMap((b) => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(b.length);
      return [size, b];
    }),
  );
}
