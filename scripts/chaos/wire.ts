/**
 * Two Kafka requests the fault injection needs while the cluster is under load — partition leaders
 * (Metadata v4) and a group's coordinator (FindCoordinator v1) — spoken directly over a socket.
 * A Java tool takes tens of seconds to start on a busy machine; this takes milliseconds. It shares
 * no code with the client under test, so a client defect cannot misdirect a fault.
 */
import net from 'node:net';

/** Sends one request (API key, version, body) to `address` and resolves with the response body after the correlation id. */
function roundTrip(address: string, apiKey: number, version: number, body: Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const [host, port] = address.split(':');
  const clientId = Buffer.from('kafka-stage-chaos');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(1, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) });
    let data = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer from ${address} in ${timeoutMs} ms`)));
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat([size, payload])));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= 4 + data.readInt32BE(0)) {
        socket.destroy();
        resolve(data.subarray(8, 4 + data.readInt32BE(0)));
      }
    });
  });
}

/** A cursor over a response body. */
class Reader {
  private o = 0;
  constructor(private readonly b: Buffer) {}
  i8(): number {
    return this.b.readInt8(this.o++);
  }
  i16(): number {
    const v = this.b.readInt16BE(this.o);
    this.o += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.o);
    this.o += 4;
    return v;
  }
  str(): string | null {
    const n = this.i16();
    if (n < 0) return null;
    const s = this.b.toString('utf8', this.o, this.o + n);
    this.o += n;
    return s;
  }
  array<T>(item: () => T): T[] {
    const n = this.i32();
    return Array.from({ length: Math.max(0, n) }, item);
  }
}

/** Leader and replicas of each partition of `topic`, from the first node of `bootstrap` that answers. */
export async function partitionLeaders(bootstrap: string[], topic: string): Promise<Map<number, { leader: number; replicas: number[] }>> {
  const name = Buffer.from(topic);
  const body = Buffer.alloc(4 + 2 + name.length + 1);
  body.writeInt32BE(1, 0);
  body.writeInt16BE(name.length, 4);
  name.copy(body, 6);
  body.writeInt8(0, 6 + name.length); // allow_auto_topic_creation = false
  let lastError: unknown = null;
  for (const address of bootstrap) {
    try {
      const r = new Reader(await roundTrip(address, 3, 4, body));
      r.i32(); // throttle
      r.array(() => [r.i32(), r.str(), r.i32(), r.str()]);
      r.str(); // cluster id
      r.i32(); // controller
      const result = new Map<number, { leader: number; replicas: number[] }>();
      r.array(() => {
        r.i16();
        r.str();
        r.i8();
        r.array(() => {
          r.i16();
          const partition = r.i32();
          const leader = r.i32();
          const replicas = r.array(() => r.i32());
          r.array(() => r.i32()); // isr
          result.set(partition, { leader, replicas });
        });
      });
      if (result.size > 0) return result;
      lastError = new Error(`${address}: no partitions of ${topic}`);
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`metadata of ${topic}: ${String(lastError)}`);
}

/** Node id of the group's coordinator, from the first node of `bootstrap` that answers without an error. */
export async function groupCoordinator(bootstrap: string[], group: string): Promise<number> {
  const key = Buffer.from(group);
  const body = Buffer.alloc(2 + key.length + 1);
  body.writeInt16BE(key.length, 0);
  key.copy(body, 2);
  body.writeInt8(0, 2 + key.length); // key_type 0: a group
  let lastError: unknown = null;
  for (const address of bootstrap) {
    try {
      const r = new Reader(await roundTrip(address, 10, 1, body));
      r.i32(); // throttle
      const errorCode = r.i16();
      r.str();
      const node = r.i32();
      if (errorCode === 0) return node;
      lastError = new Error(`${address}: error code ${errorCode}`);
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`coordinator of ${group}: ${String(lastError)}`);
}
