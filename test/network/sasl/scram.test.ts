import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeScramName, parseServerFirst, ScramMechanism, scramProof, scramSaltedPassword } from '../../../src/network/sasl/scram.js';

const context = { host: '127.0.0.1', port: 9092, broker: '127.0.0.1:9092', reauthentication: false };

describe('SCRAM', () => {
  it('reproduces the RFC 7677 §3 SCRAM-SHA-256 example exchange byte for byte', async () => {
    const mechanism = new ScramMechanism('SCRAM-SHA-256', 'user', 'pencil', { nonce: () => 'rOprNGfwEbeRWgbNEkqO' });
    const exchange = mechanism.start(context);
    const first = await exchange.respond(null);
    assert.equal(first?.toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    const final = await exchange.respond(Buffer.from(serverFirst));
    assert.equal(final?.toString(), 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.equal(await exchange.respond(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), null);
  });

  it('refuses the RFC 7677 exchange when one bit of the server signature is wrong', async () => {
    const exchange = new ScramMechanism('SCRAM-SHA-256', 'user', 'pencil', { nonce: () => 'rOprNGfwEbeRWgbNEkqO' }).start(context);
    await exchange.respond(null);
    await exchange.respond(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    await assert.rejects(Promise.resolve(exchange.respond(Buffer.from('v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))), /server signature does not verify/);
  });

  it('computes the SCRAM-SHA-256 proof of RFC 7677 from its parts', async () => {
    const salted = await scramSaltedPassword('SCRAM-SHA-256', 'pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096);
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const { clientProof, serverSignature } = scramProof('SCRAM-SHA-256', salted, authMessage);
    assert.equal(clientProof.toString('base64'), 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    assert.equal(serverSignature.toString('base64'), '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('escapes = and , in user names (RFC 5802 §5.1)', () => {
    assert.equal(escapeScramName('a=b,c'), 'a=3Db=2Cc');
  });

  it('refuses hostile server-first messages with a reason', () => {
    const ours = 'abc';
    const salt = Buffer.from('salt-salt').toString('base64');
    assert.throws(() => parseServerFirst(`r=abc,s=${salt},i=4096`, ours), /does not extend/);
    assert.throws(() => parseServerFirst(`r=ab,s=${salt},i=4096`, ours), /does not start with/);
    assert.throws(() => parseServerFirst(`r=xyzdef,s=${salt},i=4096`, ours), /does not start with/);
    assert.throws(() => parseServerFirst(`r=abcdef,s=${salt},i=1000000000`, ours), /iteration count 1000000000/);
    assert.throws(() => parseServerFirst(`r=abcdef,s=${salt},i=99999999999999999999`, ours), /not a positive integer/);
    assert.throws(() => parseServerFirst(`r=abcdef,s=${salt},i=1`, ours), /outside 4096/);
    assert.throws(() => parseServerFirst(`r=abcdef,s=,i=4096`, ours), /malformed/);
    assert.throws(() => parseServerFirst(`r=abcdef,s=!!!!,i=4096`, ours), /not base64/);
    assert.throws(() => parseServerFirst(`m=ext,r=abcdef,s=${salt},i=4096`, ours), /extension/);
    assert.deepEqual(parseServerFirst(`r=abcdef,s=${salt},i=4096`, ours), { nonce: 'abcdef', salt: Buffer.from('salt-salt'), iterations: 4096 });
  });
});
