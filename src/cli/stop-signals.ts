/**
 * SIGINT/SIGTERM handling shared by the commands that stop gracefully (consume, produce): the first
 * signal begins the stop, a second one exits at once, since a user pressing Ctrl-C again does not
 * want to wait for the flush or the commit.
 */

/** Exit code after an interruption (128 + SIGINT), as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * Calls `onFirst` on the first SIGINT or SIGTERM; a later one exits the process with
 * {@link INTERRUPTED_EXIT_CODE}. Returns the function that removes the handlers.
 */
export function onStopSignals(onFirst: (signal: NodeJS.Signals) => void): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(INTERRUPTED_EXIT_CODE);
    onFirst(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
