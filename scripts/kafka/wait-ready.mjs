// Waits until every node of a local cluster answers a Metadata request listing all nodes.
// Self-contained (no build step): it runs before the library is compiled.
// Usage: node wait-ready.mjs <bootstrap host:port,...> <expected nodes> <timeout ms> [pid,pid,...]
// With pids, it fails at once when one of those processes has exited (a node that died at start).
import net from 'node:net';

const [bootstrapArg, nodesArg, timeoutArg, pidsArg] = process.argv.slice(2);
const pids = (pidsArg ?? '').split(',').filter(Boolean).map(Number);
const addresses = bootstrapArg.split(',').map((a) => {
  const [host, port] = a.split(':');
  return { host, port: Number(port) };
});
const expectedNodes = Number(nodesArg);
const deadline = Date.now() + Number(timeoutArg ?? 90000);

/** Metadata v4 with null topics: header v1 then topics=null, allow_auto_topic_creation=false. */
function metadataRequest() {
  const clientId = Buffer.from('kafka-stage-wait');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 1);
  let o = 0;
  o = body.writeInt16BE(3, o);
  o = body.writeInt16BE(4, o);
  o = body.writeInt32BE(1, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(-1, o);
  body.writeInt8(0, o);
  const frame = Buffer.alloc(4);
  frame.writeInt32BE(body.length);
  return Buffer.concat([frame, body]);
}

function brokerCount({ host, port }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let data = Buffer.alloc(0);
    const done = (value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(3000, () => done(-1));
    socket.on('error', () => done(-1));
    socket.on('connect', () => socket.write(metadataRequest()));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length < 4 || data.length < 4 + data.readInt32BE(0)) return;
      // size, correlation id, throttle_time_ms, brokers array length
      done(data.readInt32BE(12));
    });
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (;;) {
  const counts = await Promise.all(addresses.map(brokerCount));
  if (counts.every((c) => c >= expectedNodes)) process.exit(0);
  const dead = pids.filter((pid) => !isAlive(pid));
  if (dead.length > 0) {
    console.error(`kafka-stage: broker process(es) ${dead.join(',')} exited during start-up`);
    process.exit(1);
  }
  if (Date.now() > deadline) {
    console.error(`kafka-stage: cluster ${bootstrapArg} not ready (brokers seen: ${counts.join(',')})`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 300));
}
