/**
 * Test support for the protocol suites (apis, fuzz): walks an API schema to build a representative
 * value with every field populated and every array non-empty, and computes what decoding that value
 * at a given version must yield (fields absent from the version, or tagged fields outside flexible
 * versions, fall back to their defaults).
 */
import {
  bool,
  bytes,
  float64,
  int16,
  int32,
  int64,
  int8,
  nullableBytes,
  nullableString,
  parseVersions,
  string,
  uint16,
  uint32,
  uuid,
  type Codec,
  type FieldSpec,
} from '../../../src/protocol/schema.js';

type AnyCodec = Codec<unknown, unknown>;
type AnyField = FieldSpec<unknown, never, boolean>;

function structFields(codec: AnyCodec): Record<string, AnyField> | undefined {
  return 'fields' in codec ? (codec as { fields: Record<string, AnyField> }).fields : undefined;
}

function arrayItem(codec: AnyCodec): AnyCodec | undefined {
  return 'item' in codec ? (codec as { item: AnyCodec }).item : undefined;
}

/** Deterministic pseudo-random source (mulberry32) so failures reproduce. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A value for `codec` with every field set to a non-default value and each array holding
 * `arrayLength` elements (one below the top level), so tagged fields are all written.
 */
export function sampleValue(codec: AnyCodec, random: () => number, depth = 0): unknown {
  const fields = structFields(codec);
  if (fields) {
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(fields)) out[name] = sampleValue(spec.codec, random, depth + 1);
    return out;
  }
  const item = arrayItem(codec);
  if (item) {
    const n = depth <= 1 ? 2 : 1;
    return Array.from({ length: n }, () => sampleValue(item, random, depth + 1));
  }
  const k = Math.floor(random() * 1000);
  // Values are positive and small: every default in the specs is 0, -1, false, null, empty or a
  // sentinel (0x7fffffff, 2^63-1, -2^31), so these never equal a default.
  switch (codec) {
    case int8:
      return (k % 120) + 1;
    case int16:
    case uint16:
      return k + 1;
    case int32:
    case uint32:
      return k * 1000 + 1;
    case int64:
      return BigInt(k) * 1_000_000_007n + 1n;
    case float64:
      return k + 0.5;
    case bool:
      return true;
    case uuid: {
      const b = Buffer.alloc(16);
      for (let i = 0; i < 16; i++) b[i] = Math.floor(random() * 256);
      b[0] = (b[0] as number) | 1; // never the all-zero id
      return b.toString('base64url');
    }
    case string:
      return `s${k}`;
    case nullableString:
      return `n${k}é`;
    case bytes:
    case nullableBytes:
      return Buffer.from([k & 0xff, (k >> 8) & 0xff, 7]);
    default:
      throw new Error('sampleValue: unknown codec; add it here');
  }
}

function inRange(version: number, range: string): boolean {
  const [lo, hi] = parseVersions(range as Parameters<typeof parseVersions>[0]);
  return version >= lo && version <= hi;
}

/** True when `spec` is written at `version` (present, and if tagged, in a flexible tagged version). */
export function fieldOnWire(spec: AnyField, version: number, flexible: boolean): boolean {
  if (!inRange(version, spec.versions)) return false;
  if (spec.tag === undefined) return true;
  return flexible && inRange(version, spec.taggedVersions ?? spec.versions);
}

function defaultOf(spec: AnyField): unknown {
  return spec.default !== undefined ? spec.default : spec.codec.zero;
}

/** What decoding `value` (encoded with `codec` at `version`) must give back. */
export function expectedAfterRoundTrip(codec: AnyCodec, value: unknown, version: number, flexible: boolean): unknown {
  const fields = structFields(codec);
  if (fields) {
    const input = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(fields)) {
      const v = input[name];
      out[name] =
        fieldOnWire(spec, version, flexible) && v !== undefined
          ? expectedAfterRoundTrip(spec.codec, v, version, flexible)
          : defaultOf(spec);
    }
    return out;
  }
  const item = arrayItem(codec);
  if (item && Array.isArray(value)) return value.map((v) => expectedAfterRoundTrip(item, v, version, flexible));
  // Bytes decode as Buffers whatever Uint8Array came in.
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}

/** Every version of an API we speak, lowest first. */
export function versionsOf(api: { minVersion: number; maxVersion: number }): number[] {
  return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
}
