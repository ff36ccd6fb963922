/**
 * Holds one of our API schemas (src/protocol/apis) against Kafka's JSON message specs, version by
 * version: that the version is one the spec defines (and not its unstable latest), that it is
 * flexible exactly when the spec's request and response are, and that the fields the spec puts in
 * that version are ours, in the same order, with the same names, types and nullability, and the
 * tagged ones under the same tag numbers. Each difference is one line of text naming the field's
 * path, so that a test can list every difference of a version in one failure.
 *
 * Names: ours are the spec's in camelCase (`ThrottleTimeMs` → `throttleTimeMs`).
 * Types: the codec objects exported by src/protocol/schema.ts name the wire types; `records` is
 * our nullable bytes codec; a nullable codec stands for a field nullable in every version.
 */
import * as schema from '../../src/protocol/schema.js';
import { parseVersions, type AnyApi, type AnyField, type Codec, type Fields, type VersionRange } from '../../src/protocol/schema.js';
import type { ApiSpecs, MessageSpec, SpecField } from './kafka-message-specs.js';

/** Our wire type of a codec: a primitive's name, `array` or `struct`, and whether it admits null. */
interface OurType {
  readonly kind: string;
  readonly nullable: boolean;
  readonly item?: Codec<unknown, never>;
  readonly fields?: Fields;
}

/** The primitive codecs of schema.ts by identity, with the spec type each stands for. */
const PRIMITIVES = new Map<unknown, { kind: string; nullable: boolean }>([
  [schema.int8, { kind: 'int8', nullable: false }],
  [schema.int16, { kind: 'int16', nullable: false }],
  [schema.uint16, { kind: 'uint16', nullable: false }],
  [schema.int32, { kind: 'int32', nullable: false }],
  [schema.uint32, { kind: 'uint32', nullable: false }],
  [schema.int64, { kind: 'int64', nullable: false }],
  [schema.float64, { kind: 'float64', nullable: false }],
  [schema.bool, { kind: 'bool', nullable: false }],
  [schema.uuid, { kind: 'uuid', nullable: false }],
  [schema.string, { kind: 'string', nullable: false }],
  [schema.nullableString, { kind: 'string', nullable: true }],
  [schema.bytes, { kind: 'bytes', nullable: false }],
  // `records` is this same codec: record batches are nullable bytes on the wire.
  [schema.nullableBytes, { kind: 'bytes', nullable: true }],
]);

/** Spec types that are wire primitives; any other name is a struct. */
const SPEC_PRIMITIVES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'bool', 'uuid', 'string', 'bytes', 'records']);

function describeCodec(codec: Codec<unknown, never>): OurType {
  const primitive = PRIMITIVES.get(codec);
  if (primitive) return primitive;
  if ('item' in codec) return { kind: 'array', nullable: codec.zero === null, item: codec.item as Codec<unknown, never> };
  if ('fields' in codec) return { kind: 'struct', nullable: codec.zero === null, fields: codec.fields as Fields };
  return { kind: 'an unknown codec', nullable: false };
}

/** True when `version` lies in a spec or schema version range (`'3+'`, `'0-2'`, `'none'`; absent: never). */
export function inVersions(range: string | undefined, version: number): boolean {
  if (range === undefined) return false;
  if (!/^(\d+\+|\d+-\d+|none)$/.test(range)) throw new Error(`not a version range: ${range}`);
  const [lo, hi] = parseVersions(range as VersionRange);
  return version >= lo && version <= hi;
}

/** The camelCase name we give a spec field. */
export function ourName(specName: string): string {
  return specName.charAt(0).toLowerCase() + specName.slice(1);
}

/** What a comparison of one message at one version needs to hand down into nested structs. */
interface Context {
  readonly version: number;
  readonly flexible: boolean;
  /** The spec's `commonStructs`, by name. */
  readonly structs: ReadonlyMap<string, readonly SpecField[]>;
  readonly diffs: string[];
}

/** Every difference between our API and its specs at `version`; empty when they agree. */
export function versionDifferences(api: AnyApi, specs: ApiSpecs, version: number): string[] {
  const diffs: string[] = [];
  const ourFlexible = version >= api.flexibleFrom;
  for (const [which, spec, codec] of [
    ['request', specs.request, api.request],
    ['response', specs.response, api.response],
  ] as const) {
    const [lo, hi] = parseVersions(spec.validVersions as VersionRange);
    if (version < lo || version > hi) {
      diffs.push(`${which}: v${version} is outside ${spec.name}'s validVersions ${spec.validVersions}`);
      continue;
    }
    if (spec.latestVersionUnstable && version === hi) diffs.push(`${which}: v${version} is ${spec.name}'s unstable latest version (brokers do not offer it)`);
    const specFlexible = inVersions(spec.flexibleVersions, version);
    if (specFlexible !== ourFlexible) {
      diffs.push(`${which}: v${version} is ${specFlexible ? '' : 'not '}flexible in ${spec.name} (flexibleVersions ${spec.flexibleVersions}), ours says the opposite`);
    }
    const structs = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
    const our = describeCodec(codec);
    if (!our.fields) throw new Error(`${api.name}'s ${which} is not a struct`);
    compareStruct(our.fields, spec.fields ?? [], which, { version, flexible: specFlexible, structs, diffs });
  }
  return diffs;
}

