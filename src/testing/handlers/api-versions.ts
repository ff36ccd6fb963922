/** ApiVersions: the version ranges of every API the fake answers, which are the ranges of our schemas. */
import { ApiVersions } from '../../protocol/apis/api-versions.js';
import { route, type Route } from '../dispatcher.js';
import { ErrorCode } from '../../protocol/error-codes.js';

/** The ApiVersions handler advertising `routes()` (read at each request, so it can list itself). */
export function apiVersionsRoute(routes: () => readonly Route[]): Route {
  return route(ApiVersions, () => ({
    errorCode: ErrorCode.NONE,
    apiKeys: routes().map(({ api }) => ({ apiKey: api.apiKey, minVersion: api.minVersion, maxVersion: api.maxVersion })),
    throttleTimeMs: 0,
  }));
}
