import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { saslPrep, SaslPrepError } from '../../../src/network/sasl/saslprep.js';

describe('SASLprep (RFC 4013)', () => {
  it('maps and normalises as the examples of RFC 4013 §3', () => {
    assert.equal(saslPrep('I\u00ADX'), 'IX'); // soft hyphen mapped to nothing
    assert.equal(saslPrep('user'), 'user');
    assert.equal(saslPrep('USER'), 'USER'); // no case folding
    assert.equal(saslPrep('\u00AA'), 'a'); // NFKC
    assert.equal(saslPrep('\u2168'), 'IX'); // ROMAN NUMERAL NINE, NFKC
  });

  it('refuses prohibited characters (RFC 4013 §3: U+0007)', () => {
    assert.throws(() => saslPrep('\u0007'), SaslPrepError);
    for (const bad of ['a\u0000b', 'a\u007Fb', 'a\uE000b', 'a\uFFFEb', 'a\u{10FFFF}b', 'a\u202Eb', 'a\u{E0041}b', 'a\u2FF0b', 'a\uD800b']) {
      assert.throws(() => saslPrep(bad), SaslPrepError, JSON.stringify(bad));
    }
  });

  it('refuses bidirectional text that stringprep forbids (RFC 4013 §3: U+0627 U+0031)', () => {
    assert.throws(() => saslPrep('\u0627\u0031'), SaslPrepError);
    assert.throws(() => saslPrep('\u0627abc\u0627'), SaslPrepError); // right-to-left mixed with left-to-right letters
    assert.equal(saslPrep('\u0627\u0031\u0628'), '\u0627\u0031\u0628'); // starts and ends right-to-left
  });

  it('maps non-ASCII spaces to SPACE and removes zero-width joiners', () => {
    assert.equal(saslPrep('a\u00A0b\u3000c'), 'a b c');
    assert.equal(saslPrep('pass\u200Dword\uFEFF'), 'password');
  });

  it('never quotes the string in its error', () => {
    const secret = 'hunter2\u0007xyz';
    assert.throws(
      () => saslPrep(secret, 'password'),
      (err: Error) => err instanceof SaslPrepError && err.message.startsWith('password ') && !err.message.includes('hunter2') && !err.message.includes('xyz'),
    );
  });
});
