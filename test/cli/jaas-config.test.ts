// sasl.jaas.config as Kafka's JaasConfig reads it. The expected entries and failures were produced by
// kafka-clients 4.1.1 (JaasContext.loadClientContext) on the same strings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/cli/args.js';
import { parseJaasConfig } from '../../src/cli/jaas-config.js';

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';

function parsed(text: string) {
  const e = parseJaasConfig(text);
  return { module: e.loginModule, flag: e.controlFlag, options: Object.fromEntries(e.options) };
}

test('entries the Java client accepts: quoted and bare values, escapes, comments, any control flag case', () => {
  assert.deepEqual(parsed(`${PLAIN} required username="alice" password="alice-secret";`), {
    module: PLAIN,
    flag: 'required',
    options: { username: 'alice', password: 'alice-secret' },
  });
  // \" \\ \t, octal \101 = A, \7 = BEL, an unknown escape \q = q; REQUIRED in capitals.
  assert.deepEqual(parsed(`${SCRAM} REQUIRED username="al\\"ice" password="p\\\\a\\tss\\101\\7x\\q";`).options, {
    username: 'al"ice',
    password: 'p\\a\tssA\x07xq',
  });
  assert.deepEqual(parsed(`${PLAIN} optional username=alice password=abc-def_$x.y;`), {
    module: PLAIN,
    flag: 'optional',
    options: { username: 'alice', password: 'abc-def_$x.y' },
  });
  assert.deepEqual(parsed(`${PLAIN} /* c */ required // line\n username="u" password="p" ;`).options, { username: 'u', password: 'p' });
  assert.deepEqual(parsed(`${PLAIN}\n\trequired\n  username="u"\n  password="p";`).options, { username: 'u', password: 'p' });
  // Three octal digits only when the first is 0-3: \1234 = 'S' then '4'; \477 = "'" then '7'.
  assert.deepEqual(parsed(`${PLAIN} required username="\\1234\\477" password="\\0";`).options, { username: "S4'7", password: '\0' });
  assert.deepEqual(parsed(`${PLAIN} required username='single' password="élève";`).options, { username: 'single', password: 'élève' });
});

test('entries the Java client refuses are ConfigErrors that never show a value', () => {
  const cases: [string, RegExp][] = [
    [`${PLAIN} required username="u" password="hunter2"`, /does not end with ';'/],
    [`${PLAIN} required username="u"; ${PLAIN} required password="hunter2";`, /more than one login module/],
    [`${PLAIN} mandatory password="hunter2";`, /unknown control flag/],
    [`${PLAIN} required username=;`, /option 'username' has no value/],
    [`${PLAIN} required password="hunter2;`, /quoted value .* not closed/],
    [`${PLAIN} required password='it''hunter2';`, /expected an option name/],
    // An unquoted password with a blank: the second word is not a key and is not echoed.
    [`${PLAIN} required password=hun hunter2;`, /expected '=' after the option name/],
    [`${PLAIN} required password=hunter2 {x};`, /unexpected character/],
    ['hunter2', /expected a control flag/],
    ['', /empty/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => parseJaasConfig(text),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, text);
        assert.match(err.message, pattern, text);
        assert.match(err.message, /^sasl\.jaas\.config: /);
        assert.ok(!err.message.includes('hunter2') && !err.message.includes('hun '), `secret in: ${err.message}`);
        return true;
      },
    );
  }
});
