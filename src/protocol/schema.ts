/**
 * The declarative schema language for Kafka messages.
 *
 * Each API is described once, as in Kafka's own JSON message specs: fields with the versions they
 * exist in (`'0+'`, `'3-7'`), tagged fields with their tag, and the API's flexible versions. Encoders
 * and decoders for every version, and the TypeScript types of the values, are derived from that one
 * description. A field absent from a version decodes to its default and is not written.
 *
 * Types: `Out` is what decoding yields (every field present); `In` is what encoding accepts (fields
 * that are version-limited, tagged or have a default may be omitted).
 */
import { ProtocolError } from './errors.js';
import type { Reader } from './reader.js';
import { Writer } from './writer.js';

/** A codec of one wire type. Methods (not function properties) keep `Codec<T>` assignable to wider codecs. */
export interface Codec<Out, In = Out> {
  /** Reads a value; `flexible` selects compact encodings of flexible message versions. */
  read(r: Reader, version: number, flexible: boolean): Out;
  /** Writes a value. */
  write(w: Writer, value: In, version: number, flexible: boolean): void;
  /** The value a field of this type takes when absent from a version. */
  readonly zero: Out;
  /** The fewest bytes one value can take on the wire (bounds array counts against bytes left). */
  readonly minBytes: number;
}

/** Decoded value type of a codec. */
export type OutOf<C> = C extends Codec<infer O, unknown> ? O : never;
/** Accepted input type of a codec. */
export type InOf<C> = C extends Codec<unknown, infer I> ? I : never;

function primitive<O, I = O>(
  zero: O,
  minBytes: number,
  read: (r: Reader, flexible: boolean) => O,
  write: (w: Writer, v: I, flexible: boolean) => void,
): Codec<O, I> {
  return {
    zero,
    minBytes,
    read: (r, _v, flexible) => read(r, flexible),
    write: (w, v, _version, flexible) => write(w, v, flexible),
  };
}

/** Fixed-width and simple types. */
export const int8 = primitive(0, 1, (r) => r.int8(), (w, v) => w.int8(v));
export const int16 = primitive(0, 2, (r) => r.int16(), (w, v) => w.int16(v));
export const uint16 = primitive(0, 2, (r) => r.uint16(), (w, v) => w.uint16(v));
export const int32 = primitive(0, 4, (r) => r.int32(), (w, v) => w.int32(v));
export const uint32 = primitive(0, 4, (r) => r.uint32(), (w, v) => w.uint32(v));
export const int64 = primitive(0n, 8, (r) => r.int64(), (w, v) => w.int64(v));
export const float64 = primitive(0, 8, (r) => r.float64(), (w, v) => w.float64(v));
export const bool = primitive(false, 1, (r) => r.bool(), (w, v) => w.bool(v));
/** The all-zero UUID, Kafka's "no id". */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
export const uuid = primitive(ZERO_UUID, 16, (r) => r.uuid(), (w, v) => w.uuid(v));

/** Strings: int16 length, or compact (varint length+1) in flexible versions. */
export const string = primitive(
  '',
  1,
  (r, flexible) => (flexible ? r.compactString() : r.string()),
  (w, v, flexible) => (flexible ? w.compactString(v) : w.string(v)),
);
export const nullableString = primitive<string | null>(
  null,
  1,
  (r, flexible) => (flexible ? r.compactNullableString() : r.nullableString()),
  (w, v, flexible) => (flexible ? w.compactNullableString(v) : w.nullableString(v)),
);

const EMPTY = Buffer.alloc(0);
/** Bytes: int32 length, or compact in flexible versions. Decoded values are views, not copies. */
export const bytes = primitive<Buffer, Uint8Array>(
  EMPTY,
  1,
  (r, flexible) => (flexible ? r.compactBytes() : r.bytes()),
  (w, v, flexible) => (flexible ? w.compactBytes(v) : w.bytes(v)),
);
export const nullableBytes = primitive<Buffer | null, Uint8Array | null>(
  null,
  1,
  (r, flexible) => (flexible ? r.compactNullableBytes() : r.nullableBytes()),
  (w, v, flexible) => (flexible ? w.compactNullableBytes(v) : w.nullableBytes(v)),
);
/** A `records` field: raw record-batch bytes, decoded by the record-batch codec, never here. */
export const records = nullableBytes;

/** An array codec; `item` is exposed so that tools and tests can walk a schema. */
export interface ArrayCodec<O, I> extends Codec<O[], I[]> {
  /** Codec of each element. */
  readonly item: Codec<O, I>;
}