/**
 * Every difference between one of our non-API payload schemas (written in the plain, never flexible
 * encoding, as the consumer protocol's are) and a `data` spec at `version`; empty when they agree.
 */
export function payloadDifferences(ours: Fields, spec: MessageSpec, version: number): string[] {
  const diffs: string[] = [];
  const [lo, hi] = parseVersions(spec.validVersions as VersionRange);
  if (version < lo || version > hi) return [`v${version} is outside ${spec.name}'s validVersions ${spec.validVersions}`];
  if (inVersions(spec.flexibleVersions, version)) diffs.push(`v${version} is flexible in ${spec.name} (flexibleVersions ${spec.flexibleVersions}), ours is plain`);
  const structs = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  compareStruct(ours, spec.fields ?? [], spec.name, { version, flexible: false, structs, diffs });
  return diffs;
}

/** True when a spec field is sent as a tagged field in this version. */
function specTagged(field: SpecField, ctx: Context): boolean {
  return field.tag !== undefined && ctx.flexible && inVersions(field.taggedVersions ?? field.versions, ctx.version);
}

/** True when one of our fields is sent as a tagged field in this version (as schema.ts's `struct` decides). */
function ourTagged(field: AnyField, ctx: Context): boolean {
  return field.tag !== undefined && ctx.flexible && inVersions(field.taggedVersions ?? field.versions, ctx.version);
}

function compareStruct(ours: Fields, spec: readonly SpecField[], path: string, ctx: Context): void {
  const specPresent = spec.filter((f) => inVersions(f.versions, ctx.version));
  for (const f of specPresent) {
    if (f.flexibleVersions !== undefined) ctx.diffs.push(`${path}.${ourName(f.name)}: has its own flexibleVersions ${f.flexibleVersions}, which our schemas cannot say`);
  }
  // Our tagged fields outside their tagged versions are not sent at all (schema.ts): not present.
  const ourPresent = Object.entries(ours).filter(([, f]) => inVersions(f.versions, ctx.version) && (f.tag === undefined || ourTagged(f, ctx)));

  const specPlain = specPresent.filter((f) => !specTagged(f, ctx));
  const ourPlain = ourPresent.filter(([, f]) => f.tag === undefined);
  const specNames = specPlain.map((f) => ourName(f.name));
  const ourNames = ourPlain.map(([name]) => name);
  if (specNames.join() !== ourNames.join()) {
    ctx.diffs.push(`${path}: fields in v${ctx.version} are [${specNames.join(', ')}] in the spec, [${ourNames.join(', ')}] in ours`);
  }
  const ourByName = new Map(ourPlain);
  for (const f of specPlain) {
    const our = ourByName.get(ourName(f.name));
    if (our) compareField(our, f, `${path}.${ourName(f.name)}`, ctx);
  }
  // A field absent from this version decodes to its default: ours must be the spec's.
  for (const f of spec.filter((s) => !inVersions(s.versions, ctx.version))) {
    const our = ours[ourName(f.name)];
    if (our && !inVersions(our.versions, ctx.version)) compareDefault(our, f, `${path}.${ourName(f.name)}`, `absent from v${ctx.version}`, ctx);
  }

  const specByTag = new Map(specPresent.filter((f) => specTagged(f, ctx)).map((f) => [f.tag, f]));
  const ourByTag = new Map(ourPresent.filter(([, f]) => f.tag !== undefined).map(([name, f]) => [f.tag, { name, f }]));
  for (const [tag, f] of specByTag) {
    const our = ourByTag.get(tag);
    if (!our) ctx.diffs.push(`${path}: the spec's tagged field ${tag} (${ourName(f.name)}) is missing from ours in v${ctx.version}`);
    else if (our.name !== ourName(f.name)) ctx.diffs.push(`${path}: tagged field ${tag} is ${ourName(f.name)} in the spec, ${our.name} in ours`);
    else {
      compareField(our.f, f, `${path}.${our.name}`, ctx);
      // A tagged field equal to its default is not sent, and one not sent is read as its default.
      compareDefault(our.f, f, `${path}.${our.name}`, 'tagged', ctx);
    }
  }
  for (const [tag, { name }] of ourByTag) {
    if (!specByTag.has(tag)) ctx.diffs.push(`${path}: our tagged field ${tag} (${name}) is not a tagged field of the spec in v${ctx.version}`);
  }
}

