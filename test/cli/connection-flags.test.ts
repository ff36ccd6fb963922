// The connection flags → the library's cluster options: precedence (flag > --config > env), the
// password sources, TLS files, the warnings, and errors that never show a secret.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseFlags, UsageError } from '../../src/cli/args.js';
import { CONNECTION_FLAGS, resolveConnection, type CliConnection } from '../../src/cli/connection-flags.js';

const SECRET = 'pw-7f3a-secret';

/** Files the fake reader knows; any other path fails as a missing file would. */
const FILES: Record<string, string> = {
  '/ca.pem': 'CA PEM',
  '/me.pem': 'CERT PEM',
  '/me.key': 'KEY PEM',
  '/key-pass': 'key-pass-secret\n',
  '/pw': `${SECRET}\n`,
  '/pw-crlf': `${SECRET}\r\n`,
  '/empty': '',
  '/scram.properties': [
    'bootstrap.servers=file-host:9093',
    'client.id=from-file',
    'security.protocol=SASL_SSL',
    'sasl.mechanism=SCRAM-SHA-512',
    `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="${SECRET}";`,
    'ssl.truststore.type=PEM',
    'ssl.truststore.location=/ca.pem',
  ].join('\n'),
  '/mtls.properties': 'security.protocol=SSL\nssl.ca.location=/ca.pem\nssl.certificate.location=/me.pem\nssl.key.location=/me.key\nssl.key.password=file-key-pass\ngroup.id=g',
  '/plain.properties': 'bootstrap.servers=file-host:9092',
  '/gssapi.properties': 'security.protocol=SASL_SSL\nsasl.mechanism=GSSAPI',
  '/insecure.properties': 'security.protocol=SSL\nenable.ssl.certificate.verification=false',
  '/nohost.properties': 'security.protocol=SSL\nssl.endpoint.identification.algorithm=',
};

function resolve(argv: string[], env: Record<string, string> = {}): { conn: CliConnection; warnings: string[] } {
  const warnings: string[] = [];
  const conn = resolveConnection(parseFlags(argv, CONNECTION_FLAGS), {
    env,
    warn: (m) => warnings.push(m),
    readFile: (path) => {
      const text = FILES[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      return Buffer.from(text, 'latin1');
    },
  });
  return { conn, warnings };
}

/** The password of a user/password `sasl` option. */
function password(conn: CliConnection): unknown {
  return conn.sasl !== undefined && 'password' in conn.sasl ? conn.sasl.password : undefined;
}

function fails(argv: string[], env: Record<string, string>, type: typeof UsageError, pattern: RegExp): void {
  assert.throws(
    () => resolve(argv, env),
    (err: unknown) => {
      assert.ok(err instanceof type, `${String(err)} is not a ${type.name}`);
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes(SECRET) && !err.message.includes('key-pass-secret'), `secret in: ${err.message}`);
      return true;
    },
  );
}

test('brokers: the flag, else bootstrap.servers of --config, else KAFKA_BROKERS, else a usage error', () => {
  const env = { KAFKA_BROKERS: 'env-host:9092' };
  assert.equal(resolve(['--brokers', 'flag-host:1', '--config', '/plain.properties'], env).conn.brokers, 'flag-host:1');
  assert.equal(resolve(['--config', '/plain.properties'], env).conn.brokers, 'file-host:9092');
  assert.equal(resolve([], env).conn.brokers, 'env-host:9092');
  assert.deepEqual(resolve([], env).conn, { brokers: 'env-host:9092' });
  fails([], {}, UsageError, /--brokers is required \(or bootstrap\.servers in --config FILE, or the KAFKA_BROKERS environment variable\)/);
  fails([], { KAFKA_BROKERS: '  ' }, UsageError, /--brokers is required/);
});

test('--config alone: SASL_SSL with SCRAM from the JAAS entry, the PEM trust store, the client id', () => {
  const { conn, warnings } = resolve(['--config', '/scram.properties']);
  assert.deepEqual(conn, {
    brokers: 'file-host:9093',
    clientId: 'from-file',
    tls: { ca: Buffer.from('CA PEM') },
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: SECRET },
  });
  assert.deepEqual(warnings, []);
});

