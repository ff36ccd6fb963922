// Bench runner for @platformatic/kafka (PROTOCOL.md). One runner serves both pinned versions in
// bench/peers/package.json: --package @platformatic/kafka (1.x, the default) or
// --package platformatic-kafka-latest (the newest, which needs Node >= 22.22).
// Usage: node bench/clients/platformatic.mjs --topic T --scenario S [--count N] [--max-ms M] [--package P]
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { runnerArgs, Tally, fail } from './runner-kit.mjs';

const packages = ['@platformatic/kafka', 'platformatic-kafka-latest'];
const args = runnerArgs({ package: { type: 'string', default: packages[0] } });
const name = args.extra.package;
if (!packages.includes(name)) fail(`--package must be one of ${packages.join(', ')}`);

// The package is ESM-only: resolve it from bench/peers, then import the file.
const peers = createRequire(new URL('../peers/package.json', import.meta.url));
const { Consumer, MessagesStreamModes, MessagesStreamFallbackModes } = await import(
  pathToFileURL(peers.resolve(name)).href
);

const tally = new Tally(args);
const never = new Promise(() => {});

// Its logging goes through the `debug` module: silent unless DEBUG=plt:kafka:* is set, and then
// on stderr, so stdout stays the protocol's.
tally.start();
// Defaults apart from the group id: autocommit true (each fetch's end offsets are committed as soon
// as its records are pushed into the stream, before the handler has seen them), maxBytes 10 MB in
// 1.x / 50 MB in 2.x, highWaterMark 1024 messages, maxWaitTime 5 s.
const consumer = new Consumer({
  clientId: 'bench-platformatic',
  bootstrapBrokers: args.brokers.split(','),
  groupId: args.group,
});

let stream;
try {
  // COMMITTED with fallback EARLIEST = a group that resumes from its commits, else from the
  // earliest offset (auto.offset.reset earliest); the group is fresh, so earliest.
  stream = await consumer.consume({
    topics: [args.topic],
    mode: MessagesStreamModes.COMMITTED,
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
  });
} catch (error) {
  fail(`platformatic: ${error?.stack ?? error}`);
}
stream.on('error', (error) => {
  // After RESULT the run is measured; a late error must not turn it into a failure.
  if (!tally.done) fail(`platformatic stream: ${error?.stack ?? error}`);
});

// consume() resolves once the group is joined; 'offsets' follows when the stream has looked up the
// assigned partitions' start positions, the first moment it can fetch.
stream.once('offsets', () => tally.ready());

if (args.scenario === 'slow' || args.scenario === 'stalled') {
  // A per-record handler that the stream waits for: the async iterator from the README (a 'data'
  // listener would not wait for an async handler).
  for await (const message of stream) {
    // After RESULT, stop reading: the stream fills its buffer, then stops fetching.
    if (tally.touch(message.value)) await never;
    await (args.scenario === 'slow' ? sleep(1) : never);
  }
} else {
  // drain/latency: the README's event-based consumption, a synchronous 'data' listener, the
  // cheapest documented way to see every message.
  tally.onDone = () => stream.pause();
  stream.on('data', (message) => tally.touch(message.value));
}
