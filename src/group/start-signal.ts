/**
 * The promise a membership's start() returns: settled once, by the first assignment handed to the
 * listener, or by the first fatal error or a stop before that. Later outcomes are not its business
 * (they are `error` events). Shared by the classic and the KIP-848 drivers.
 */
export class StartSignal {
  /** What start() returns. */
  readonly promise: Promise<void>;
  private settle: ((error: Error | null) => void) | null;

  constructor() {
    let settle!: (error: Error | null) => void;
    this.promise = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    this.settle = settle;
  }

  /** True once resolved or rejected. */
  get settled(): boolean {
    return this.settle === null;
  }

  /** Resolves (`error` null) or rejects the promise, unless it was settled already. */
  done(error: Error | null): void {
    const settle = this.settle;
    this.settle = null;
    settle?.(error);
  }
}
