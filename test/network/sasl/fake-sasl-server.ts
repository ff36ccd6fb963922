/**
 * The broker side of SASL for tests, on a FakeBroker: SaslHandshake and SaslAuthenticate handlers
 * that check PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER credentials as Kafka does, grant a session
 * lifetime, close a connection whose session expired (as Kafka does on the next non-SASL request),
 * and can misbehave as a hostile SCRAM server would.
 *
 * The SCRAM server side is written from RFC 5802 independently of the client: it recovers the
 * ClientKey from the proof and checks its hash against the StoredKey.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { SaslAuthenticate, SaslHandshake } from '../../../src/protocol/apis/index.js';
import type { FakeBroker, FakeReply } from '../../helpers/fake-broker.js';

/** How a hostile SCRAM server misbehaves. */
export type ScramHostility = 'bad-signature' | 'huge-iterations' | 'nonce-not-extended' | 'nonce-not-ours' | 'server-error' | 'too-few-iterations';

/** Options of {@link installSaslServer}. */
export interface SaslServerOptions {
  /** Mechanisms enabled; default all four. */
  mechanisms?: string[];
  /** user → password (PLAIN, SCRAM). */
  users?: Record<string, string>;
  /** Tokens OAUTHBEARER accepts. */
  tokens?: string[];
  /** Session lifetime granted (SaslAuthenticate v1+), ms; default 0 (none). */
  sessionLifetimeMs?: number;
  /** Misbehaviour of the SCRAM server. */
  hostile?: ScramHostility;
  /** SCRAM iterations; default 4096. */
  iterations?: number;
}

/** What the server saw, per connection. */
export interface SaslServerLog {
  /** Completed authentications per connection (re-authentications included). */
  authentications: Map<number, number>;
  /** Failed authentications (any connection). */
  failures: number;
  /** API keys in arrival order, per connection. */
  sequence: Map<number, number[]>;
  /** Non-SASL requests that arrived between a re-authentication's SaslHandshake and its end. */
  interleaved: number;
  /** Non-SASL requests refused because the session had expired. */
  expired: number;
  /** Every OAUTHBEARER initial message received (to check its format). */
  oauthMessages: string[];
  /** Every SaslAuthenticate payload (to check no test secret leaks elsewhere). */
  payloads: Buffer[];
}

interface ConnState {
  mechanism?: string;
  authenticating: boolean;
  scram?: { user: string; clientFirstBare: string; serverFirst: string; nonce: string; salt: Buffer; iterations: number };
  oauthFailed?: boolean;
  expiresAt: number;
}

