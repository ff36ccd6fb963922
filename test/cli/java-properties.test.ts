// The Java properties format as java.util.Properties.load reads it. The expected values were
// produced by Java 17's Properties.load(InputStream) on the same bytes (ISO-8859-1), so kafka-stage
// and the Kafka tools read one client config file the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/cli/args.js';
import { decodeLatin1, parseJavaProperties, parsePropertyEntries } from '../../src/cli/java-properties.js';

// Comments, separators (= : blank), continuations (odd/even backslashes, empty continuation, CRLF,
// CR only, a '#' that is not a comment in a continued line), escapes, duplicates, a key without value.
const SAMPLE =
  "# comment line \\\n" +
  "not.continued=1\n" +
  "  ! bang comment\n" +
  "a=b\n" +
  "b = spaced value  \n" +
  "c:colon\n" +
  "d value by blank\n" +
  "e    =    x=y:z\n" +
  "f\\=g\\:h\\ i=key with escapes\n" +
  "long=one, \\\n" +
  "     two, \\\n" +
  "   three\n" +
  "tabs=\\ttab\\nnl\\u0041\\u00e9\n" +
  "trailing.backslashes=ends with two\\\\\n" +
  "next.line=after\n" +
  "odd=ends with three\\\\\\\n" +
  "  continued\n" +
  "emptycont=abc\\\n" +
  "\n" +
  "afterempty=1\n" +
  " lead.ws=yes\n" +
  "dup=first\n" +
  "dup=second\n" +
  "key.only\n" +
  "colon.after.blank : v\n" +
  "eq.then.colon=:v\n" +
  "unknown.escape=\\q\\z\\#\n" +
  "tabcont=a\\\n" +
  "\t\f" +
  "b\n" +
  "hash=a#b !c\n" +
  "cont.hash=x\\\n" +
  "#notcomment\n" +
  "\f" +
  "\tformfeed=ok\n" +
  "crlf=x\\\r\n" +
  "  y\r\n" +
  "cr.only=1\r" +
  "latin=caf\u00e9\n" +
  "last=end\\";

/** What Java 17 Properties.load produced for SAMPLE (keys sorted). */
const JAVA_RESULT: [string, string][] = [
  ["a", "b"],
  ["afterempty", "1"],
  ["b", "spaced value  "],
  ["c", "colon"],
  ["colon.after.blank", "v"],
  ["cont.hash", "x#notcomment"],
  ["cr.only", "1"],
  ["crlf", "xy"],
  ["d", "value by blank"],
  ["dup", "second"],
  ["e", "x=y:z"],
  ["emptycont", "abc"],
  ["eq.then.colon", ":v"],
  ["f=g:h i", "key with escapes"],
  ["formfeed", "ok"],
  ["hash", "a#b !c"],
  ["key.only", ""],
  ["last", "end"],
  ["latin", "caf\u00e9"],
  ["lead.ws", "yes"],
  ["long", "one, two, three"],
  ["next.line", "after"],
  ["not.continued", "1"],
  ["odd", "ends with three\\continued"],
  ["tabcont", "ab"],
  ["tabs", "\ttab\nnlA\u00e9"],
  ["trailing.backslashes", "ends with two\\"],
  ["unknown.escape", "qz#"],
];

test('every key and value of a tricky file is what Java Properties.load reads', () => {
  const bytes = Buffer.from(SAMPLE, 'latin1');
  const props = parseJavaProperties(decodeLatin1(bytes));
  const ours = [...props.values].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  assert.deepEqual(ours, JAVA_RESULT);
});

test('a key given twice keeps its last value and line; entries keep file order and starting lines', () => {
  const text = 'a=1\nb=2\\\n  more\na=3\n';
  const props = parseJavaProperties(text);
  assert.equal(props.values.get('a'), '3');
  assert.equal(props.lines.get('a'), 4);
  assert.deepEqual(
    parsePropertyEntries(text).map((e) => [e.key, e.value, e.line]),
    [
      ['a', '1', 1],
      ['b', '2more', 2],
      ['a', '3', 4],
    ],
  );
});

test('a malformed \\uXXXX escape is a ConfigError naming the line, not the value', () => {
  const text = '# first\nsasl.jaas.config=secret-\\u12G4-secret\n';
  assert.throws(
    () => parseJavaProperties(text),
    (err: unknown) => err instanceof ConfigError && err.code === 'ERR_CLI_CONFIG' && /line 2: malformed/.test(err.message) && !err.message.includes('secret'),
  );
});

test('bytes are read as ISO-8859-1, as the Java tools read them', () => {
  // UTF-8 "é" is two bytes; Java (and so kafka-stage) sees two Latin-1 characters.
  assert.equal(parseJavaProperties(decodeLatin1(Buffer.from('k=é', 'utf8'))).values.get('k'), '\u00c3\u00a9');
  assert.equal(parseJavaProperties(decodeLatin1(Buffer.from('k=\\u00e9', 'latin1'))).values.get('k'), 'é');
});

test('empty and comment-only text has no entries', () => {
  assert.equal(parseJavaProperties('').values.size, 0);
  assert.equal(parseJavaProperties('# a\n! b\n   \n\t\n').values.size, 0);
});
