/**
 * OAUTHBEARER: the message format (RFC 7628 GS2 header, auth=Bearer, extensions), the token cache
 * and its refresh at 80 % of the lifetime, a refused token dropped and fetched anew, provider
 * failures as typed errors without the token, and a fresh token on re-authentication.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Cluster } from '../../../src/cluster/cluster.js';
import { requestApiVersions } from '../../../src/cluster/api-versions-handshake.js';
import { Connection } from '../../../src/network/connection.js';
import { resolveConnectionOptions } from '../../../src/network/connection-options.js';
import { MechanismAuthenticator } from '../../../src/network/sasl/authenticator.js';
import { SaslAuthenticationError } from '../../../src/network/sasl/errors.js';
import { OAuthBearerMechanism, type OAuthBearerToken } from '../../../src/network/sasl/oauthbearer.js';
import { Heartbeat, Metadata } from '../../../src/protocol/apis/index.js';
import { FakeBroker } from '../../helpers/fake-broker.js';
import { installSaslServer } from './fake-sasl-server.js';
import { eventually } from '../../helpers/eventually.js';

const context = { host: 'h', port: 1, broker: 'h:1', reauthentication: false };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function jwt(claims: object): string {
  return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
}

async function firstMessage(mechanism: OAuthBearerMechanism): Promise<string> {
  const message = await mechanism.start(context).respond(null);
  return (message as Buffer).toString('utf8');
}

describe('OAUTHBEARER', () => {
  it('sends the RFC 7628 initial response with the token and the extensions', async () => {
    const m = new OAuthBearerMechanism(() => ({ value: 'abc.def.ghi', lifetimeMs: 60_000, extensions: { logicalCluster: 'lkc-1', identityPoolId: 'pool-2' } }));
    assert.equal(await firstMessage(m), 'n,,\x01auth=Bearer abc.def.ghi\x01logicalCluster=lkc-1\x01identityPoolId=pool-2\x01\x01');
  });

  it('caches the token until 80 % of its lifetime, then asks the provider again; concurrent connections share one call', async () => {
    let now = 1_000_000;
    let calls = 0;
    const m = new OAuthBearerMechanism(() => ({ value: `token${++calls}`, lifetimeMs: 10_000 }), undefined, () => now);
    const [a, b] = await Promise.all([firstMessage(m), firstMessage(m)]);
    assert.equal(calls, 1);
    assert.equal(a, b);
    now += 7_999;
    assert.ok((await firstMessage(m)).includes('Bearer token1\x01'));
    now += 1; // 80 % of 10 s
    assert.ok((await firstMessage(m)).includes('Bearer token2\x01'));
    assert.equal(calls, 2);
  });

  it('takes the expiry from expiresAt, or from a JWT exp claim, and refetches every time without either', async () => {
    let now = 5_000_000;
    const values: OAuthBearerToken[] = [
      { value: 'a', expiresAt: now + 1_000 },
      { value: jwt({ sub: 'alice', exp: (now + 100_000) / 1000 }) },
      { value: 'opaque' },
      { value: 'opaque2' },
    ];
    let calls = 0;
    const m = new OAuthBearerMechanism(() => values[calls++] as OAuthBearerToken, undefined, () => now);
    await firstMessage(m);
    now += 799;
    await firstMessage(m);
    assert.equal(calls, 1, 'expiresAt: cached before 80 %');
    now += 1;
    await firstMessage(m);
    assert.equal(calls, 2, 'refreshed at 80 %');
    // Fetched at start + 800 ms, expiring at start + 100 s: refreshed after 80 % of the 99.2 s left.
    now += 79_359;
    await firstMessage(m);
    assert.equal(calls, 2, 'JWT exp: cached before 80 %');
    now += 1;
    await firstMessage(m);
    await firstMessage(m);
    assert.equal(calls, 4, 'no expiry known: a token per authentication');
  });

  it('drops a token the broker refused (and answers its JSON error with \\x01), so the next attempt gets a new one', async () => {
    let calls = 0;
    const m = new OAuthBearerMechanism(() => ({ value: `t${++calls}`, lifetimeMs: 3_600_000 }));
    const exchange = m.start(context);
    await exchange.respond(null);
    assert.deepEqual(await exchange.respond(Buffer.from('{"status":"invalid_token"}')), Buffer.from([1]));
    assert.ok((await firstMessage(m)).includes('Bearer t2\x01'));
  });

  it('a refused token reaches the caller as SaslAuthenticationError with the broker message, not the token', async () => {
    const broker = await FakeBroker.start();
    cleanups.push(() => broker.stop());
    installSaslServer(broker, { tokens: ['good'] });
    const c = new Cluster({ brokers: [broker.address], sasl: { mechanism: 'OAUTHBEARER', principal: 'app-1', token: () => ({ value: 'secret-bad-token', lifetimeMs: 60_000 }) } });
    cleanups.push(() => c.close());
    const err = await c.connect().then(() => assert.fail('connected'), (e: unknown) => e);
    assert.ok(err instanceof SaslAuthenticationError);
    assert.match(err.message, /SASL OAUTHBEARER authentication of user 'app-1' failed at broker .*: the broker answered SASL_AUTHENTICATION_FAILED \(58\): Authentication failed: invalid token/);
    assert.ok(!err.message.includes('secret-bad-token') && !JSON.stringify(err.context).includes('secret-bad-token'));
    assert.equal(broker.requestsFor(Metadata).length, 0);
  });

  it('a failing or malformed provider gives SaslAuthenticationError, its cause kept, no token in the message', async () => {
    const boom = new Error('idp down');
    for (const [provider, reason] of [
      [() => Promise.reject(boom), /token provider failed/],
      [() => ({ value: 'has space' }), /characters a bearer token cannot have/],
      [() => ({ value: 'ok', extensions: { auth: 'x' } }), /extension name 'auth' is not allowed/],
      [() => ({ value: 'ok', lifetimeMs: -1 }), /lifetimeMs is not a positive number/],
    ] as const) {
      const broker = await FakeBroker.start();
      cleanups.push(() => broker.stop());
      installSaslServer(broker, { tokens: ['ok'] });
      const c = new Cluster({ brokers: [broker.address], sasl: { mechanism: 'OAUTHBEARER', token: provider as () => OAuthBearerToken } });
      cleanups.push(() => c.close());
      const err = await c.connect().then(() => assert.fail('connected'), (e: unknown) => e);
      assert.ok(err instanceof SaslAuthenticationError, String(err));
      assert.match(err.reason, reason);
      assert.ok(!err.message.includes('has space'));
      if (reason.source.includes('provider failed')) assert.equal((err.cause as Error).cause, boom);
    }
  });

  it('re-authentication sends a fresh token once the old one is past 80 % of its lifetime', async () => {
    const broker = await FakeBroker.start();
    cleanups.push(() => broker.stop());
    const log = installSaslServer(broker, { tokens: ['t1', 't2', 't3', 't4'], sessionLifetimeMs: 500 });
    broker.handle(Heartbeat, (req) => log.guard(req.connection, Heartbeat.apiKey) ?? { body: { throttleTimeMs: 0, errorCode: 0 } });
    let calls = 0;
    const reauths: (Error | undefined)[] = [];
    const authenticator = new MechanismAuthenticator(new OAuthBearerMechanism(() => ({ value: `t${++calls}`, lifetimeMs: 500 })), { onReauthenticate: (_c, e) => reauths.push(e) });
    const conn = new Connection(resolveConnectionOptions({ host: broker.host, port: broker.port, clientId: 'oauth' }));
    cleanups.push(() => conn.close());
    await conn.connect();
    await authenticator.authenticate(conn, await requestApiVersions(conn, conn.address));
    // Until two re-authentications have passed (about 1 s; a loaded machine gets up to 10 s).
    await eventually(
      async () => {
        if (reauths.length >= 2) return true;
        await conn.request(Heartbeat, 4, { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null });
        return false;
      },
      { what: 'two re-authentications', timeoutMs: 10_000, intervalMs: 25, progress: () => `${reauths.length} re-authentications` },
    );
    assert.ok(reauths.length >= 2, `${reauths.length} re-authentications`);
    assert.deepEqual(reauths.filter((e) => e !== undefined), []);
    const tokens = log.oauthMessages.map((m) => /Bearer (t\d)/.exec(m)?.[1]);
    assert.deepEqual(tokens.slice(0, 3), ['t1', 't2', 't3'], 'each re-authentication came after 80 % of the token lifetime: a new token each time');
    assert.equal(log.expired, 0);
    assert.equal(conn.closed, false);
  });
});