/** Installs SASL handlers on `broker`; returns the log. Wrap other handlers with `guard` to enforce session expiry. */
export function installSaslServer(broker: FakeBroker, options: SaslServerOptions = {}): SaslServerLog & { guard: (connection: number, apiKey: number) => 'close' | undefined } {
  const mechanisms = options.mechanisms ?? ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];
  const users = options.users ?? {};
  const lifetime = options.sessionLifetimeMs ?? 0;
  const states = new Map<number, ConnState>();
  const log: SaslServerLog = { authentications: new Map(), failures: 0, sequence: new Map(), interleaved: 0, expired: 0, oauthMessages: [], payloads: [] };
  const stateOf = (c: number): ConnState => {
    let s = states.get(c);
    if (!s) states.set(c, (s = { authenticating: false, expiresAt: Infinity }));
    return s;
  };
  const note = (c: number, apiKey: number): void => {
    const list = log.sequence.get(c) ?? [];
    list.push(apiKey);
    log.sequence.set(c, list);
  };
  const fail = (message: string, version: number): FakeReply<typeof SaslAuthenticate> => {
    log.failures++;
    return { body: { errorCode: 58, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n }, version };
  };
  const succeed = (c: number, authBytes: Buffer, version: number): FakeReply<typeof SaslAuthenticate> => {
    const s = stateOf(c);
    s.authenticating = false;
    s.expiresAt = lifetime > 0 ? Date.now() + lifetime : Infinity;
    log.authentications.set(c, (log.authentications.get(c) ?? 0) + 1);
    return { body: { errorCode: 0, errorMessage: null, authBytes, sessionLifetimeMs: BigInt(lifetime) }, version };
  };

  broker.handle(SaslHandshake, (req) => {
    note(req.connection, SaslHandshake.apiKey);
    const { mechanism } = req.decode();
    if (!mechanisms.includes(mechanism)) return { body: { errorCode: 33, mechanisms } };
    const s = stateOf(req.connection);
    s.mechanism = mechanism;
    s.authenticating = true;
    return { body: { errorCode: 0, mechanisms } };
  });

  broker.handle(SaslAuthenticate, (req) => {
    note(req.connection, SaslAuthenticate.apiKey);
    const s = stateOf(req.connection);
    const bytes = req.decode().authBytes;
    log.payloads.push(Buffer.from(bytes));
    const v = req.version;
    switch (s.mechanism) {
      case 'PLAIN': {
        const [, user, password] = bytes.toString('utf8').split('\0');
        return user !== undefined && users[user] !== undefined && users[user] === password ? succeed(req.connection, Buffer.alloc(0), v) : fail('Authentication failed: Invalid username or password', v);
      }
      case 'SCRAM-SHA-256':
      case 'SCRAM-SHA-512':
        return scramStep(req.connection, s, bytes.toString('utf8'), v);
      case 'OAUTHBEARER': {
        const text = bytes.toString('utf8');
        if (s.oauthFailed) {
          s.oauthFailed = false;
          return fail('Authentication failed: invalid token', v);
        }
        log.oauthMessages.push(text);
        const auth = text.split('\u0001').find((part) => part.startsWith('auth=Bearer '));
        const token = auth?.slice('auth=Bearer '.length);
        if (token !== undefined && (options.tokens ?? []).includes(token)) return succeed(req.connection, Buffer.alloc(0), v);
        s.oauthFailed = true;
        return { body: { errorCode: 0, errorMessage: null, authBytes: Buffer.from('{"status":"invalid_token"}'), sessionLifetimeMs: 0n } };
      }
      default:
        return { body: { errorCode: 34, errorMessage: 'no handshake', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n } };
    }
  });

  function scramStep(c: number, s: ConnState, text: string, v: number): FakeReply<typeof SaslAuthenticate> {
    const digest = s.mechanism === 'SCRAM-SHA-512' ? 'sha512' : 'sha256';
    const size = digest === 'sha512' ? 64 : 32;
    if (s.scram === undefined) {
      const match = /^n,,(n=([^,]*),r=([^,]+))$/.exec(text);
      if (!match) return fail('bad client-first', v);
      const [, clientFirstBare, user, cnonce] = match as unknown as [string, string, string, string];
      const h = options.hostile;
      const nonce = h === 'nonce-not-extended' ? cnonce : h === 'nonce-not-ours' ? `${cnonce.startsWith('x') ? 'y' : 'x'}${cnonce.slice(1)}server` : cnonce + randomBytes(12).toString('base64');
      const iterations = h === 'huge-iterations' ? 1_000_000_000 : h === 'too-few-iterations' ? 1 : options.iterations ?? 4096;
      const salt = randomBytes(16);
      const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
      s.scram = { user: user.replace(/=2C/g, ',').replace(/=3D/g, '='), clientFirstBare, serverFirst, nonce, salt, iterations };
      return { body: { errorCode: 0, errorMessage: null, authBytes: Buffer.from(serverFirst), sessionLifetimeMs: 0n }, version: v };
    }
    const scram = s.scram;
    s.scram = undefined;
    const match = /^(c=biws,r=([^,]+)),p=([^,]+)$/.exec(text);
    const password = users[scram.user];
    if (!match || match[2] !== scram.nonce || password === undefined) return fail('Authentication failed: Invalid user credentials', v);
    const salted = pbkdf2Sync(password, scram.salt, scram.iterations, size, digest);
    const hmac = (key: Buffer, data: string): Buffer => createHmac(digest, key).update(data).digest();
    const storedKey = createHash(digest).update(hmac(salted, 'Client Key')).digest();
    const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${match[1] as string}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(match[3] as string, 'base64');
    const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] as number)));
    if (!createHash(digest).update(clientKey).digest().equals(storedKey)) return fail('Authentication failed: Invalid user credentials', v);
    if (options.hostile === 'server-error') return { body: { errorCode: 0, errorMessage: null, authBytes: Buffer.from('e=other-error'), sessionLifetimeMs: 0n }, version: v };
    let serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    if (options.hostile === 'bad-signature') serverSignature = Buffer.alloc(size, 7);
    return succeed(c, Buffer.from(`v=${serverSignature.toString('base64')}`), v);
  }

  const guard = (connection: number, apiKey: number): 'close' | undefined => {
    note(connection, apiKey);
    const s = stateOf(connection);
    if (s.authenticating) log.interleaved++;
    if (Date.now() > s.expiresAt) {
      log.expired++;
      return 'close';
    }
    return undefined;
  };
  return Object.assign(log, { guard });
}
