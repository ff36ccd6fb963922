/** Finds timers library code leaves running, for the tests of stop(). */
import { createHook } from 'node:async_hooks';

/**
 * Timers created by library code (src/) that are still live: neither fired (timeouts) nor cleared.
 * Node runs destroy hooks from a queue after the current macrotask, so live() lets it drain first.
 */
export function trackLibraryTimers(): { live(): Promise<string[]>; disable(): void } {
  const live = new Map<number, string>();
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      const stack = new Error().stack ?? '';
      const frame = stack.split('\n').find((line) => line.includes('/src/'));
      if (frame) live.set(id, frame.trim());
    },
    destroy(id) {
      live.delete(id);
    },
  });
  hook.enable();
  return {
    live: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return [...live.values()];
    },
    disable: () => hook.disable(),
  };
}
