/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) with node:crypto.
 *
 * client-first  n,,n=<user>,r=<client nonce>
 * server-first  r=<client nonce + server nonce>,s=<salt>,i=<iterations>
 * client-final  c=biws,r=<nonce>,p=<proof>
 * server-final  v=<server signature>   (or e=<error>)
 *
 * A hostile or broken server is refused before we prove anything to it or accept its word: the
 * nonce must extend ours, the iteration count must lie in [4096, 100 000] (a huge count would tie
 * up a CPU core in PBKDF2; Kafka's own minimum is 4096), the salt must be present and bounded, and
 * the server signature must verify (compared in constant time).
 *
 * SASLprep (RFC 4013) of the user name and password is opt-in (`saslprep: true`): Kafka neither
 * applies it when it stores a credential (kafka-configs, kafka-storage --add-scram) nor when it
 * checks one, and neither does the Java client, so a password SASLprep changes (a no-break space,
 * a soft hyphen, a compatibility character such as U+2168) would never match what a Kafka broker
 * stored. Measured on Kafka 4.4.0: a user created with `pass\u00A0word-\u2168` logs in only with the
 * string sent as is.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { SaslExchange, SaslMechanism, SaslMechanismContext } from './mechanism.js';
import { saslPrep } from './saslprep.js';
import { readSecret, type SecretSource } from './secret.js';

const pbkdf2Async = promisify(pbkdf2);

/** Fewest PBKDF2 iterations accepted from a server (Kafka's minimum for both SHA-256 and SHA-512). */
export const SCRAM_MIN_ITERATIONS = 4096;
/** Most PBKDF2 iterations accepted from a server: more is a hostile server burning our CPU. */
export const SCRAM_MAX_ITERATIONS = 100_000;
/** Largest salt accepted, bytes (Kafka's are 16–64 bytes). */
const MAX_SALT_BYTES = 1024;
/** GS2 header of a client that neither supports nor requests channel binding. */
const GS2_HEADER = 'n,,';
const CHANNEL_BINDING = Buffer.from(GS2_HEADER).toString('base64'); // 'biws'

/** The two SCRAM variants Kafka speaks. */
export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

const DIGESTS: Record<ScramMechanismName, { digest: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { digest: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { digest: 'sha512', bytes: 64 },
};

/** A server-first message, parsed and checked. */
export interface ScramServerFirst {
  /** Full nonce (ours + the server's). */
  nonce: string;
  /** Decoded salt. */
  salt: Buffer;
  /** PBKDF2 iteration count. */
  iterations: number;
}

/** User name as SCRAM carries it: `=` → `=3D`, `,` → `=2C` (RFC 5802 §5.1). */
export function escapeScramName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Parses a server-first message; throws an Error with a safe message when it is not acceptable. */
export function parseServerFirst(text: string, clientNonce: string): ScramServerFirst {
  const attrs = text.split(',');
  if (attrs[0]?.startsWith('m=')) throw new Error('the server demands a SCRAM extension we do not know');
  const nonce = attribute(attrs[0], 'r');
  const saltText = attribute(attrs[1], 's');
  const iterText = attribute(attrs[2], 'i');
  if (nonce === undefined || saltText === undefined || iterText === undefined) {
    throw new Error('the server-first message is malformed (expected r=…,s=…,i=…)');
  }
  if (!nonce.startsWith(clientNonce)) throw new Error('the server nonce does not start with the client nonce');
  if (nonce.length <= clientNonce.length) throw new Error('the server nonce does not extend the client nonce');
  if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(nonce)) throw new Error('the server nonce has characters outside printable ASCII');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(saltText) || saltText.length % 4 !== 0) throw new Error('the salt is not base64');
  const salt = Buffer.from(saltText, 'base64');
  if (salt.length === 0 || salt.length > MAX_SALT_BYTES) throw new Error(`the salt has ${salt.length} bytes (expected 1–${MAX_SALT_BYTES})`);
  if (!/^[0-9]{1,10}$/.test(iterText)) throw new Error('the iteration count is not a positive integer');
  const iterations = Number(iterText);
  if (iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
    throw new Error(`the iteration count ${iterations} lies outside ${SCRAM_MIN_ITERATIONS}–${SCRAM_MAX_ITERATIONS}`);
  }
  return { nonce, salt, iterations };
}

function attribute(part: string | undefined, name: string): string | undefined {
  return part !== undefined && part.startsWith(`${name}=`) && part.length > 2 ? part.slice(2) : undefined;
}

