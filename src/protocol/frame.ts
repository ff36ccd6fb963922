/**
 * Request and response framing: the size prefix, request header v1/v2 and response header v0/v1.
 * Pure: bytes in, values out.
 */
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import type { AnyApi, ApiDefinition, ResponseOut } from './schema.js';
import { Writer } from './writer.js';

/** ApiVersions (key 18) answers with header v0 in every version so that old clients can read it. */
const API_VERSIONS_KEY = 18;

/** True when `version` of `api` uses the flexible encoding. */
export function isFlexible(api: { flexibleFrom: number }, version: number): boolean {
  return version >= api.flexibleFrom;
}

/** Encodes a whole request frame, size prefix included. */
export function encodeRequest<ReqIn>(
  api: ApiDefinition<unknown, ReqIn, unknown, never>,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: ReqIn,
): Buffer {
  if (version < api.minVersion || version > api.maxVersion) {
    throw new ProtocolError(`${api.name} v${version} is outside the versions we speak (${api.minVersion}-${api.maxVersion})`, { api: api.name });
  }
  const flexible = isFlexible(api, version);
  const w = new Writer(256);
  const sizeAt = w.reserveInt32();
  w.int16(api.apiKey).int16(version).int32(correlationId).nullableString(clientId);
  if (flexible) w.unsignedVarint(0); // header v2: no tagged fields
  api.request.write(w, body, version, flexible);
  w.patchInt32(sizeAt, w.offset - 4);
  return w.finish();
}

/** Reads the correlation id at the start of a response frame (size prefix already removed). */
export function peekCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new ProtocolError(`response frame of ${frame.length} bytes has no correlation id`);
  return frame.readInt32BE(0);
}

/** Decodes a response frame (without its size prefix) of `api` at `version`. */
export function decodeResponse<A extends AnyApi>(api: A, version: number, frame: Buffer): ResponseOut<A> {
  const r = new Reader(frame);
  r.int32(); // correlation id, matched by the connection
  const flexible = isFlexible(api, version);
  if (flexible && api.apiKey !== API_VERSIONS_KEY) r.taggedFields();
  try {
    const body = api.response.read(r, version, flexible) as ResponseOut<A>;
    if (r.remaining !== 0) {
      throw new ProtocolError(`${r.remaining} unexpected bytes after ${api.name} v${version} response`, { api: api.name });
    }
    return body;
  } catch (err) {
    if (err instanceof ProtocolError && err.context.api === undefined) {
      throw new ProtocolError(`${api.name} v${version} response: ${err.message}`, { api: api.name }, err);
    }
    throw err;
  }
}

/** Encodes a response frame, size prefix included (for fake brokers in tests). */
export function encodeResponse<ResIn>(
  api: ApiDefinition<unknown, never, unknown, ResIn> & { apiKey: number; flexibleFrom: number },
  version: number,
  correlationId: number,
  body: ResIn,
): Buffer {
  const flexible = isFlexible(api, version);
  const w = new Writer(256);
  const sizeAt = w.reserveInt32();
  w.int32(correlationId);
  if (flexible && api.apiKey !== API_VERSIONS_KEY) w.unsignedVarint(0);
  api.response.write(w, body, version, flexible);
  w.patchInt32(sizeAt, w.offset - 4);
  return w.finish();
}

/** A decoded request header, for fake brokers in tests. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Decodes the header of a request frame (without size prefix); the reader is left at the body. */
export function decodeRequestHeader(frame: Buffer, flexibleFrom: (apiKey: number) => number): { header: RequestHeader; body: Reader } {
  const r = new Reader(frame);
  const header: RequestHeader = { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.nullableString() };
  if (header.apiVersion >= flexibleFrom(header.apiKey)) r.taggedFields();
  return { header, body: r };
}
