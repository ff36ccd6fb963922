/**
 * Secrets stay out of sight: the password or token is on no object util.inspect or JSON.stringify
 * reaches from a client or its resolved options, in no option error, in no SASL error and in no
 * diagnostics event, on success or failure.
 */
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { Admin } from '../../../src/admin/admin.js';
import { Cluster } from '../../../src/cluster/cluster.js';
import { resolveClusterOptions, type ClusterOptions } from '../../../src/cluster/options.js';
import { ConsumerGroup } from '../../../src/consumer/consumer-group.js';
import { StandaloneConsumer } from '../../../src/consumer/standalone-consumer.js';
import { REQUEST_CHANNEL } from '../../../src/network/request-report.js';
import { SASL_CHANNEL, type SaslEvent } from '../../../src/network/sasl/authenticator.js';
import { resolveSaslOptions } from '../../../src/network/sasl/options.js';
import { Producer } from '../../../src/producer/producer.js';
import { InvalidOptionError } from '../../../src/errors.js';
import { Metadata } from '../../../src/protocol/apis/index.js';
import { FakeBroker } from '../../helpers/fake-broker.js';
import { installSaslServer } from './fake-sasl-server.js';

const SECRET = 'Sup3r-Secret-Pa55';
const TOKEN = 'tok3n-Secret-Value';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function everything(value: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    // circular structures: inspect covers them
  }
  return inspect(value, { depth: Infinity, showHidden: true, getters: true }) + json;
}

function assertHidden(value: unknown, what: string): void {
  const text = everything(value);
  assert.ok(!text.includes(SECRET), `${what} shows the password`);
  assert.ok(!text.includes(TOKEN), `${what} shows the token`);
}

const sasls: NonNullable<ClusterOptions['sasl']>[] = [
  { mechanism: 'PLAIN', username: 'alice', password: SECRET },
  { mechanism: 'SCRAM-SHA-256', username: 'alice', password: SECRET },
  { mechanism: 'OAUTHBEARER', token: () => ({ value: TOKEN, lifetimeMs: 60_000 }) },
];

