/** Timers that fire only when the test advances the clock: the groups' `StartTimer` for tests of timeouts. */
export class ManualClock {
  now = 0;
  private timers: { at: number; fire: () => void }[] = [];

  start = (ms: number, fire: () => void): (() => void) => {
    const timer = { at: this.now + ms, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  };

  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= this.now).sort((a, b) => a.at - b.at)[0];
      if (!due) return;
      this.timers = this.timers.filter((t) => t !== due);
      due.fire();
    }
  }
}
