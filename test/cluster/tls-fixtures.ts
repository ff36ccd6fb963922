/**
 * Certificates for the TLS tests, made with `openssl` in a temporary folder at test time: one test
 * CA, server certificates signed by it for chosen DNS names, and a client certificate whose key is
 * encrypted with a passphrase (for mTLS). Nothing is checked in; every run makes its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A key and the certificate for it (PEM). */
export interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

/** A folder of certificates signed by one CA. */
export class TestPki {
  readonly dir: string;
  readonly ca: KeyPair;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'kafka-stage-tls-'));
    const key = join(this.dir, 'ca.key');
    const cert = join(this.dir, 'ca.crt');
    openssl(['req', '-x509', ...EC_KEY, '-nodes', '-days', '1', '-subj', '/CN=kafka-stage test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', key, '-out', cert]);
    this.ca = { key: readFileSync(key), cert: readFileSync(cert) };
  }

  /** A certificate signed by the CA for `names` (DNS subject alternative names). */
  issue(file: string, names: string[], usage: 'serverAuth' | 'clientAuth' = 'serverAuth'): KeyPair {
    const key = join(this.dir, `${file}.key`);
    const csr = join(this.dir, `${file}.csr`);
    const cert = join(this.dir, `${file}.crt`);
    const ext = join(this.dir, `${file}.ext`);
    openssl(['req', '-new', ...EC_KEY, '-nodes', '-subj', `/CN=${names[0] ?? file}`, '-keyout', key, '-out', csr]);
    writeFileSync(ext, `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=${usage}\n`);
    openssl(['x509', '-req', '-in', csr, '-CA', join(this.dir, 'ca.crt'), '-CAkey', join(this.dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', cert]);
    return { key: readFileSync(key), cert: readFileSync(cert) };
  }

  /** `pair`'s key encrypted (PKCS#8, AES-256) with `passphrase`. */
  encryptKey(file: string, pair: KeyPair, passphrase: string): Buffer {
    const plain = join(this.dir, `${file}.plain.key`);
    const out = join(this.dir, `${file}.enc.key`);
    writeFileSync(plain, pair.key);
    openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', plain, '-passout', `pass:${passphrase}`, '-out', out]);
    return readFileSync(out);
  }

  /** Removes the folder. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** True when the `openssl` command is installed. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * A `lookup` (a Node socket option, passed through `tls`) resolving every name to 127.0.0.1, so
 * tests can give brokers distinct DNS names without touching /etc/hosts.
 */
export const loopbackLookup: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};