/** A nullable array codec; `item` is exposed so that tools and tests can walk a schema. */
export interface NullableArrayCodec<O, I> extends Codec<O[] | null, I[] | null> {
  /** Codec of each element. */
  readonly item: Codec<O, I>;
}

/** An array of `item`, compact in flexible versions. */
export function array<O, I>(item: Codec<O, I>): ArrayCodec<O, I> {
  return {
    item,
    zero: [],
    minBytes: 1,
    read(r, version, flexible) {
      const n = r.arrayLength(flexible, item.minBytes);
      if (n < 0) throw new ProtocolError('null where an array is required');
      const out = new Array<O>(n);
      for (let i = 0; i < n; i++) out[i] = item.read(r, version, flexible);
      return out;
    },
    write(w, value, version, flexible) {
      w.arrayLength(value.length, flexible);
      for (const v of value) item.write(w, v, version, flexible);
    },
  };
}

/** A nullable array of `item`. */
export function nullableArray<O, I>(item: Codec<O, I>): NullableArrayCodec<O, I> {
  const inner = array(item);
  return {
    item,
    zero: null,
    minBytes: 1,
    read(r, version, flexible) {
      const n = r.arrayLength(flexible, item.minBytes);
      if (n < 0) return null;
      const out = new Array<O>(n);
      for (let i = 0; i < n; i++) out[i] = item.read(r, version, flexible);
      return out;
    },
    write(w, value, version, flexible) {
      if (value === null) w.arrayLength(null, flexible);
      else inner.write(w, value, version, flexible);
    },
  };
}

/** Version range as Kafka's specs write it: `'0+'`, `'3+'`, `'0-2'`, `'none'`. */
export type VersionRange = `${number}+` | `${number}-${number}` | 'none';

/** One field of a struct. `Optional` is true when encoders may omit it. */
export interface FieldSpec<O, I, Optional extends boolean> {
  readonly codec: Codec<O, I>;
  readonly versions: VersionRange;
  /** Tag number of a tagged field (flexible versions only). */
  readonly tag?: number;
  /** Versions in which the field is tagged, when different from `versions`. */
  readonly taggedVersions?: VersionRange;
  /** Value when absent from a version or omitted by the caller; defaults to the codec's zero. */
  readonly default?: O;
  /**
   * Versions in which a nullable codec's field may be null, when fewer than the field's own (the
   * spec's `nullableVersions`); a null outside them is refused, read or written, as Kafka refuses it.
   */
  readonly nullableVersions?: VersionRange;
  /** Type-level marker; never set at run time. */
  readonly optional?: Optional;
}

/** A field of any type, as a struct's field list holds it. */
export type AnyField = FieldSpec<unknown, never, boolean>;

/** Options of {@link field}: a tag (with the versions that carry it), a default value, the versions that admit null. */
export interface FieldOptions<O> {
  tag?: number;
  taggedVersions?: VersionRange;
  default?: O;
  nullableVersions?: VersionRange;
}

/**
 * Declares a field present in `versions`. Fields present in every version (`'0+'`) without a tag
 * or default are required when encoding; all others may be omitted.
 */
export function field<O, I, V extends VersionRange, Opt extends FieldOptions<O> = Record<never, never>>(
  codec: Codec<O, I>,
  versions: V,
  options?: Opt,
): FieldSpec<O, I, V extends '0+' ? (Opt extends { tag: number } | { default: unknown } ? true : false) : true> {
  return { codec, versions, ...options };
}

/** The fields of a struct, by name. */
export type Fields = Record<string, AnyField>;
/** Flattens an intersection into one object type, so editors show the fields themselves. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** Decoded value of a struct: every field present. */
export type StructOut<F extends Fields> = Simplify<{ -readonly [K in keyof F]: F[K] extends FieldSpec<infer O, never, boolean> ? O : never }>;
/** The names of the fields a caller must give when encoding (present in every version, no tag, no default). */
export type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends FieldSpec<unknown, never, false> ? K : never }[keyof F];
/** The names of the fields a caller may leave out when encoding. */
export type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
/** The type a field accepts when encoding. */
export type InOfField<S> = S extends FieldSpec<unknown, infer I, boolean> ? I : never;
/** Accepted input of a struct: required fields plus optional ones. */
export type StructIn<F extends Fields> = Simplify<
  { [K in RequiredKeys<F>]: InOfField<F[K]> } & { [K in OptionalKeys<F>]?: InOfField<F[K]> }
>;

