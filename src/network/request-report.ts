/**
 * What a connection tells the world about each settled request: a {@link RequestEvent} on the
 * `kafka-stage:request` diagnostics channel and to the `onRequest` hook of its options. Built only
 * when someone listens, so an unobserved connection pays one check per request.
 */
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { AnyApi } from '../protocol/schema.js';
import type { RequestEvent } from './connection-options.js';

/** Name of the `node:diagnostics_channel` channel on which every settled request is published. */
export const REQUEST_CHANNEL = 'kafka-stage:request';
const requestChannel = channel(REQUEST_CHANNEL);

/** Reports the requests of one connection. */
export class RequestReporter {
  constructor(
    /** The broker's `host:port`. */
    private readonly broker: string,
    private readonly nodeId: number | undefined,
    private readonly hook: ((event: RequestEvent) => void) | undefined,
  ) {}

  /** A request settled: answered (`error` undefined) or failed. `startedAt` is its `performance.now()` when sent. */
  report(api: AnyApi, version: number, correlationId: number, startedAt: number, error: Error | undefined): void {
    const hook = this.hook;
    if (hook === undefined && !requestChannel.hasSubscribers) return;
    const event: RequestEvent = {
      api: api.name,
      apiKey: api.apiKey,
      version,
      broker: this.broker,
      correlationId,
      durationMs: performance.now() - startedAt,
    };
    if (this.nodeId !== undefined) event.nodeId = this.nodeId;
    if (error) event.error = error;
    if (requestChannel.hasSubscribers) requestChannel.publish(event);
    if (hook) {
      try {
        hook(event);
      } catch (err) {
        // A throwing observer is a bug in the caller; surface it as diagnostics_channel does,
        // without letting it corrupt the connection's bookkeeping.
        process.nextTick(() => {
          throw err;
        });
      }
    }
  }
}
