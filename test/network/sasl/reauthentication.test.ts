/**
 * Re-authentication (KIP-368) on a connection whose broker grants a 1 s session: the connection
 * re-authenticates before expiry, again and again, while pipelined requests are in flight; every
 * request is answered, none is sent in the middle of a re-authentication exchange, and the fake
 * broker (which closes a connection used after its session expired, as Kafka does) never has to.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { requestApiVersions } from '../../../src/cluster/api-versions-handshake.js';
import { Connection } from '../../../src/network/connection.js';
import { resolveConnectionOptions } from '../../../src/network/connection-options.js';
import { MechanismAuthenticator, SASL_CHANNEL, type SaslEvent } from '../../../src/network/sasl/authenticator.js';
import { SaslAuthenticationError } from '../../../src/network/sasl/errors.js';
import { ScramMechanism } from '../../../src/network/sasl/scram.js';
import { ConnectionError } from '../../../src/network/errors.js';
import { Heartbeat } from '../../../src/protocol/apis/index.js';
import { FakeBroker } from '../../helpers/fake-broker.js';
import { installSaslServer } from './fake-sasl-server.js';
import { eventually } from '../../helpers/eventually.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(users: Record<string, string>, sessionLifetimeMs: number): Promise<{ broker: FakeBroker; log: ReturnType<typeof installSaslServer> }> {
  const broker = await FakeBroker.start();
  cleanups.push(() => broker.stop());
  const log = installSaslServer(broker, { users, sessionLifetimeMs });
  // Each Heartbeat is answered 10 ms after the one before it (in order, as Kafka does).
  broker.handle(Heartbeat, (req) => log.guard(req.connection, Heartbeat.apiKey) ?? { delayMs: 10, then: { body: { throttleTimeMs: 0, errorCode: 0 } } });
  return { broker, log };
}

async function open(broker: FakeBroker, authenticator: MechanismAuthenticator): Promise<{ conn: Connection; inFlightAtReauth: number[] }> {
  const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'reauth-test' }));
  cleanups.push(() => conn.close());
  await conn.connect();
  const versions = await requestApiVersions(conn, conn.address);
  await authenticator.authenticate(conn, versions);
  const inFlightAtReauth: number[] = [];
  const reauthenticate = conn.reauthenticate.bind(conn);
  conn.reauthenticate = (exchange) => {
    inFlightAtReauth.push(conn.inFlight);
    return reauthenticate(exchange);
  };
  return { conn, inFlightAtReauth };
}

const heartbeat = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

describe('re-authentication (KIP-368)', () => {
  it('re-authenticates a 1 s session before it expires, with pipelined requests in flight: all answered, none dropped', async () => {
    const { broker, log } = await setUp({ alice: 'pw' }, 1_000);
    const reauths: (Error | undefined)[] = [];
    const authenticator = new MechanismAuthenticator(new ScramMechanism('SCRAM-SHA-256', 'alice', 'pw'), { onReauthenticate: (_c, err) => reauths.push(err) });
    const saslEvents: SaslEvent[] = [];
    const onSasl = (event: unknown): void => {
      saslEvents.push(event as SaslEvent);
    };
    subscribe(SASL_CHANNEL, onSasl);
    cleanups.push(() => Promise.resolve(void unsubscribe(SASL_CHANNEL, onSasl)));
    const { conn, inFlightAtReauth } = await open(broker, authenticator);

    // A closed loop of 3 requests always in flight (each answered 10 ms after the one before it):
    // whenever one is answered the next is sent, so a re-authentication always starts behind some.
    const replies: Promise<unknown>[] = [];
    // Until three re-authentications have passed (about 2.7 s; a loaded machine gets up to 10 s).
    const until = performance.now() + 10_000;
    const loop = async (): Promise<void> => {
      while (reauths.length < 3 && performance.now() < until) {
        const reply = conn.request(Heartbeat, 4, heartbeat);
        replies.push(reply);
        await reply;
      }
    };
    await Promise.allSettled([loop(), loop(), loop()]);
    const settled = await Promise.allSettled(replies);
    const failed = settled.filter((s) => s.status === 'rejected');
    assert.equal(failed.length, 0, `rejected: ${failed.map((f) => String((f as PromiseRejectedResult).reason)).join('; ')}`);
    assert.ok(reauths.length >= 3, `${reauths.length} re-authentications of 1 s sessions in 10 s`);
    assert.deepEqual(reauths.filter((e) => e !== undefined), []);
    assert.equal(log.authentications.get(0), 1 + reauths.length, 'all on the one connection');
    assert.ok(inFlightAtReauth.every((n) => n > 0), `requests in flight when each re-authentication began: ${inFlightAtReauth.join(',')}`);
    assert.equal(log.interleaved, 0, 'no request went out in the middle of a re-authentication');
    assert.equal(log.expired, 0, 'no request reached the broker after its session expired');
    assert.equal(conn.closed, false);
    assert.equal(broker.connectionCount, 1);
    // kafka-stage:sasl: the first authentication, then each re-authentication, each granted 1 s.
    assert.deepEqual(saslEvents.map((e) => [e.reauthentication, e.sessionLifetimeMs, e.error]), [[false, 1000, undefined], ...reauths.map(() => [true, 1000, undefined])]);
  });

  it('a refused re-authentication closes the connection; waiting requests reject retriably, caused by the SASL error', async () => {
    const users: Record<string, string> = { alice: 'pw' };
    const { broker } = await setUp(users, 600);
    const reauths: (Error | undefined)[] = [];
    const authenticator = new MechanismAuthenticator(new ScramMechanism('SCRAM-SHA-512', 'alice', 'pw'), { onReauthenticate: (_c, err) => reauths.push(err) });
    const { conn } = await open(broker, authenticator);
    users.alice = 'rotated'; // the broker's credential changes under the open connection
    // Each outcome is caught at once (an error, or undefined when answered).
    const outcomes: Promise<unknown>[] = [];
    // Until the re-authentication (due at 85-95 % of the 600 ms session) fails and closes the
    // connection; the bound only ends a run where it never does (900 ms was missed at load 20).
    await eventually(
      () => {
        if (conn.closed) return true;
        outcomes.push(conn.request(Heartbeat, 4, heartbeat).then(() => undefined, (err: unknown) => err));
        return false;
      },
      { what: 'the refused re-authentication to close the connection', timeoutMs: 10_000, intervalMs: 10 },
    );
    const settled = await Promise.all(outcomes);
    assert.equal(conn.closed, true);
    assert.equal(reauths.length, 1);
    assert.ok(reauths[0] instanceof SaslAuthenticationError);
    assert.equal((reauths[0] as SaslAuthenticationError).context.reauthentication, true);
    assert.match((reauths[0] as Error).message, /^SASL SCRAM-SHA-512 re-authentication of user 'alice' failed/);
    const rejected = settled.filter((outcome) => outcome !== undefined);
    assert.ok(rejected.length > 0, 'some requests were waiting when it failed');
    for (const reason of rejected) {
      assert.ok(reason instanceof ConnectionError && reason.retriable, String(reason));
    }
    assert.ok(rejected.some((r) => (r as ConnectionError).cause instanceof SaslAuthenticationError));
  });
});