/** Parses a version range into inclusive bounds. */
export function parseVersions(range: VersionRange): [number, number] {
  if (range === 'none') return [1, 0];
  if (range.endsWith('+')) return [Number(range.slice(0, -1)), Number.MAX_SAFE_INTEGER];
  const [lo, hi] = range.split('-');
  return [Number(lo), Number(hi)];
}

interface CompiledField {
  name: string;
  codec: Codec<unknown, unknown>;
  zero: unknown;
  /** True when the field's codec admits null but this version does not (outside `nullableVersions`). */
  nullRefused: boolean;
}

interface CompiledVersion {
  /** Fields written in place, in order. */
  plain: CompiledField[];
  /** Tagged fields by tag, sorted by tag (flexible versions only). */
  tagged: (CompiledField & { tag: number })[];
  /** Fields absent from this version: set to their default on decode. */
  absent: CompiledField[];
}

/** A struct of named fields; the codec of every message body and nested structure. */
export function struct<F extends Fields>(fields: F): Codec<StructOut<F>, StructIn<F>> & { readonly fields: F } {
  const compiled = new Map<string, CompiledVersion>();
  const entries = Object.entries(fields);

  function compile(version: number, flexible: boolean): CompiledVersion {
    const key = flexible ? `${version}f` : `${version}`;
    const hit = compiled.get(key);
    if (hit) return hit;
    const out: CompiledVersion = { plain: [], tagged: [], absent: [] };
    for (const [name, spec] of entries) {
      const zero = spec.default !== undefined ? spec.default : spec.codec.zero;
      const present = inRange(spec.versions, version);
      const nullRefused = spec.nullableVersions !== undefined && !inRange(spec.nullableVersions, version);
      const f: CompiledField = { name, codec: spec.codec as Codec<unknown, unknown>, zero, nullRefused };
      if (!present) {
        out.absent.push(f);
        continue;
      }
      if (spec.tag !== undefined) {
        if (flexible && inRange(spec.taggedVersions ?? spec.versions, version)) {
          out.tagged.push({ ...f, tag: spec.tag });
          continue;
        }
        // A tagged field outside its tagged versions or in a non-flexible version is not sent.
        out.absent.push(f);
        continue;
      }
      out.plain.push(f);
    }
    out.tagged.sort((a, b) => a.tag - b.tag);
    compiled.set(key, out);
    return out;
  }

  let minBytes = 0;
  for (const [, spec] of entries) {
    if (spec.tag === undefined && spec.versions === '0+') minBytes += spec.codec.minBytes;
  }

  const zero = {} as Record<string, unknown>;
  for (const [name, spec] of entries) zero[name] = spec.default !== undefined ? spec.default : spec.codec.zero;

  return {
    fields,
    zero: zero as StructOut<F>,
    minBytes: Math.max(1, minBytes),
    read(r, version, flexible) {
      const c = compile(version, flexible);
      const value: Record<string, unknown> = {};
      for (const f of c.plain) value[f.name] = checkNull(f, f.codec.read(r, version, flexible), version);
      for (const f of c.absent) value[f.name] = freshZero(f.zero);
      if (flexible) {
        for (const f of c.tagged) value[f.name] = freshZero(f.zero);
        r.taggedFields((tag, sub) => {
          const f = c.tagged.find((t) => t.tag === tag);
          if (f) value[f.name] = checkNull(f, f.codec.read(sub, version, flexible), version);
        });
      }
      return value as StructOut<F>;
    },
    write(w, input, version, flexible) {
      const c = compile(version, flexible);
      const value = input as Record<string, unknown>;
      for (const f of c.plain) {
        const v = value[f.name];
        f.codec.write(w, checkNull(f, v === undefined ? f.zero : v, version), version, flexible);
      }
      if (!flexible) return;
      // Tagged fields equal to their default are not sent, as the Java client does.
      const present = c.tagged.filter((f) => {
        const v = value[f.name];
        return v !== undefined && !isDefault(v, f.zero);
      });
      w.unsignedVarint(present.length);
      for (const f of present) {
        w.unsignedVarint(f.tag);
        // Tagged values are length-prefixed; encode to a scratch writer to learn the size.
        const scratch = new Writer(64);
        f.codec.write(scratch, checkNull(f, value[f.name], version), version, flexible);
        const bytesOut = scratch.finish();
        w.unsignedVarint(bytesOut.length);
        w.raw(bytesOut);
      }
    },
  };
}

/**
 * A struct that may be null: an int8 marker (-1 null, 1 present) before the struct, as Kafka's
 * generated code writes a nullable struct field (e.g. ConsumerGroupHeartbeat's Assignment).
 */
