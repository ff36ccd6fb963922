// The broker a top-level script (demo, bench) runs against: KAFKA_BROKERS when set, else one
// already answering on 127.0.0.1:KAFKA_BASE_PORT (default 19092, left running), else one started
// with scripts/kafka/start.sh (which fetches the jars on first use) and stopped by release().
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** True when something accepts TCP connections on host:port within a second. */
export function answers(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Finds or starts a broker. Returns `{ brokers, started, release }`; `release()` stops a broker
 * this call started unless `keep` (then it says how to stop it). `say` logs each step.
 */
export async function acquireBroker({ say, keep = false, startArgs = [] }) {
  if (process.env.KAFKA_BROKERS) {
    say(`using KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
    return { brokers: process.env.KAFKA_BROKERS, started: false, release: () => {} };
  }
  const port = Number(process.env.KAFKA_BASE_PORT ?? 19092);
  if (await answers('127.0.0.1', port)) {
    say(`using the broker already running at 127.0.0.1:${port}; it is left running`);
    return { brokers: `127.0.0.1:${port}`, started: false, release: () => {} };
  }
  say('starting a local Kafka broker with scripts/kafka/start.sh (the first run downloads the jars)');
  const out = execFileSync('bash', [join(root, 'scripts/kafka/start.sh'), ...startArgs], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const brokers = out.toString().trim().split('\n').pop();
  say(`broker ready at ${brokers}`);
  let running = true;
  const release = () => {
    if (!running) return;
    running = false;
    if (keep) {
      say(`the broker it started is still running at ${brokers}; stop it with: npm run kafka:stop`);
      return;
    }
    execFileSync('bash', [join(root, 'scripts/kafka/stop.sh')], { cwd: root, stdio: 'inherit' });
    say('stopped the broker it started (pass --keep-broker to leave it running)');
  };
  return { brokers, started: true, release };
}