/** SaltedPassword = Hi(password, salt, i): PBKDF2 with the mechanism's HMAC, off the main thread. */
export function scramSaltedPassword(mechanism: ScramMechanismName, password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  const { digest, bytes } = DIGESTS[mechanism];
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, bytes, digest);
}

/** ClientProof and ServerSignature for `authMessage` (RFC 5802 §3). */
export function scramProof(mechanism: ScramMechanismName, saltedPassword: Buffer, authMessage: string): { clientProof: Buffer; serverSignature: Buffer } {
  const { digest } = DIGESTS[mechanism];
  const hmac = (key: Buffer, text: string): Buffer => createHmac(digest, key).update(text, 'utf8').digest();
  const clientKey = hmac(saltedPassword, 'Client Key');
  const storedKey = createHash(digest).update(clientKey).digest();
  const clientSignature = hmac(storedKey, authMessage);
  const clientProof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < clientKey.length; i++) clientProof[i] = (clientKey[i] as number) ^ (clientSignature[i] as number);
  const serverSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
  return { clientProof, serverSignature };
}

/** Checks a server-final message against the expected signature; throws with a safe message otherwise. */
export function verifyServerFinal(text: string, expected: Buffer): void {
  if (text.startsWith('e=')) throw new Error(`the server refused: ${text.slice(2).replace(/[^\x20-\x7e]/g, '?').slice(0, 200)}`);
  const value = attribute(text.split(',')[0], 'v');
  if (value === undefined) throw new Error('the server-final message is malformed (expected v=…)');
  const signature = Buffer.from(value, 'base64');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    throw new Error('the server signature does not verify: the server does not know the password');
  }
}

/** SCRAM-SHA-256 or SCRAM-SHA-512; the password lives in a private field only. */
export class ScramMechanism implements SaslMechanism {
  /** `SCRAM-SHA-256` or `SCRAM-SHA-512`. */
  readonly mechanism: ScramMechanismName;
  /** The user name as given. */
  readonly principal: string;
  readonly #password: SecretSource;
  readonly #nonce: () => string;
  readonly #prep: boolean;
  /** PBKDF2 of the last (password, salt, iterations): reconnects and re-authentications skip it. */
  #cache: { password: string; salt: Buffer; iterations: number; salted: Buffer } | undefined;

  /**
   * `prep`: apply SASLprep to the user name and password (RFC 5802; Kafka does not, see above).
   * `nonce` is for tests (RFC test vectors); by default 24 random bytes, base64.
   */
  constructor(mechanism: ScramMechanismName, username: string, password: SecretSource, options: { prep?: boolean; nonce?: () => string } = {}) {
    this.mechanism = mechanism;
    this.principal = username;
    this.#password = password;
    this.#prep = options.prep ?? false;
    this.#nonce = options.nonce ?? (() => randomBytes(24).toString('base64'));
  }

  /** Three steps: client-first, client-final, then the server's signature is verified. */
  start(_context: SaslMechanismContext): SaslExchange {
    const clientNonce = this.#nonce();
    const user = this.#prep ? saslPrep(this.principal, 'user name') : this.principal;
    const clientFirstBare = `n=${escapeScramName(user)},r=${clientNonce}`;
    let step = 0;
    let expectedSignature: Buffer | undefined;
    return {
      respond: async (challenge) => {
        step++;
        if (step === 1) return Buffer.from(GS2_HEADER + clientFirstBare, 'utf8');
        if (challenge === null) throw new Error('the server sent no challenge');
        if (step === 2) {
          const serverFirst = challenge.toString('utf8');
          const parsed = parseServerFirst(serverFirst, clientNonce);
          const secret = await readSecret(this.#password, 'password');
          const password = this.#prep ? saslPrep(secret, 'password') : secret;
          const salted = await this.#salted(password, parsed.salt, parsed.iterations);
          const withoutProof = `c=${CHANNEL_BINDING},r=${parsed.nonce}`;
          const { clientProof, serverSignature } = scramProof(this.mechanism, salted, `${clientFirstBare},${serverFirst},${withoutProof}`);
          expectedSignature = serverSignature;
          return Buffer.from(`${withoutProof},p=${clientProof.toString('base64')}`, 'utf8');
        }
        if (step === 3) {
          verifyServerFinal(challenge.toString('utf8'), expectedSignature as Buffer);
          return null;
        }
        throw new Error('the server went on after the exchange was complete');
      },
    };
  }

  async #salted(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
    const hit = this.#cache;
    if (hit && hit.password === password && hit.iterations === iterations && hit.salt.equals(salt)) return hit.salted;
    const salted = await scramSaltedPassword(this.mechanism, password, salt, iterations);
    this.#cache = { password, salt, iterations, salted };
    return salted;
  }
}
