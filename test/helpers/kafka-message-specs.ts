/**
 * Kafka's own JSON message definitions (`common/message/*Request.json`, `*Response.json`), read
 * straight from the `kafka-clients` jar that scripts/kafka/install.sh downloads, so that tests can
 * hold our schemas against the source the Java client is generated from.
 *
 * The jar is the pinned default release's (KAFKA_VERSION's default in scripts/kafka/env.sh),
 * whatever release the caller's KAFKA_VERSION asks the broker scripts for: our schemas are written
 * against that release. scripts/kafka/pinned-env.sh decides which release and folder that is, for
 * this reader and for scripts/test.mjs, which installs the jars before the tests that need them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZipEntries } from './zip.js';

const pinnedEnvScript = fileURLToPath(new URL('../../scripts/kafka/pinned-env.sh', import.meta.url));

/** One field of a message spec, as Kafka's generator reads it (the keys we use). */
export interface SpecField {
  readonly name: string;
  /** `int32`, `string`, `records`, `[]int32`, `[]SomeStruct`, `SomeStruct`, … */
  readonly type: string;
  readonly versions: string;
  readonly nullableVersions?: string;
  readonly tag?: number;
  readonly taggedVersions?: string;
  /** A per-field override of the message's flexible versions (compact or not). */
  readonly flexibleVersions?: string;
  readonly default?: string | number | boolean;
  /** The fields of an inline struct type. */
  readonly fields?: readonly SpecField[];
}

/** A struct declared once at the top of a spec and used by name in its fields. */
export interface SpecCommonStruct {
  readonly name: string;
  readonly versions: string;
  readonly fields: readonly SpecField[];
}

/** One message spec: a request or a response of one API. */
export interface MessageSpec {
  /** Absent from the specs that are not an API's (`data`, `header`). */
  readonly apiKey: number;
  readonly type: 'request' | 'response' | 'data' | 'header';
  readonly name: string;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  /** True when the highest valid version is still in development and brokers do not offer it. */
  readonly latestVersionUnstable?: boolean;
  readonly fields?: readonly SpecField[];
  readonly commonStructs?: readonly SpecCommonStruct[];
}

/** The request and response specs of one API key. */
export interface ApiSpecs {
  readonly request: MessageSpec;
  readonly response: MessageSpec;
}

/** Where the pinned release's jars are, as scripts/kafka/pinned-env.sh works it out. */
export interface KafkaJars {
  readonly version: string;
  readonly libs: string;
}

/** The pinned Kafka release and its jar folder (the jars may not be there yet). */
export function pinnedKafkaJars(): KafkaJars {
  const out = execFileSync('bash', ['-c', 'source "$1" && printf "%s\\n%s\\n" "$KAFKA_VERSION" "$KAFKA_LIBS"', 'pinned', pinnedEnvScript], {
    encoding: 'utf8',
  });
  const [version = '', libs = ''] = out.split('\n');
  return { version, libs };
}

/**
 * The request and response specs of every API in the pinned release's `kafka-clients` jar, by API
 * key. Throws, saying to run `bash scripts/kafka/install.sh`, when the jar is not there.
 */
export function loadKafkaMessageSpecs(jars: KafkaJars = pinnedKafkaJars()): Map<number, ApiSpecs> {
  const jar = join(jars.libs, `kafka-clients-${jars.version}.jar`);
  if (!existsSync(jar)) {
    throw new Error(
      `Kafka ${jars.version}'s kafka-clients jar is missing (${jar}): run \`bash scripts/kafka/install.sh\` ` +
        '(scripts/test.mjs does so itself before the tests that need it)',
    );
  }
  const files = readZipEntries(jar, (name) => /^common\/message\/\w+(Request|Response)\.json$/.test(name));
  const byKey = new Map<number, { request?: MessageSpec; response?: MessageSpec }>();
  for (const [name, data] of files) {
    const spec = JSON.parse(stripLineComments(data.toString('utf8'))) as MessageSpec;
    if (spec.type !== 'request' && spec.type !== 'response') throw new Error(`${name}: type ${String(spec.type)}`);
    const pair = byKey.get(spec.apiKey) ?? {};
    pair[spec.type] = spec;
    byKey.set(spec.apiKey, pair);
  }
  const out = new Map<number, ApiSpecs>();
  for (const [key, { request, response }] of byKey) {
    if (!request || !response) throw new Error(`${jar}: API key ${key} lacks its ${request ? 'response' : 'request'} spec`);
    out.set(key, { request, response });
  }
  return out;
}

/**
 * The spec named `name` (`common/message/<name>.json`) from the pinned release's `kafka-clients`
 * jar: for the specs that are not an API's request or response (the consumer protocol's payloads,
 * the request and response headers). Throws when the jar or the spec is missing.
 */
export function loadKafkaSpec(name: string, jars: KafkaJars = pinnedKafkaJars()): MessageSpec {
  const jar = join(jars.libs, `kafka-clients-${jars.version}.jar`);
  if (!existsSync(jar)) throw new Error(`Kafka ${jars.version}'s kafka-clients jar is missing (${jar}): run \`bash scripts/kafka/install.sh\``);
  const entry = `common/message/${name}.json`;
  const data = readZipEntries(jar, (n) => n === entry).get(entry);
  if (!data) throw new Error(`${jar} has no ${entry}`);
  return JSON.parse(stripLineComments(data.toString('utf8'))) as MessageSpec;
}

/**
 * The JSON of a spec file without its `//` comments. Kafka's specs are JSON plus line comments;
 * a `//` inside a string (a URL in an `about`) is text, so strings are tracked, escapes included.
 */
export function stripLineComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}