export function nullableStruct<F extends Fields>(inner: Codec<StructOut<F>, StructIn<F>> & { readonly fields: F }): Codec<StructOut<F> | null, StructIn<F> | null> & { readonly fields: F } {
  return {
    fields: inner.fields,
    zero: null,
    minBytes: 1,
    read(r, version, flexible) {
      const marker = r.int8();
      if (marker < 0) return null;
      return inner.read(r, version, flexible);
    },
    write(w, value, version, flexible) {
      if (value === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
      inner.write(w, value, version, flexible);
    },
  };
}

/** True when `version` lies in `range`. */
function inRange(range: VersionRange, version: number): boolean {
  const [lo, hi] = parseVersions(range);
  return version >= lo && version <= hi;
}

/** `value`, unless it is a null the field refuses in this version (read or written). */
function checkNull(f: CompiledField, value: unknown, version: number): unknown {
  if (value === null && f.nullRefused) throw new ProtocolError(`${f.name} is null in version ${version}, which does not allow null there`);
  return value;
}

/**
 * True when a tagged value equals its default, so it is not sent. Struct-typed tagged fields are
 * compared field by field (the Java client compares them with `equals`), arrays by emptiness.
 */
export function isDefault(v: unknown, zero: unknown): boolean {
  if (v === zero) return true;
  if (Array.isArray(v) && Array.isArray(zero)) return v.length === 0 && zero.length === 0;
  if (Buffer.isBuffer(v) && Buffer.isBuffer(zero)) return v.equals(zero);
  if (isPlainObject(v) && isPlainObject(zero)) {
    // A key left out of the value takes its default when written, so it counts as default here.
    for (const key of Object.keys(zero)) if (v[key] !== undefined && !isDefault(v[key], zero[key])) return false;
    return true;
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/**
 * A copy of a default value for a decoded message. Decoded values are the caller's to mutate, so
 * the shared zero arrays and structs of a schema must never be handed out (a `push` into one would
 * change the default of every later decode). Immutable zeros (numbers, strings, empty buffers) are shared.
 */
function freshZero(zero: unknown): unknown {
  if (Array.isArray(zero)) return zero.map(freshZero);
  if (isPlainObject(zero)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(zero)) copy[key] = freshZero(zero[key]);
    return copy;
  }
  return zero;
}

/** Description of one Kafka API: its key, the versions we speak, and request/response codecs. */
export interface ApiDefinition<ReqOut, ReqIn, ResOut, ResIn> {
  readonly apiKey: number;
  readonly name: string;
  /** Lowest version we speak. */
  readonly minVersion: number;
  /** Highest version we speak. */
  readonly maxVersion: number;
  /** First flexible version (compact encodings, tagged fields); Infinity when none. */
  readonly flexibleFrom: number;
  readonly request: Codec<ReqOut, ReqIn>;
  readonly response: Codec<ResOut, ResIn>;
}

/** Any API definition, for registries and generic plumbing. */
export type AnyApi = ApiDefinition<unknown, never, unknown, never>;
/** Input accepted when encoding a request of `A`. */
export type RequestIn<A> = A extends ApiDefinition<unknown, infer I, unknown, never> ? I : never;
/** Decoded request of `A`. */
export type RequestOut<A> = A extends ApiDefinition<infer O, never, unknown, never> ? O : never;
/** Decoded response of `A`. */
export type ResponseOut<A> = A extends ApiDefinition<unknown, never, infer O, never> ? O : never;
/** Input accepted when encoding a response of `A` (tests and fake brokers). */
export type ResponseIn<A> = A extends ApiDefinition<unknown, never, unknown, infer I> ? I : never;

/** Declares an API. `flexibleVersions` is as in Kafka's specs (`'9+'` or `'none'`). */
export function defineApi<RF extends Fields, SF extends Fields>(spec: {
  apiKey: number;
  name: string;
  versions: `${number}-${number}`;
  flexibleVersions: VersionRange;
  request: RF;
  response: SF;
}): ApiDefinition<StructOut<RF>, StructIn<RF>, StructOut<SF>, StructIn<SF>> {
  const [minVersion, maxVersion] = parseVersions(spec.versions);
  const [flexibleFrom] = spec.flexibleVersions === 'none' ? [Infinity] : parseVersions(spec.flexibleVersions);
  return {
    apiKey: spec.apiKey,
    name: spec.name,
    minVersion,
    maxVersion,
    flexibleFrom,
    request: struct(spec.request),
    response: struct(spec.response),
  };
}
