// What a Java client properties file (--config) means for the connection: the keys kafka-stage
// honours, the ones it ignores with a warning, and the security keys it refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/cli/args.js';
import { connectionFromProperties, type ConfigConnection } from '../../src/cli/client-properties.js';
import { parseJavaProperties } from '../../src/cli/java-properties.js';

const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="alice-secret";';

function read(text: string): { conn: ConfigConnection; warnings: string[] } {
  const warnings: string[] = [];
  const conn = connectionFromProperties(parseJavaProperties(text), (m) => warnings.push(m));
  return { conn, warnings };
}

function refused(text: string, pattern: RegExp): void {
  assert.throws(
    () => read(text),
    (err: unknown) => err instanceof ConfigError && pattern.test(err.message) && !err.message.includes('alice-secret'),
    text,
  );
}

test('SASL_SSL with SCRAM: brokers, client id, mechanism, the JAAS user and password, PEM files', () => {
  const { conn, warnings } = read(
    [
      'bootstrap.servers = SASL_SSL://b1:9093, b2:9093',
      'client.id=cli-test',
      'security.protocol=sasl_ssl',
      'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=${SCRAM_JAAS.replace('required', 'required \\\n    ')}`,
      'ssl.ca.location=/certs/ca.pem',
      'ssl.certificate.location=/certs/me.pem',
      'ssl.key.location=/certs/me.key',
      'ssl.key.password=key-pass',
    ].join('\n'),
  );
  assert.deepEqual(conn, {
    brokers: 'b1:9093,b2:9093',
    clientId: 'cli-test',
    tls: true,
    sasl: true,
    saslMechanism: 'SCRAM-SHA-512',
    saslLoginModule: 'password',
    saslUsername: 'alice',
    saslPassword: 'alice-secret',
    tlsCa: { file: '/certs/ca.pem' },
    tlsCert: { file: '/certs/me.pem' },
    tlsKey: { file: '/certs/me.key' },
    tlsKeyPassphrase: 'key-pass',
  });
  assert.deepEqual(warnings, []);
});

test('the Java PEM forms: truststore and keystore files of type PEM, inline certificates and key', () => {
  let { conn } = read('security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=/c/ca.pem\nssl.keystore.type=PEM\nssl.keystore.location=/c/alice-bundle.pem');
  assert.deepEqual(conn.tlsCa, { file: '/c/ca.pem' });
  // A PEM key store holds the key and the chain in one file: both come from it.
  assert.deepEqual(conn.tlsCert, { file: '/c/alice-bundle.pem' });
  assert.deepEqual(conn.tlsKey, { file: '/c/alice-bundle.pem' });
  ({ conn } = read('security.protocol=SSL\nssl.truststore.type=PEM\nssl.keystore.type=PEM\nssl.truststore.certificates=-----BEGIN CERTIFICATE----- \\\n  MIIB \\\n  -----END CERTIFICATE-----\nssl.keystore.key=KEY\nssl.keystore.certificate.chain=CHAIN'));
  assert.deepEqual(conn.tlsCa, { pem: '-----BEGIN CERTIFICATE----- MIIB -----END CERTIFICATE-----' });
  assert.deepEqual(conn.tlsKey, { pem: 'KEY' });
  assert.deepEqual(conn.tlsCert, { pem: 'CHAIN' });
});

test('verification settings: empty endpoint identification, librdkafka verification off, TLS versions', () => {
  let { conn } = read('security.protocol=SSL\nssl.endpoint.identification.algorithm=');
  assert.equal(conn.tlsNoHostnameCheck, true);
  ({ conn } = read('security.protocol=SSL\nssl.endpoint.identification.algorithm=HTTPS'));
  assert.equal(conn.tlsNoHostnameCheck, undefined);
  ({ conn } = read('security.protocol=SSL\nenable.ssl.certificate.verification=false'));
  assert.equal(conn.tlsInsecure, true);
  ({ conn } = read('security.protocol=SSL\nssl.enabled.protocols=TLSv1.3'));
  assert.deepEqual([conn.tlsMinVersion, conn.tlsMaxVersion], ['TLSv1.3', 'TLSv1.3']);
  ({ conn } = read('security.protocol=SSL\nssl.enabled.protocols=TLSv1.3, TLSv1.2'));
  assert.deepEqual([conn.tlsMinVersion, conn.tlsMaxVersion], ['TLSv1.2', 'TLSv1.3']);
});

