/**
 * Every Kafka API we speak and a registry of them by key. Adding an API is one `export *` line in
 * ./definitions.ts (plus its definition file): the registry collects every API definition exported there.
 */
import type { AnyApi } from '../schema.js';
import * as definitions from './definitions.js';

export * from './definitions.js';

function isApiDefinition(value: unknown): value is AnyApi {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof AnyApi, unknown>>;
  return typeof v.apiKey === 'number' && typeof v.name === 'string' && typeof v.request === 'object' && typeof v.response === 'object';
}

/** Every API definition we speak, in API-key order. */
export const ALL_APIS: readonly AnyApi[] = Object.freeze(
  Object.values(definitions as Record<string, unknown>)
    .filter(isApiDefinition)
    .sort((a, b) => a.apiKey - b.apiKey),
);

const BY_KEY: ReadonlyMap<number, AnyApi> = new Map(ALL_APIS.map((api) => [api.apiKey, api]));

/** The definition of API `key`, or undefined when we do not speak it. */
export function apiByKey(key: number): AnyApi | undefined {
  return BY_KEY.get(key);
}
