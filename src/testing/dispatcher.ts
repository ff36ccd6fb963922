/**
 * From a request frame to a response frame for one fake broker: decodes the header and body with
 * the project's own API schemas, logs it, applies injected delays and holds, runs the API's handler and encodes its
 * answer at the request's version. An API the fake does not speak, or a version outside the
 * range it advertises, closes the connection, as a broker does with a request it cannot parse.
 */
import { ApiVersions } from '../protocol/apis/api-versions.js';
import { decodeRequestHeader, encodeResponse, isFlexible } from '../protocol/frame.js';
import type { AnyApi, ApiDefinition, RequestOut, ResponseIn } from '../protocol/schema.js';
import type { Answer, AnswerRequest } from './broker-server.js';
import type { ClusterState, FakeBrokerNode } from './cluster-state.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { InjectedError, TouchedPartition } from './faults.js';

/** What a handler knows about the request it answers. */
export interface HandlerContext {
  readonly state: ClusterState;
  /** The broker the request came to. */
  readonly broker: FakeBrokerNode;
  /** The request's API version. */
  readonly version: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** The error injected into this request, if a `fail` rule takes it; consumes one use of the rule. */
  claimError(touched: readonly TouchedPartition[]): InjectedError | undefined;
}

/** One API the fake answers, with its handler. */
export interface Route {
  readonly api: AnyApi;
  handle(body: unknown, context: HandlerContext): unknown;
}

/** What a handler returns instead of a body when the broker sends no response (a Produce with acks=0). */
export const NO_RESPONSE: unique symbol = Symbol('no response');

/** A handler's answer: a response body, or {@link NO_RESPONSE}. */
export type HandlerAnswer<A extends AnyApi> = ResponseIn<A> | typeof NO_RESPONSE;

/** Pairs an API with a handler typed by its schema. */
export function route<A extends AnyApi>(api: A, handle: (body: RequestOut<A>, context: HandlerContext) => HandlerAnswer<A> | Promise<HandlerAnswer<A>>): Route {
  return { api, handle: (body, context) => handle(body as RequestOut<A>, context) };
}

/** Answers request frames for `broker` with `routes`. */
export function createDispatcher(state: ClusterState, broker: FakeBrokerNode, routes: readonly Route[]): AnswerRequest {
  const byKey = new Map(routes.map((r) => [r.api.apiKey, r]));
  return async (frame, clientHost): Promise<Answer> => {
    const { header, body } = decodeRequestHeader(frame, (key) => byKey.get(key)?.api.flexibleFrom ?? Infinity);
    const entry = byKey.get(header.apiKey);
    if (!entry) return 'close';
    const { api } = entry;
    const version = header.apiVersion;
    if (version < api.minVersion || version > api.maxVersion) {
      // ApiVersions is the one API answered at a version the client did not ask for (KIP-511):
      // v0 with UNSUPPORTED_VERSION and our ranges, so the client can ask again lower.
      if (api.apiKey !== ApiVersions.apiKey) return 'close';
      const apiKeys = routes.map((r) => ({ apiKey: r.api.apiKey, minVersion: r.api.minVersion, maxVersion: r.api.maxVersion }));
      return encodeResponse(ApiVersions, 0, header.correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys, throttleTimeMs: 0 });
    }
    const request = api.request.read(body, version, isFlexible(api, version));
    state.requests.add(api.apiKey, { api: api.name, broker: broker.nodeId, version });
    const delayMs = state.faults.claimDelay(api.apiKey);
    if (delayMs > 0) await new Promise<void>((resolve) => state.timers.start(delayMs, resolve));
    const held = state.faults.claimHold(api.apiKey);
    if (held) await held;
    const context: HandlerContext = {
      state,
      broker,
      version,
      clientId: header.clientId ?? '',
      clientHost,
      claimError: (touched) => state.faults.claimError(api.apiKey, touched),
    };
    const response = await entry.handle(request, context);
    if (response === NO_RESPONSE) return 'none';
    return encodeResponse(api as unknown as ApiDefinition<unknown, never, unknown, unknown>, version, header.correlationId, response);
  };
}