test('flags win over the file: mechanism, user and password, CA', () => {
  const { conn } = resolve(['--config', '/scram.properties', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'bob', '--sasl-password-file', '/pw', '--tls-ca', '/me.pem']);
  assert.deepEqual(conn.sasl, { mechanism: 'PLAIN', username: 'bob', password: SECRET });
  assert.deepEqual(conn.tls, { ca: Buffer.from('CERT PEM') });
  // --tls=false turns the file's TLS off.
  assert.equal(resolve(['--config', '/scram.properties', '--tls=false']).conn.tls, undefined);
});

test('password sources: --sasl-password-file, --sasl-password (with a warning), the file, KAFKA_SASL_PASSWORD', () => {
  const scram = ['--brokers', 'h:1', '--sasl-mechanism', 'SCRAM-SHA-256', '--sasl-username', 'u'];
  // The file's content without its line end.
  assert.equal(password(resolve([...scram, '--sasl-password-file', '/pw']).conn), SECRET);
  assert.equal(password(resolve([...scram, '--sasl-password-file', '/pw-crlf']).conn), SECRET);
  // The environment when no flag gives one.
  let r = resolve(scram, { KAFKA_SASL_PASSWORD: 'from-env' });
  assert.equal(password(r.conn), 'from-env');
  assert.deepEqual(r.warnings, []);
  // A flag beats the environment; --sasl-password warns that ps shows it.
  r = resolve([...scram, '--sasl-password', SECRET], { KAFKA_SASL_PASSWORD: 'from-env' });
  assert.equal(password(r.conn), SECRET);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] as string, /--sasl-password shows the password to every user of this machine \(ps/);
  assert.match(r.warnings[0] as string, /prefer --sasl-password-file FILE or KAFKA_SASL_PASSWORD/);
  assert.ok(!(r.warnings[0] as string).includes(SECRET));
  // The --config file's password beats the environment (flag > --config > env)...
  assert.equal(password(resolve(['--config', '/scram.properties'], { KAFKA_SASL_PASSWORD: 'from-env' }).conn), SECRET);
  // ...but not for another user named by --sasl-username: the environment's password is used.
  r = resolve(['--config', '/scram.properties', '--sasl-username', 'bob'], { KAFKA_SASL_PASSWORD: 'from-env' });
  assert.deepEqual(r.conn.sasl, { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'from-env' });
  fails(['--config', '/scram.properties', '--sasl-username', 'bob'], {}, UsageError, /no password for SASL user bob: give --sasl-password-file FILE or set KAFKA_SASL_PASSWORD$/);
});

test('SASL flag errors: missing mechanism, user or password, two passwords, unreadable or empty file', () => {
  const b = ['--brokers', 'h:1'];
  fails([...b, '--sasl-username', 'u'], {}, UsageError, /--sasl-username needs --sasl-mechanism/);
  fails([...b, '--sasl-password', SECRET], {}, UsageError, /--sasl-password needs --sasl-mechanism/);
  fails([...b, '--sasl-mechanism', 'PLAIN', '--sasl-password', SECRET], {}, UsageError, /--sasl-mechanism PLAIN needs --sasl-username/);
  fails([...b, '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u'], {}, UsageError, /no password for SASL user u/);
  fails([...b, '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u', '--sasl-password', SECRET, '--sasl-password-file', '/pw'], {}, UsageError, /give the password once/);
  fails([...b, '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u', '--sasl-password-file', '/nope'], {}, ConfigError, /--sasl-password-file: cannot read \/nope \(ENOENT\)/);
  fails([...b, '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u', '--sasl-password-file', '/empty'], {}, ConfigError, /--sasl-password-file: \/empty is empty/);
  assert.throws(() => parseFlags(['--sasl-mechanism', 'GSSAPI'], CONNECTION_FLAGS), /--sasl-mechanism must be one of PLAIN\|SCRAM-SHA-256\|SCRAM-SHA-512/);
});