test('keys kafka-stage does not use are warnings naming the key, never the value', () => {
  const { conn, warnings } = read('bootstrap.servers=h:1\ngroup.id=my-group\nacks=all\nssl.truststore.password=changeit-secret\nsasl.login.refresh.buffer.seconds=300');
  assert.deepEqual(conn, { brokers: 'h:1' });
  assert.deepEqual(warnings, [
    "'group.id' is not used by kafka-stage (ignored)",
    "'acks' is not used by kafka-stage (ignored)",
    "'ssl.truststore.password' is not used by kafka-stage (ignored)",
    "'sasl.login.refresh.buffer.seconds' is not used by kafka-stage (ignored)",
  ]);
});

test('TLS and SASL keys without a security.protocol that turns them on are dropped, with a warning', () => {
  const { conn, warnings } = read(`sasl.mechanism=PLAIN\nsasl.jaas.config=${SCRAM_JAAS}\nssl.ca.location=/ca.pem`);
  assert.deepEqual(conn, {});
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] as string, /^ssl\.ca\.location ignored: security\.protocol is not SSL or SASL_SSL$/);
  assert.match(warnings[1] as string, /^sasl\.mechanism, sasl\.jaas\.config ignored: security\.protocol is not SASL_PLAINTEXT or SASL_SSL$/);
  assert.ok(!warnings.join().includes('alice-secret'));
  // And when security.protocol=SSL: the SASL keys only.
  const ssl = read(`security.protocol=SSL\nsasl.mechanism=GSSAPI\nssl.ca.location=/ca.pem`);
  assert.deepEqual(ssl.conn, { tls: true, sasl: false, tlsCa: { file: '/ca.pem' } });
  assert.deepEqual(ssl.warnings, ['sasl.mechanism ignored: security.protocol is not SASL_PLAINTEXT or SASL_SSL']);
});

test('security settings kafka-stage cannot honour are refused, naming the key', () => {
  refused('security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI', /sasl\.mechanism=GSSAPI is not supported/);
  // Java's default mechanism is GSSAPI: a SASL protocol without sasl.mechanism is refused too.
  refused(`security.protocol=SASL_PLAINTEXT\nsasl.jaas.config=${SCRAM_JAAS}`, /needs sasl\.mechanism .* GSSAPI, is not supported/);
  refused('security.protocol=TLS', /security\.protocol must be/);
  // Without a type the Java client reads a JKS file.
  refused('security.protocol=SSL\nssl.truststore.location=/ts.jks', /ssl\.truststore\.type=JKS \(the Java default\) is not supported/);
  refused('security.protocol=SSL\nssl.truststore.type=JKS\nssl.truststore.location=/ts.jks', /ssl\.truststore\.type=JKS is not supported/);
  refused('security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=/ks.p12', /ssl\.keystore\.type=PKCS12 is not supported/);
  refused('security.protocol=SSL\nssl.cipher.suites=TLS_AES_128_GCM_SHA256', /'ssl\.cipher\.suites' is not supported .* change how the connection is secured/);
  refused('security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.client.callback.handler.class=x.Y', /'sasl\.client\.callback\.handler\.class' is not supported/);
  refused('security.protocol=SSL\nssl.enabled.protocols=TLSv1.1,TLSv1.2', /ssl\.enabled\.protocols: kafka-stage supports TLSv1\.2, TLSv1\.3/);
  refused('security.protocol=SSL\nssl.endpoint.identification.algorithm=ldap', /must be https or empty/);
  refused('security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=com.sun.security.auth.module.Krb5LoginModule required;', /login module com\.sun\.security\.auth\.module\.Krb5LoginModule is not supported/);
  refused(`security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=${SCRAM_JAAS.replace(';', ' tokenauth=true;')}`, /tokenauth=true .* not supported/);
  refused('bootstrap.servers= , ', /bootstrap\.servers is empty/);
});

test('our Java tool in the middle: the JAAS options the client does not use are warned about', () => {
  const { conn, warnings } = read(`security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=${SCRAM_JAAS.replace(';', ' debug=true;')}`);
  assert.equal(conn.saslUsername, 'alice');
  assert.deepEqual(warnings, ["sasl.jaas.config option 'debug' is not used by kafka-stage (ignored)"]);
});
