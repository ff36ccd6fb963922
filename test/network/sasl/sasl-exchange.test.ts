/**
 * The SASL exchange through the real cluster client against a FakeBroker speaking the broker side
 * (fake-sasl-server.ts): each mechanism connects; a wrong password, an unknown mechanism and each
 * kind of hostile SCRAM server end in a typed, non-retriable error within a second, after exactly
 * one attempt (no retry storm).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Cluster } from '../../../src/cluster/cluster.js';
import type { ClusterOptions } from '../../../src/cluster/options.js';
import { SaslAuthenticationError, UnsupportedSaslMechanismError } from '../../../src/network/sasl/errors.js';
import { Metadata, SaslAuthenticate, SaslHandshake } from '../../../src/protocol/apis/index.js';
import { FakeBroker } from '../../helpers/fake-broker.js';
import { metadataAnswer } from '../../helpers/metadata-answer.js';
import { installSaslServer, type SaslServerOptions, type ScramHostility } from './fake-sasl-server.js';

const PASSWORD = 'correct horse battery staple';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function saslBroker(options: SaslServerOptions = {}): Promise<{ broker: FakeBroker; log: ReturnType<typeof installSaslServer> }> {
  const broker = await FakeBroker.start();
  cleanups.push(() => broker.stop());
  const log = installSaslServer(broker, { users: { alice: PASSWORD, 'a=b,c': PASSWORD }, tokens: ['good.token.'], ...options });
  broker.handle(Metadata, (req) => {
    const guarded = log.guard(req.connection, Metadata.apiKey);
    if (guarded) return guarded;
    return { body: metadataAnswer([broker]) };
  });
  return { broker, log };
}

function cluster(brokers: FakeBroker[], sasl: ClusterOptions['sasl'], retry?: ClusterOptions['retry']): Cluster {
  const c = new Cluster({ brokers: brokers.map((b) => b.address), sasl, retry, connectTimeoutMs: 5_000 });
  cleanups.push(() => c.close());
  return c;
}

describe('SASL mechanisms against a fake broker', () => {
  const cases: [string, NonNullable<ClusterOptions['sasl']>, number][] = [
    ['PLAIN', { mechanism: 'PLAIN', username: 'alice', password: PASSWORD }, 1],
    ['SCRAM-SHA-256', { mechanism: 'SCRAM-SHA-256', username: 'alice', password: PASSWORD }, 2],
    ['SCRAM-SHA-512', { mechanism: 'SCRAM-SHA-512', username: 'alice', password: PASSWORD }, 2],
    ['SCRAM-SHA-512 with = and , in the user name', { mechanism: 'SCRAM-SHA-512', username: 'a=b,c', password: () => Promise.resolve(PASSWORD) }, 2],
    ['OAUTHBEARER', { mechanism: 'OAUTHBEARER', token: () => ({ value: 'good.token.', lifetimeMs: 60_000 }) }, 1],
  ];
  for (const [name, sasl, rounds] of cases) {
    it(`${name}: authenticates after ApiVersions, before any other request`, async () => {
      const { broker, log } = await saslBroker();
      const c = cluster([broker], sasl);
      await c.connect();
      assert.equal(log.authentications.get(0), 1);
      assert.deepEqual(log.sequence.get(0), [SaslHandshake.apiKey, ...Array<number>(rounds).fill(SaslAuthenticate.apiKey), Metadata.apiKey]);
      assert.equal(broker.requests[0]?.apiKey, 18, 'ApiVersions first');
      assert.equal(broker.requestsFor(SaslAuthenticate)[0]?.apiVersion, 2, 'SaslAuthenticate v2 negotiated');
    });
  }

  it('a pluggable mechanism object runs its own exchange', async () => {
    const { broker, log } = await saslBroker();
    const starts: string[] = [];
    const c = cluster([broker], {
      mechanism: 'PLAIN',
      principal: 'alice',
      start: (ctx) => {
        starts.push(`${ctx.broker} ${ctx.reauthentication}`);
        return { respond: (challenge) => (challenge === null ? Buffer.from(`\0alice\0${PASSWORD}`) : null) };
      },
    });
    await c.connect();
    assert.deepEqual(starts, [`${broker.address} false`]);
    assert.equal(log.authentications.get(0), 1);
  });
});

describe('SCRAM and SASLprep', () => {
  // The fake broker, like Kafka, hashes the password it stores as given (UTF-8, no SASLprep).
  const raw = 'pass\u00A0word-\u2168';
  const prepped = 'pass word-IX';

  it('sends the password as given by default, as Kafka and its Java client do: a non-ASCII password Kafka stored matches', async () => {
    const { broker, log } = await saslBroker({ users: { dave: raw } });
    await cluster([broker], { mechanism: 'SCRAM-SHA-256', username: 'dave', password: raw }).connect();
    assert.equal(log.authentications.get(0), 1);
  });

  it('with saslprep: true, prepares user name and password (RFC 4013) before hashing', async () => {
    const { broker, log } = await saslBroker({ users: { dave: prepped } });
    await cluster([broker], { mechanism: 'SCRAM-SHA-512', username: 'da\u00ADve', password: raw, saslprep: true }).connect();
    assert.equal(log.authentications.get(0), 1);
    const { broker: other } = await saslBroker({ users: { dave: raw } });
    await assert.rejects(cluster([other], { mechanism: 'SCRAM-SHA-512', username: 'dave', password: raw, saslprep: true }).connect(), SaslAuthenticationError);
  });
});

describe('SASL failures: typed, not retried, fast', () => {
  it('a wrong password (SASL_AUTHENTICATION_FAILED) rejects in < 1 s after one attempt, naming mechanism and user, not the password', async () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
      const a = await saslBroker();
      const b = await saslBroker();
      const c = cluster([a.broker, b.broker], { mechanism, username: 'alice', password: 'wrong-password-123' }, { retries: 10, initialBackoffMs: 50, maxBackoffMs: 100, deadlineMs: 10_000 });
      const started = performance.now();
      const err = await c.connect().then(
        () => assert.fail('connected with a wrong password'),
        (e: unknown) => e,
      );
      const elapsed = performance.now() - started;
      assert.ok(err instanceof SaslAuthenticationError, `${mechanism}: ${String(err)}`);
      assert.equal(err.code, 'ERR_SASL_AUTHENTICATION');
      assert.equal(err.retriable, false);
      assert.equal(err.mechanism, mechanism);
      assert.equal(err.user, 'alice');
      assert.equal(err.context.errorCode, 58);
      assert.match(err.message, new RegExp(`SASL ${mechanism} authentication of user 'alice' failed at broker 127\\.0\\.0\\.1:\\d+: the broker answered SASL_AUTHENTICATION_FAILED \\(58\\)`));
      assert.ok(!err.message.includes('wrong-password-123') && !JSON.stringify(err.context).includes('wrong-password-123'));
      assert.ok(elapsed < 1_000, `${mechanism}: took ${elapsed} ms`);
      const handshakes = a.broker.requestsFor(SaslHandshake).length + b.broker.requestsFor(SaslHandshake).length;
      assert.equal(handshakes, 1, `${mechanism}: one attempt in all, no retry`);
      assert.equal(a.log.failures + b.log.failures, 1);
    }
  });

  it('an unknown user is refused the same way', async () => {
    const { broker } = await saslBroker();
    const c = cluster([broker], { mechanism: 'SCRAM-SHA-256', username: 'mallory', password: PASSWORD });
    await assert.rejects(c.connect(), (err: unknown) => err instanceof SaslAuthenticationError && err.user === 'mallory' && !err.message.includes(PASSWORD));
    assert.equal(broker.requestsFor(SaslHandshake).length, 1);
  });

  it('a mechanism the broker does not enable gives UnsupportedSaslMechanismError listing the enabled ones', async () => {
    const { broker } = await saslBroker({ mechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'] });
    const c = cluster([broker], { mechanism: 'PLAIN', username: 'alice', password: PASSWORD });
    const err = await c.connect().then(() => assert.fail('connected'), (e: unknown) => e);
    assert.ok(err instanceof UnsupportedSaslMechanismError);
    assert.equal(err.code, 'ERR_UNSUPPORTED_SASL_MECHANISM');
    assert.deepEqual(err.enabledMechanisms, ['SCRAM-SHA-512', 'OAUTHBEARER']);
    assert.match(err.message, /does not enable PLAIN \(it enables: SCRAM-SHA-512, OAUTHBEARER\)/);
    assert.equal(broker.requestsFor(SaslHandshake).length, 1);
    assert.equal(broker.requestsFor(SaslAuthenticate).length, 0);
  });

  it('a listener without SASL (SaslHandshake answers ILLEGAL_SASL_STATE, as Kafka PLAINTEXT and SSL listeners do) says so', async () => {
    const broker = await FakeBroker.start();
    cleanups.push(() => broker.stop());
    broker.handle(SaslHandshake, () => ({ body: { errorCode: 34, mechanisms: [] } }));
    const c = cluster([broker], { mechanism: 'PLAIN', username: 'alice', password: PASSWORD });
    await assert.rejects(c.connect(), (err: unknown) => err instanceof SaslAuthenticationError && /ILLEGAL_SASL_STATE \(34\): the listener does not take SASL/.test(err.message));
    assert.equal(broker.requestsFor(SaslHandshake).length, 1);
  });

  const hostile: [ScramHostility, RegExp, number][] = [
    ['bad-signature', /server signature does not verify/, 2],
    ['huge-iterations', /iteration count 1000000000 lies outside 4096–100000/, 1],
    ['too-few-iterations', /iteration count 1 lies outside/, 1],
    ['nonce-not-extended', /server nonce does not extend the client nonce/, 1],
    ['nonce-not-ours', /server nonce does not start with the client nonce/, 1],
    ['server-error', /the server refused: other-error/, 2],
  ];
  for (const [hostility, reason, authenticates] of hostile) {
    it(`a hostile SCRAM server (${hostility}) is refused with a typed error, no hang, no retry`, async () => {
      const { broker } = await saslBroker({ hostile: hostility });
      const c = cluster([broker], { mechanism: 'SCRAM-SHA-256', username: 'alice', password: PASSWORD });
      const started = performance.now();
      const err = await c.connect().then(() => assert.fail('connected to a hostile server'), (e: unknown) => e);
      assert.ok(err instanceof SaslAuthenticationError, String(err));
      assert.match(err.reason, reason);
      assert.equal(err.retriable, false);
      assert.ok(performance.now() - started < 1_000);
      // Refused at server-first: no proof was ever sent to it.
      assert.equal(broker.requestsFor(SaslAuthenticate).length, authenticates);
      assert.equal(broker.requestsFor(SaslHandshake).length, 1);
      assert.equal(broker.requestsFor(Metadata).length, 0, 'nothing sent on an unauthenticated connection');
    });
  }
});
