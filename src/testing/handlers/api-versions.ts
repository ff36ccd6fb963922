/**
 * ApiVersions: the version ranges of every API the fake answers, which are the ranges of our
 * schemas, each capped where the test lowered it to play an older broker.
 */
import { ApiVersions } from '../../protocol/apis/api-versions.js';
import { route, type Route } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import { advertisedRange } from '../versions.js';

/** The ApiVersions handler advertising `routes()` (read at each request, so it can list itself). */
export function apiVersionsRoute(routes: () => readonly Route[]): Route {
  return route(ApiVersions, (_request, context) => ({
    errorCode: ErrorCode.NONE,
    apiKeys: routes().map(({ api }) => advertisedRange(context.state, api)),
    throttleTimeMs: 0,
  }));
}
