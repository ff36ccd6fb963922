/** One request over a fresh socket to a fake broker, decoded with our schemas: for tests that speak the wire directly. */
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/protocol/frame.js';
import type { AnyApi, ApiDefinition, RequestIn, ResponseOut } from '../../src/protocol/schema.js';

/** Reads one size-prefixed frame (prefix removed), or null when the peer closes first. */
function readFrame(socket: Socket): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let held = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      held = Buffer.concat([held, chunk]);
      if (held.length >= 4 && held.length >= 4 + held.readInt32BE(0)) {
        socket.off('data', onData);
        resolve(held.subarray(4, 4 + held.readInt32BE(0)));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(null));
  });
}

/** Sends `body` as `api` v`version` to `address` and decodes the answer; null when the broker closes the connection instead. */
export async function roundTrip<A extends AnyApi>(address: string, api: A, version: number, body: RequestIn<A>): Promise<ResponseOut<A> | null> {
  const [host, port] = address.split(':') as [string, string];
  const socket = connect(Number(port), host);
  socket.on('error', () => socket.destroy());
  await once(socket, 'connect');
  try {
    socket.write(encodeRequest(api as unknown as ApiDefinition<unknown, RequestIn<A>, unknown, never>, version, 1, 'wire-test', body));
    const frame = await readFrame(socket);
    return frame === null ? null : decodeResponse(api, version, frame);
  } finally {
    socket.destroy();
  }
}
