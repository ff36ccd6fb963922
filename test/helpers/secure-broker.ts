/**
 * The secured test broker of `scripts/kafka/start.sh --security` (listeners, users, ACLs and
 * certificates are set up by scripts/kafka/security.sh and scripts/kafka/certs.sh). scripts/test.mjs
 * starts it for the files under test/integration/secure/ and passes its folder as
 * `KAFKA_SECURE_STATE`; the broker writes its ports and certificate folder to `secure.json` there.
 *
 * Everything here is a throw-away test credential: the passwords are fixed so that failures are
 * easy to reproduce by hand (see README "Connecting securely").
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Admin } from '../../src/admin/admin.js';
import type { ClusterOptions } from '../../src/cluster/options.js';
import { ConsumerGroup } from '../../src/consumer/consumer-group.js';
import { Producer } from '../../src/producer/producer.js';
import { uniqueTopic } from './env.js';
import { eventually } from './eventually.js';

/** A user known to the secured broker: PLAIN (JAAS) and SCRAM-SHA-256/512 (created at format time). */
export interface SecureUser {
  readonly username: string;
  readonly password: string;
}

/** Super user (`super.users`): may do anything. */
export const ADMIN: SecureUser = { username: 'admin', password: 'admin-secret' };
/** All operations on topics, groups and transactional ids whose names start with {@link SECURE_PREFIX}. */
export const ALICE: SecureUser = { username: 'alice', password: 'alice-secret' };
/** Authenticates, but has no ACL at all. */
export const BOB: SecureUser = { username: 'bob', password: 'bob-secret' };
/** All operations on topics starting with {@link SECURE_PREFIX}, nothing on groups. */
export const CAROL: SecureUser = { username: 'carol', password: 'carol-secret' };
/** A password no user has. */
export const WRONG_PASSWORD = 'not-the-password-7f3a';
/** Name prefix of the resources alice (and, for topics, carol) may use. */
export const SECURE_PREFIX = 'secure-';

/** Mechanisms enabled on every SASL listener. */
export const PASSWORD_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

/** The broker's listeners, as written to `secure.json`. */
export interface SecurePorts {
  /** No authentication; principal User:ANONYMOUS, a super user (admin work, Java tools). */
  readonly plaintext: number;
  /** The KRaft controller (not for clients). */
  readonly controller: number;
  /** SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWS). */
  readonly saslPlaintext: number;
  /** SASL_SSL: the same mechanisms over TLS (server certificate from the test CA). */
  readonly saslSsl: number;
  /** SSL with `ssl.client.auth=required`: the principal is the client certificate's CN. */
  readonly mtls: number;
  /** SASL_PLAINTEXT with `connections.max.reauth.ms` = {@link SecureBroker.reauthMs}. */
  readonly reauth: number;
  /** SSL without client authentication (principal User:ANONYMOUS, a super user). */
  readonly tls: number;
}

/** Certificate files made by scripts/kafka/certs.sh (PEM unless stated). */
export interface SecureCerts {
  /** The test CA the broker's certificate chains to; clients trust it. */
  readonly ca: string;
  /** alice's client certificate (CN=alice, signed by {@link ca}). */
  readonly aliceCert: string;
  /** alice's private key, PKCS#8, unencrypted. */
  readonly aliceKey: string;
  /** alice's private key encrypted with {@link SecureBroker.aliceKeyPassphrase}. */
  readonly aliceEncryptedKey: string;
  /** alice's key and chain as PKCS12 (password {@link SecureBroker.keystorePassword}), for Java clients. */
  readonly aliceP12: string;
  /** A CA the broker does not trust. */
  readonly rogueCa: string;
  /** A CN=alice certificate signed by {@link rogueCa}, and its key. */
  readonly rogueAliceCert: string;
  readonly rogueAliceKey: string;
}

/** Everything a test needs to reach the secured broker. */
export interface SecureBroker {
  readonly host: string;
  readonly ports: SecurePorts;
  /** Session lifetime on the reauth listener, ms. */
  readonly reauthMs: number;
  readonly certs: SecureCerts;
  /** Password of the PKCS12 files. */
  readonly keystorePassword: string;
  /** Passphrase of {@link SecureCerts.aliceEncryptedKey}. */
  readonly aliceKeyPassphrase: string;
  /** The broker's log (authentication failures are logged there at INFO). */
  readonly logFile: string;
  /** `host:port` of a listener, as one-element broker list. */
  brokers(listener: keyof SecurePorts): string[];
}

