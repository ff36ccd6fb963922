/**
 * The event emitter every consumer is: typed events (assign, revoke, lost, commit, error, stuck),
 * each mirrored on its diagnostics channel, and an `error` nobody listens to logged, never thrown.
 */
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { createStderrLogger, type Logger } from '../logger.js';
import type { ConsumerEventName, ConsumerEvents } from './types.js';

/** Diagnostics channels, one per event: `kafka-stage:consumer:<event>`. */
const CHANNELS = {
  assign: channel('kafka-stage:consumer:assign'),
  revoke: channel('kafka-stage:consumer:revoke'),
  lost: channel('kafka-stage:consumer:lost'),
  commit: channel('kafka-stage:consumer:commit'),
  error: channel('kafka-stage:consumer:error'),
  stuck: channel('kafka-stage:consumer:stuck'),
} as const;

/** The emitter every consumer is: typed events, mirrored on diagnostics channels. */
export class ConsumerEmitter extends EventEmitter<ConsumerEvents> {
  /**
   * Where an `error` event nobody listens to goes (the client's logger, set with its stage host);
   * until then the default stderr logger, so such an error is never silent.
   */
  private unheardErrors: Logger | undefined;

  /**
   * Emits `event` and publishes it on its diagnostics channel. An `error` without listeners is not
   * thrown (Node's EventEmitter would crash the process from deep inside the engine): it goes to
   * the logger at error level.
   */
  publish<K extends ConsumerEventName>(event: K, ...payload: ConsumerEvents[K]): void {
    const ch = CHANNELS[event];
    if (ch.hasSubscribers) ch.publish(payload[0]);
    if (event === 'error' && this.listenerCount('error') === 0) {
      this.unheardErrors ??= createStderrLogger();
      this.unheardErrors.error("consumer error (no 'error' listener)", { err: payload[0] as Error });
      return;
    }
    (this.emit as (e: K, ...p: ConsumerEvents[K]) => boolean)(event, ...payload);
  }

  /** @internal Sends `error` events nobody listens to to `logger` (the client's, set by its stage host). */
  logUnheardErrorsTo(logger: Logger): void {
    this.unheardErrors = logger;
  }
}