function compareField(ours: AnyField, spec: SpecField, path: string, ctx: Context): void {
  const type = describeCodec(ours.codec);
  if (ours.nullableVersions !== undefined && !type.nullable) ctx.diffs.push(`${path}: has nullableVersions but its codec admits no null`);
  // A nullable codec admits null in every version unless the field limits it (schema.ts refuses the rest).
  const nullable = type.nullable && (ours.nullableVersions === undefined || inVersions(ours.nullableVersions, ctx.version));
  compareType({ ...type, nullable }, spec.type, inVersions(spec.nullableVersions, ctx.version), spec.fields, path, ctx);
}

/** Compares our type with a spec type (`int32`, `[]X`, `X`), recursing into arrays and structs. */
function compareType(
  our: OurType,
  specType: string,
  specNullable: boolean,
  inlineFields: readonly SpecField[] | undefined,
  path: string,
  ctx: Context,
): void {
  const isArray = specType.startsWith('[]');
  const base = isArray ? specType.slice(2) : specType;
  const specKind = isArray ? 'array' : SPEC_PRIMITIVES.has(base) ? (base === 'records' ? 'bytes' : base) : 'struct';
  if (our.kind !== specKind) {
    ctx.diffs.push(`${path}: type ${specType} in the spec, ${our.kind} in ours`);
    return;
  }
  if (our.nullable !== specNullable) {
    ctx.diffs.push(`${path}: ${specNullable ? 'nullable' : 'not nullable'} in v${ctx.version} in the spec, ${our.nullable ? 'nullable' : 'not nullable'} in ours`);
  }
  if (isArray && our.item) {
    // Array elements are never null in Kafka's specs.
    compareType(describeCodec(our.item), base, false, inlineFields, `${path}[]`, ctx);
    return;
  }
  if (our.fields) {
    const fields = inlineFields ?? ctx.structs.get(base);
    if (!fields) ctx.diffs.push(`${path}: the spec's struct type ${base} has no fields we can find`);
    else compareStruct(our.fields, fields, path, ctx);
  }
}

/**
 * Compares our default of a field with the spec's (`default`, else the type's zero: 0, false, "",
 * empty bytes and arrays, the zero UUID), where the default reaches the wire or the caller: fields
 * absent from a version and tagged fields. A struct's default is its fields' defaults, compared
 * one by one.
 */
function compareDefault(ours: AnyField, spec: SpecField, path: string, why: string, ctx: Context): void {
  const our = describeCodec(ours.codec);
  const isArray = spec.type.startsWith('[]');
  if (!isArray && !SPEC_PRIMITIVES.has(spec.type)) {
    if (!our.fields) return; // a type difference, reported where the field is present
    const nested = spec.fields ?? ctx.structs.get(spec.type) ?? [];
    for (const f of nested) {
      const inner = our.fields[ourName(f.name)];
      if (inner) compareDefault(inner, f, `${path}.${ourName(f.name)}`, why, ctx);
    }
    return;
  }
  const expected = specDefault(spec, isArray);
  const actual = ours.default !== undefined ? ours.default : ours.codec.zero;
  // Where the spec names no default, Kafka reads an absent nullable field as its type's empty value
  // ("", []); ours reads it as null, "not sent", which callers handle already (the field is nullable).
  const nullForEmpty = actual === null && spec.default === undefined && why !== 'tagged';
  if (!nullForEmpty && !sameDefault(actual, expected)) {
    ctx.diffs.push(`${path} (${why}): default ${show(expected)} in the spec, ${show(actual)} in ours`);
  }
}

/** The spec's default of a primitive or array field, as our decoded values hold it. */
function specDefault(spec: SpecField, isArray: boolean): unknown {
  const given = spec.default;
  if (given === 'null') return null;
  if (isArray) return [];
  switch (spec.type) {
    case 'int64':
      return BigInt(String(given ?? 0));
    case 'bool':
      return given === true || given === 'true';
    case 'string':
      return String(given ?? '');
    case 'uuid':
      return schema.ZERO_UUID;
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      // int8 … float64; Number() reads the specs' hexadecimal defaults ("0x7fffffff") too.
      return Number(given ?? 0);
  }
}

function sameDefault(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === 0 && b.length === 0;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  return JSON.stringify(value);
}