interface SecureJson {
  host: string;
  ports: SecurePorts;
  reauthMs: number;
  certs: string;
  keystorePassword: string;
  aliceKeyPassphrase: string;
  logFile: string;
}

let cached: SecureBroker | undefined;

/** The running secured broker, from `$KAFKA_SECURE_STATE/secure.json`. Throws when it is not set up. */
export function secureBroker(): SecureBroker {
  if (cached) return cached;
  const state = process.env.KAFKA_SECURE_STATE;
  if (!state) throw new Error('KAFKA_SECURE_STATE is unset: run the secure tests through scripts/test.mjs (it starts the secured broker)');
  const facts = JSON.parse(readFileSync(join(state, 'secure.json'), 'utf8')) as SecureJson;
  const dir = facts.certs;
  cached = {
    host: facts.host,
    ports: facts.ports,
    reauthMs: facts.reauthMs,
    keystorePassword: facts.keystorePassword,
    aliceKeyPassphrase: facts.aliceKeyPassphrase,
    logFile: facts.logFile,
    certs: {
      ca: join(dir, 'ca.pem'),
      aliceCert: join(dir, 'alice.pem'),
      aliceKey: join(dir, 'alice.key'),
      aliceEncryptedKey: join(dir, 'alice-encrypted.key'),
      aliceP12: join(dir, 'alice.p12'),
      rogueCa: join(dir, 'rogue-ca.pem'),
      rogueAliceCert: join(dir, 'rogue-alice.pem'),
      rogueAliceKey: join(dir, 'rogue-alice.key'),
    },
    brokers: (listener) => [`${facts.host}:${facts.ports[listener]}`],
  };
  return cached;
}

/**
 * An unsigned JWS (`alg: none`) as the broker's unsecured OAUTHBEARER validator accepts it: the
 * principal is `sub`. `lifetimeMs` sets `exp` from now.
 */
export function unsecuredJwt(sub: string, lifetimeMs = 3_600_000, nowMs = Date.now()): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(nowMs / 1000);
  return `${part({ alg: 'none' })}.${part({ sub, iat, exp: Math.floor((nowMs + lifetimeMs) / 1000) })}.`;
}

/** How a Java client connects, for {@link javaClientProperties}. */
export type JavaSecurity =
  | { protocol: 'SASL_PLAINTEXT' | 'SASL_SSL'; mechanism: (typeof PASSWORD_MECHANISMS)[number]; user: SecureUser }
  | { protocol: 'SSL'; clientCert: boolean };

/**
 * Writes a Java client properties file (for `--command-config`, `--producer.config`,
 * `--consumer.config`) and returns its path. The same file works with kafka-stage's `--config`
 * when it uses the PEM settings only (SASL_* protocols).
 */