test('TLS: --tls alone is `true`; --tls-* imply it and read their files; the key passphrase from a file', () => {
  const b = ['--brokers', 'h:1'];
  assert.equal(resolve([...b, '--tls']).conn.tls, true);
  assert.equal(resolve(b).conn.tls, undefined);
  assert.deepEqual(resolve([...b, '--tls-ca', '/ca.pem']).conn.tls, { ca: Buffer.from('CA PEM') });
  assert.deepEqual(resolve([...b, '--tls-cert', '/me.pem', '--tls-key', '/me.key', '--tls-key-passphrase-file', '/key-pass']).conn.tls, {
    cert: Buffer.from('CERT PEM'),
    key: Buffer.from('KEY PEM'),
    passphrase: 'key-pass-secret',
  });
  fails([...b, '--tls-cert', '/me.pem'], {}, UsageError, /--tls-cert and --tls-key go together/);
  fails([...b, '--tls-key-passphrase-file', '/key-pass'], {}, UsageError, /needs a key/);
  fails([...b, '--tls=false', '--tls-ca', '/ca.pem'], {}, UsageError, /--tls=false contradicts --tls-ca/);
  fails([...b, '--tls-ca', '/missing.pem'], {}, ConfigError, /--tls-ca: cannot read \/missing\.pem \(ENOENT\)/);
});

test('TLS from --config: CA, client certificate and key with ssl.key.password; unused keys warned about', () => {
  const { conn, warnings } = resolve(['--brokers', 'h:1', '--config', '/mtls.properties']);
  assert.deepEqual(conn.tls, { ca: Buffer.from('CA PEM'), cert: Buffer.from('CERT PEM'), key: Buffer.from('KEY PEM'), passphrase: 'file-key-pass' });
  assert.deepEqual(warnings, ["--config /mtls.properties: 'group.id' is not used by kafka-stage (ignored)"]);
  // A key pair from the flags does not take the file's passphrase (it belongs to the file's key).
  assert.deepEqual(resolve(['--brokers', 'h:1', '--config', '/mtls.properties', '--tls-cert', '/me.pem', '--tls-key', '/me.key']).conn.tls, {
    ca: Buffer.from('CA PEM'),
    cert: Buffer.from('CERT PEM'),
    key: Buffer.from('KEY PEM'),
  });
});

test('verification off: --tls-insecure or the file says so, with a warning on each', () => {
  let r = resolve(['--brokers', 'h:1', '--tls-insecure']);
  assert.deepEqual(r.conn.tls, { rejectUnauthorized: false });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0] as string, /^TLS certificate verification is off \(--tls-insecure\): anyone on the network path can pose as the broker/);
  r = resolve(['--brokers', 'h:1', '--config', '/insecure.properties']);
  assert.deepEqual(r.conn.tls, { rejectUnauthorized: false });
  assert.equal(r.warnings.length, 1);
  // --tls-insecure=false overrides the file.
  r = resolve(['--brokers', 'h:1', '--config', '/insecure.properties', '--tls-insecure=false']);
  assert.equal(r.conn.tls, true);
  assert.deepEqual(r.warnings, []);
  // Host name check off only: the chain is still verified.
  r = resolve(['--brokers', 'h:1', '--config', '/nohost.properties']);
  const tls = r.conn.tls as { checkServerIdentity?: unknown; rejectUnauthorized?: unknown };
  assert.equal(typeof tls.checkServerIdentity, 'function');
  assert.equal(tls.rejectUnauthorized, undefined);
  assert.match(r.warnings[0] as string, /host name verification is off/);
});

test('--config problems are ConfigErrors naming the file: unreadable, refused security, malformed JAAS', () => {
  fails(['--config', '/nope.properties'], {}, ConfigError, /^--config: cannot read \/nope\.properties \(ENOENT\)$/);
  fails(['--config', '/gssapi.properties', '--brokers', 'h:1'], {}, ConfigError, /^--config \/gssapi\.properties: sasl\.mechanism=GSSAPI is not supported/);
  FILES['/bad-jaas.properties'] = `security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required password="${SECRET}`;
  fails(['--config', '/bad-jaas.properties', '--brokers', 'h:1'], {}, ConfigError, /^--config \/bad-jaas\.properties: sasl\.jaas\.config: a quoted value .* not closed/);
});

test('a --config file with non-ASCII bytes gets a warning: Java reads them as ISO-8859-1', () => {
  FILES['/latin.properties'] = 'bootstrap.servers=h:1\nclient.id=caf\xe9';
  const { conn, warnings } = resolve(['--config', '/latin.properties']);
  assert.equal(conn.clientId, 'café');
  assert.match(warnings[0] as string, /non-ASCII bytes are read as ISO-8859-1/);
});

