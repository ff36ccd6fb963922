/**
 * From a request frame to a response frame for one fake broker: decodes the header and body with
 * the project's own API schemas, logs the request, applies injected delays and holds, runs the API's handler,
 * loses the answer when a `loseAnswer` rule says so, and encodes it at the request's version. An API the fake does not speak, or a version outside the
 * range it advertises, closes the connection, as a broker does with a request it cannot parse.
 */
import { ApiVersions } from '../protocol/apis/api-versions.js';
import { decodeRequestHeader, encodeResponse, isFlexible } from '../protocol/frame.js';
import type { AnyApi, ApiDefinition, RequestOut, ResponseIn } from '../protocol/schema.js';
import type { Answer, AnswerRequest, ClientConnection } from './broker-server.js';
import type { ClusterState, FakeBrokerNode } from './cluster-state.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { InjectedError } from './faults.js';
import type { RequestEntry, TouchedPartition } from './request-log.js';
import { advertisedRange } from './versions.js';

/** What a handler knows about the request it answers. */
export interface HandlerContext {
  readonly state: ClusterState;
  /** The broker the request came to. */
  readonly broker: FakeBrokerNode;
  /** The request's API version. */
  readonly version: number;
  readonly clientId: string;
  readonly clientHost: string;
  /** The request's entry in the request log: a handler records the batches of a Produce there. */
  readonly request: RequestEntry;
  /**
   * The error injected into this request, if a `fail` rule takes it; consumes one use of the rule.
   * `touched` (the topic-partitions the request names) goes into the request log.
   */
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
  return async (frame, connection): Promise<Answer> => {
    const { header, body } = decodeRequestHeader(frame, (key) => byKey.get(key)?.api.flexibleFrom ?? Infinity);
    const entry = byKey.get(header.apiKey);
    if (!entry) return 'close';
    const { api } = entry;
    const version = header.apiVersion;
    const range = advertisedRange(state, api);
    if (version < range.minVersion || version > range.maxVersion) {
      // ApiVersions is the one API answered at a version the client did not ask for (KIP-511):
      // v0 with UNSUPPORTED_VERSION and our ranges, so the client can ask again lower.
      if (api.apiKey !== ApiVersions.apiKey) return 'close';
      const apiKeys = routes.map((r) => advertisedRange(state, r.api));
      return encodeResponse(ApiVersions, 0, header.correlationId, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys, throttleTimeMs: 0 });
    }
    const request = api.request.read(body, version, isFlexible(api, version));
    const logged = state.requests.open({ api: api.name, apiKey: api.apiKey, version, broker: broker.nodeId, connection: connection.id, body: request });
    const delayMs = state.faults.claimDelay(logged);
    if (delayMs > 0) await new Promise<void>((resolve) => state.timers.start(delayMs, resolve));
    const held = state.faults.claimHold(api.apiKey);
    if (held) await held;
    const context: HandlerContext = {
      state,
      broker,
      version,
      clientId: header.clientId ?? '',
      clientHost: connection.clientHost,
      request: logged,
      claimError: (touched) => {
        logged.partitions = [...touched];
        const injected = state.faults.claimError(logged, touched);
        logged.injectedError = injected?.code ?? null;
        return injected;
      },
    };
    let response: unknown;
    try {
      response = await entry.handle(request, context);
    } catch (error) {
      logged.answer = 'closed'; // the broker server closes the connection of a request that fails
      throw error;
    }
    logged.inFlight = inFlight(connection, api.apiKey);
    const lost = state.faults.claimLoss(logged);
    if (lost === 'close') {
      logged.answer = 'closed';
      return 'close';
    }
    if (response === NO_RESPONSE || lost === 'ignore') {
      logged.answer = 'none';
      return 'none';
    }
    logged.answer = 'sent';
    return encodeResponse(api as unknown as ApiDefinition<unknown, never, unknown, unknown>, version, header.correlationId, response);
  };
}

/** Requests of `apiKey` waiting on `connection` (the one being answered included); a request frame starts with its int16 API key. */
function inFlight(connection: ClientConnection, apiKey: number): number {
  return connection.waiting.filter((frame) => frame.readInt16BE(0) === apiKey).length;
}