export function javaClientProperties(broker: SecureBroker, security: JavaSecurity): string {
  const lines: string[] = [`security.protocol=${security.protocol}`];
  if (security.protocol !== 'SASL_PLAINTEXT') {
    lines.push('ssl.truststore.type=PEM', `ssl.truststore.location=${broker.certs.ca}`);
  }
  if (security.protocol === 'SSL') {
    if (security.clientCert) {
      lines.push('ssl.keystore.type=PKCS12', `ssl.keystore.location=${broker.certs.aliceP12}`, `ssl.keystore.password=${broker.keystorePassword}`);
    }
  } else {
    const module = security.mechanism === 'PLAIN'
      ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
      : 'org.apache.kafka.common.security.scram.ScramLoginModule';
    lines.push(
      `sasl.mechanism=${security.mechanism}`,
      `sasl.jaas.config=${module} required username="${security.user.username}" password="${security.user.password}";`,
    );
  }
  const file = join(mkdtempSync(join(tmpdir(), 'kafka-stage-secure-')), 'client.properties');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A mechanism the secured broker enables on its SASL listeners. */
export type SecureMechanism = (typeof PASSWORD_MECHANISMS)[number] | 'OAUTHBEARER';

/** Every mechanism of the SASL listeners, OAUTHBEARER included. */
export const ALL_MECHANISMS: readonly SecureMechanism[] = [...PASSWORD_MECHANISMS, 'OAUTHBEARER'];

/**
 * The library's `sasl` option for `user` with `mechanism`: the password for PLAIN/SCRAM, an
 * unsecured JWS naming the user for OAUTHBEARER (its provider counts the calls in `tokenCalls`).
 */
export function saslFor(mechanism: SecureMechanism, user: SecureUser, password = user.password): NonNullable<ClusterOptions['sasl']> {
  if (mechanism === 'OAUTHBEARER') {
    return { mechanism, token: () => ({ value: unsecuredJwt(user.username), lifetimeMs: 3_600_000 }) };
  }
  return { mechanism, username: user.username, password };
}

/** `tls` options trusting the test CA, optionally with alice's client certificate. */
export function tlsFor(broker: SecureBroker, client: 'none' | 'alice' | 'alice-encrypted' | 'rogue' = 'none'): TlsConnectionOptions {
  const ca = readFileSync(broker.certs.ca);
  switch (client) {
    case 'none':
      return { ca };
    case 'alice':
      return { ca, cert: readFileSync(broker.certs.aliceCert), key: readFileSync(broker.certs.aliceKey) };
    case 'alice-encrypted':
      return { ca, cert: readFileSync(broker.certs.aliceCert), key: readFileSync(broker.certs.aliceEncryptedKey), passphrase: broker.aliceKeyPassphrase };
    case 'rogue':
      return { ca, cert: readFileSync(broker.certs.rogueAliceCert), key: readFileSync(broker.certs.rogueAliceKey) };
  }
}

/** A fresh topic alice may use (name starts with {@link SECURE_PREFIX}), made by the super user. */
export async function secureTopic(admin: Admin, label: string, partitions = 2): Promise<string> {
  const topic = uniqueTopic(`${SECURE_PREFIX}${label}`);
  await admin.createTopics([{ topic, partitions }]);
  return topic;
}

/** Values `v-0` … `v-(count-1)`. */
export function values(count: number, label = 'v'): string[] {
  return Array.from({ length: count }, (_, i) => `${label}-${i}`);
}

/**
 * Produces `count` records to `topic` with `options` (the client's own security settings), then
 * reads them back with {@link consumeAsGroup}. Returns the values read, sorted.
 */
export async function produceAndConsumeAsGroup(admin: Admin, options: ClusterOptions, topic: string, count: number): Promise<string[]> {
  const sent = values(count);
  const producer = new Producer({ ...options, lingerMs: 2 });
  try {
    await producer.sendBatch(topic, sent.map((value, i) => ({ key: `k-${i % 7}`, value })));
  } finally {
    await producer.close();
  }
  return consumeAsGroup(admin, options, topic, count);
}

/**
 * Consumes `topic` from the start as a new group (name prefixed secure-) with `options`, acking
 * every batch, until `count` records came; stops the group and checks through `admin` (a super
 * user) that the group committed `count` records in all. Returns the values read, sorted.
 */
export async function consumeAsGroup(admin: Admin, options: ClusterOptions, topic: string, count: number): Promise<string[]> {
  const got: string[] = [];
  const groupId = uniqueTopic(`${SECURE_PREFIX}group`);
  const group = new ConsumerGroup(
    { ...options, groupId, topics: [topic], sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, autoOffsetReset: 'earliest' },
    async (stage) => {
      for await (const batch of stage.batches({ maxDemand: 50 })) {
        for (const record of batch.records) got.push(record.value?.toString() ?? '<null>');
        await stage.ack(batch);
      }
    },
  );
  await group.start();
  try {
    await eventually(() => got.length >= count, { what: `${count} records`, timeoutMs: 20_000 });
  } finally {
    await group.stop();
  }
  const offsets = await admin.describeGroupOffsets(groupId);
  const committed = offsets.partitions.filter((p) => p.topic === topic).reduce((n, p) => n + Number(p.committedOffset ?? 0), 0);
  if (committed !== count) throw new Error(`group ${groupId} committed ${committed} records of ${count}`);
  return got.sort();
}