test('OAUTHBEARER with --sasl-oauth-token-file: the token is read at each request (a refreshed file is picked up)', async () => {
  FILES['/token'] = 'aaa.bbb.ccc\n';
  const { conn, warnings } = resolve(['--brokers', 'h:1', '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauth-token-file', '/token']);
  assert.deepEqual(warnings, []);
  const sasl = conn.sasl as { mechanism: string; token: () => Promise<{ value: string }> | { value: string } };
  assert.equal(sasl.mechanism, 'OAUTHBEARER');
  assert.deepEqual(await sasl.token(), { value: 'aaa.bbb.ccc' });
  FILES['/token'] = 'ddd.eee.fff';
  assert.deepEqual(await sasl.token(), { value: 'ddd.eee.fff' });
  fails(['--brokers', 'h:1', '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauth-token-file', '/no-token'], {}, ConfigError, /--sasl-oauth-token-file: cannot read \/no-token/);
  fails(['--brokers', 'h:1', '--sasl-mechanism', 'OAUTHBEARER'], {}, UsageError, /OAUTHBEARER needs a token: --sasl-oauth-token-file FILE/);
  fails(['--brokers', 'h:1', '--sasl-mechanism', 'OAUTHBEARER', '--sasl-oauth-token-file', '/token', '--sasl-username', 'u'], {}, UsageError, /--sasl-username does not apply to OAUTHBEARER/);
  fails(['--brokers', 'h:1', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u', '--sasl-oauth-token-file', '/token'], { KAFKA_SASL_PASSWORD: 'x' }, UsageError, /--sasl-oauth-token-file applies to OAUTHBEARER, not PLAIN/);
  fails(['--brokers', 'h:1', '--sasl-oauth-token-file', '/token'], {}, UsageError, /--sasl-oauth-token-file needs --sasl-mechanism/);
});

test('OAUTHBEARER from --config with OAuthBearerLoginModule unsecuredLogin* options: the unsigned JWS the Java client makes, with a warning', async () => {
  FILES['/oauth.properties'] = [
    'bootstrap.servers=h:1',
    'security.protocol=SASL_PLAINTEXT',
    'sasl.mechanism=OAUTHBEARER',
    'sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \\',
    '  unsecuredLoginStringClaim_sub="alice" unsecuredLoginNumberClaim_tier="2" unsecuredLoginLifetimeSeconds="120" unsecuredLoginExtension_logicalCluster="lkc-1";',
  ].join('\n');
  const { conn, warnings } = resolve(['--config', '/oauth.properties']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /unsigned: only a broker that accepts unsecured tokens/);
  const sasl = conn.sasl as { mechanism: string; principal: string; token: () => { value: string; lifetimeMs: number; extensions: Record<string, string> } };
  assert.equal(sasl.principal, 'alice');
  const before = Date.now() / 1000;
  const token = sasl.token();
  const [header, payload, signature] = token.value.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(header as string, 'base64url').toString()), { alg: 'none' });
  assert.equal(signature, '');
  const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<string, number | string>;
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.tier, 2);
  assert.ok((claims.iat as number) >= before - 1 && (claims.iat as number) <= Date.now() / 1000 + 1);
  assert.equal(claims.exp, (claims.iat as number) + 120);
  assert.equal(token.lifetimeMs, 120_000);
  assert.deepEqual(token.extensions, { logicalCluster: 'lkc-1' });

  FILES['/oauth-nosub.properties'] = FILES['/oauth.properties'].replace('unsecuredLoginStringClaim_sub="alice" ', '');
  fails(['--config', '/oauth-nosub.properties'], {}, ConfigError, /has no principal: set unsecuredLoginStringClaim_sub/);
  FILES['/oauth-plain.properties'] = FILES['/oauth.properties'].replace('sasl.mechanism=OAUTHBEARER', 'sasl.mechanism=PLAIN');
  fails(['--config', '/oauth-plain.properties'], {}, ConfigError, /sasl\.mechanism=PLAIN does not go with the login module/);
  // Without unsecuredLogin* options the file names no token source: the flag must give one.
  FILES['/oauth-bare.properties'] = 'bootstrap.servers=h:1\nsecurity.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;';
  fails(['--config', '/oauth-bare.properties'], {}, UsageError, /OAUTHBEARER needs a token/);
  assert.equal((resolve(['--config', '/oauth-bare.properties', '--sasl-oauth-token-file', '/token']).conn.sasl as { mechanism: string }).mechanism, 'OAUTHBEARER');
});
