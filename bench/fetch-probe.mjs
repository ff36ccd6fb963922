// Preload (`node --import ./bench/fetch-probe.mjs <program>`) that counts what the consumer's Fetch
// rounds cost, for the scale benchmarks (issue 14, item 4). It listens on the library's
// `kafka-stage:fetch` diagnostics channel (one event per Fetch sent: its partitions and their sizes)
// and on Node's `net.client.socket` channel (every client socket, for its byte counters), and at exit
// writes one line to stderr:
//   FETCH-PROBE {"fetches", "partsPerFetch", "askedBytesPerFetch", "sentBytes", "receivedBytes",
//                "sentPerFetch", "receivedPerFetch", "fetchesPerSecond", "msPerRound", "msInFlight"}
// Bytes are those of every socket the process opened (Fetch dominates a drain: the other requests —
// metadata, heartbeats, commits — are a few per second), so sentPerFetch and receivedPerFetch are the
// Fetch request and response sizes per round to within that. fetchesPerSecond and msPerRound are
// measured from the first Fetch to the last one sent; msInFlight is the mean time a Fetch was out (sent
// to answered, `kafka-stage:request`): the rest of a round is the client's.
import { subscribe } from 'node:diagnostics_channel';

const sockets = new Set();
let fetches = 0;
let parts = 0;
let asked = 0;
let firstAt = 0;
let lastAt = 0;

let fetchMs = 0;
let answered = 0;
subscribe('net.client.socket', ({ socket }) => sockets.add(socket));
subscribe('kafka-stage:request', (event) => {
  if (event.api !== 'Fetch' || event.error) return;
  fetchMs += event.durationMs;
  answered++;
});
subscribe('kafka-stage:fetch', (event) => {
  const now = performance.now();
  if (fetches === 0) firstAt = now;
  lastAt = now;
  fetches++;
  parts += event.partitions.length;
  for (const p of event.partitions) asked += p.maxBytes;
});

process.on('exit', () => {
  let sentBytes = 0;
  let receivedBytes = 0;
  for (const socket of sockets) {
    sentBytes += socket.bytesWritten ?? 0;
    receivedBytes += socket.bytesRead ?? 0;
  }
  const per = (n) => (fetches > 0 ? Math.round(n / fetches) : null);
  const spanMs = lastAt - firstAt;
  const report = {
    fetches,
    partsPerFetch: fetches > 0 ? +(parts / fetches).toFixed(1) : null,
    askedBytesPerFetch: per(asked),
    sentBytes,
    receivedBytes,
    sentPerFetch: per(sentBytes),
    receivedPerFetch: per(receivedBytes),
    fetchesPerSecond: spanMs > 0 ? +((fetches - 1) / (spanMs / 1000)).toFixed(1) : null,
    msPerRound: fetches > 1 ? +(spanMs / (fetches - 1)).toFixed(2) : null,
    msInFlight: answered > 0 ? +(fetchMs / answered).toFixed(2) : null,
  };
  process.stderr.write(`FETCH-PROBE ${JSON.stringify(report)}\n`);
});
