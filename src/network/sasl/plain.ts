/**
 * PLAIN (RFC 4616): one message, `authzid NUL authcid NUL password`, sent over the connection as
 * is; use it only over TLS. The authorization id is left empty (the broker then authorises as the
 * authenticated user, as the Java client does).
 */
import type { SaslExchange, SaslMechanism, SaslMechanismContext } from './mechanism.js';
import { readSecret, type SecretSource } from './secret.js';

/** The PLAIN mechanism; the password lives in a private field only. */
export class PlainMechanism implements SaslMechanism {
  /** Always `PLAIN`. */
  readonly mechanism = 'PLAIN';
  /** The user name. */
  readonly principal: string;
  readonly #password: SecretSource;

  constructor(username: string, password: SecretSource) {
    this.principal = username;
    this.#password = password;
  }

  /** One message; the broker's empty answer completes the exchange. */
  start(_context: SaslMechanismContext): SaslExchange {
    let sent = false;
    return {
      respond: async (challenge) => {
        if (challenge === null && !sent) {
          sent = true;
          const password = await readSecret(this.#password, 'password');
          if (password.includes('\0')) throw new Error('the password contains U+0000, which PLAIN cannot carry');
          return Buffer.from(`\0${this.principal}\0${password}`, 'utf8');
        }
        // PLAIN has no server message; anything else from the broker is ignored, as RFC 4616 has
        // the server answer only with success or failure (the SaslAuthenticate error code).
        return null;
      },
    };
  }
}