describe('secrets kept out of sight', () => {
  it('resolved options and the authenticator show the mechanism and user only', () => {
    for (const sasl of sasls) {
      const resolved = resolveClusterOptions({ brokers: ['h:1'], sasl });
      assertHidden(resolved, `resolved options (${sasl.mechanism})`);
      assert.match(inspect(resolved.sasl), new RegExp(`SaslAuthenticator \\{ mechanism: '${sasl.mechanism}'`));
      assert.deepEqual(JSON.parse(JSON.stringify(resolved.sasl)), 'username' in sasl ? { mechanism: sasl.mechanism, principal: 'alice' } : { mechanism: sasl.mechanism });
    }
  });

  it('no client role shows the password in inspect() or JSON', () => {
    const sasl = sasls[1] as ClusterOptions['sasl'];
    const clients: [string, object][] = [
      ['Cluster', new Cluster({ brokers: ['h:1'], sasl })],
      ['Producer', new Producer({ brokers: ['h:1'], sasl })],
      ['Admin', new Admin({ brokers: ['h:1'], sasl })],
      ['ConsumerGroup', new ConsumerGroup({ brokers: ['h:1'], sasl, groupId: 'g', topics: ['t'] })],
      ['StandaloneConsumer', new StandaloneConsumer({ brokers: ['h:1'], sasl, partitions: [{ topic: 't', partition: 0 }] })],
    ];
    for (const [name, client] of clients) assertHidden(client, name);
  });

  it('option errors name the option, never the password', () => {
    const bad: [unknown, string, RegExp][] = [
      [{ mechanism: 'PLAIN', username: 'alice', password: SECRET, pasword: SECRET }, 'sasl.pasword', /unknown sasl \(PLAIN\) option/],
      [{ mechanism: 'SCRAM-SHA-256', username: 'alice', password: `${SECRET}\u0007`, saslprep: true }, 'sasl.password', /SASLprep prohibits/],
      [{ mechanism: 'PLAIN', username: 'alice', password: SECRET, saslprep: true }, 'sasl.saslprep', /unknown sasl \(PLAIN\) option/],
      [{ mechanism: 'PLAIN', username: 'alice', password: `${SECRET}\0` }, 'sasl.password', /U\+0000/],
      [{ mechanism: 'PLAIN', username: 'alice', password: 42 }, 'sasl.password', /got number/],
      [{ mechanism: 'PLAIN', username: 'alice' }, 'sasl.password', /got undefined/],
      [{ mechanism: 'GSSAPI', username: 'alice', password: SECRET }, 'sasl.mechanism', /expected one of/],
      [{ mechanism: 'OAUTHBEARER', token: TOKEN }, 'sasl.token', /expected a function/],
      [{ mechanism: 'bad name!', start: () => ({ respond: () => null }) }, 'sasl.mechanism', /not a SASL mechanism name/],
      ['PLAIN', 'sasl', /expected an object/],
    ];
    for (const [input, option, message] of bad) {
      assert.throws(
        () => resolveSaslOptions(input),
        (err: unknown) => err instanceof InvalidOptionError && err.option === option && message.test(err.message) && !everything(err).includes(SECRET) && !everything(err).includes(TOKEN),
        inspect(option),
      );
    }
  });

  it('no diagnostics event or error of a successful or failed authentication carries the secret', async () => {
    const broker = await FakeBroker.start();
    cleanups.push(() => broker.stop());
    installSaslServer(broker, { users: { alice: SECRET }, tokens: [TOKEN] });
    broker.handle(Metadata, () => ({ body: { throttleTimeMs: 0, brokers: [{ nodeId: 1, host: broker.host, port: broker.port, rack: null }], clusterId: 'fake', controllerId: 1, topics: [] } }));
    const events: unknown[] = [];
    const listener = (event: unknown): void => {
      events.push(event);
    };
    const saslEvents: SaslEvent[] = [];
    const onSasl = (event: unknown): void => {
      saslEvents.push(event as SaslEvent);
    };
    subscribe(REQUEST_CHANNEL, listener);
    subscribe(SASL_CHANNEL, onSasl);
    try {
      const errors: unknown[] = [];
      for (const sasl of [...sasls, { mechanism: 'SCRAM-SHA-512', username: 'alice', password: SECRET } as const]) {
        const good = new Cluster({ brokers: [broker.address], sasl });
        cleanups.push(() => good.close());
        await good.connect();
        assertHidden(good, `connected Cluster (${sasl.mechanism})`);
      }
      for (const sasl of [
        { mechanism: 'PLAIN', username: 'alice', password: `${SECRET}x` },
        { mechanism: 'SCRAM-SHA-512', username: 'alice', password: `${SECRET}x` },
        { mechanism: 'OAUTHBEARER', token: () => ({ value: `${TOKEN}x` }) },
      ] as const) {
        const bad = new Cluster({ brokers: [broker.address], sasl });
        cleanups.push(() => bad.close());
        errors.push(await bad.connect().then(() => assert.fail('connected'), (e: unknown) => e));
      }
      assert.equal(errors.length, 3);
      for (const err of errors) assertHidden(err, 'SASL error');
      assert.ok(events.length >= 15, `${events.length} events`);
      assertHidden(events, 'request events');
      // One kafka-stage:sasl event per authentication: 4 accepted, 3 refused (with their error).
      assert.deepEqual(
        saslEvents.map((e) => [e.mechanism, e.principal, e.reauthentication, e.sessionLifetimeMs, e.error?.constructor.name]),
        [
          ['PLAIN', 'alice', false, 0, undefined],
          ['SCRAM-SHA-256', 'alice', false, 0, undefined],
          ['OAUTHBEARER', undefined, false, 0, undefined],
          ['SCRAM-SHA-512', 'alice', false, 0, undefined],
          ['PLAIN', 'alice', false, undefined, 'SaslAuthenticationError'],
          ['SCRAM-SHA-512', 'alice', false, undefined, 'SaslAuthenticationError'],
          ['OAUTHBEARER', undefined, false, undefined, 'SaslAuthenticationError'],
        ],
      );
      assertHidden(saslEvents, 'sasl events');
    } finally {
      unsubscribe(SASL_CHANNEL, onSasl);
      unsubscribe(REQUEST_CHANNEL, listener);
    }
  });
});
