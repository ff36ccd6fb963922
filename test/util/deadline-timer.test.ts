import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { DeadlineTimer, MAX_TIMER_DELAY_MS } from '../../src/util/deadline-timer.js';

describe('DeadlineTimer', () => {
  // The mocked setTimeout and a clock of our own: time moves only when the test says so.
  let clock = 0;
  const now = (): number => clock;
  function advance(ms: number): void {
    clock += ms;
    mock.timers.tick(ms);
  }
  beforeEach(() => {
    clock = 1_000;
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  it('fires once for the earliest deadline armed, and re-arming for a later one changes nothing', () => {
    let fired = 0;
    const timer = new DeadlineTimer(() => fired++, { now });
    timer.armAt(1_500);
    timer.armAt(1_200);
    timer.armAt(1_900);
    assert.equal(timer.armedAt, 1_200);
    advance(199);
    assert.equal(fired, 0);
    advance(1);
    assert.equal(fired, 1);
    assert.equal(timer.armedAt, Infinity, 'nothing is armed after it fired: the driver arms the next deadline');
    advance(1_000);
    assert.equal(fired, 1);
  });

  it('ignores deadlines that are not finite, and a disarmed timer does not fire', () => {
    let fired = 0;
    const timer = new DeadlineTimer(() => fired++, { now });
    timer.armAt(Infinity);
    timer.armAt(Number.NaN);
    assert.equal(timer.armedAt, Infinity);
    timer.armAt(1_100);
    timer.disarm();
    advance(500);
    assert.equal(fired, 0);
  });

  it('a deadline already past fires on the next turn of the timers', () => {
    let fired = 0;
    const timer = new DeadlineTimer(() => fired++, { now });
    timer.armAt(clock - 50);
    assert.equal(fired, 0, 'never synchronously: the driver is still in the middle of its work');
    advance(1);
    assert.equal(fired, 1);
  });

  it('never fires before the deadline by its clock: a timer the runtime fires early re-arms for the rest', () => {
    let fired = 0;
    const timer = new DeadlineTimer(() => fired++, { now });
    timer.armAt(1_100);
    // The runtime's timer runs 100 ms on, but this clock only moved 60 ms (clocks and timers round differently).
    clock += 60;
    mock.timers.tick(100);
    assert.equal(fired, 0);
    assert.equal(timer.armedAt, 1_100);
    advance(40);
    assert.equal(fired, 1);
  });

  it('waits out a deadline beyond the longest delay setTimeout honours', () => {
    let fired = 0;
    const timer = new DeadlineTimer(() => fired++, { now });
    timer.armAt(clock + MAX_TIMER_DELAY_MS + 10_000);
    advance(MAX_TIMER_DELAY_MS);
    assert.equal(fired, 0, 'a longer delay would have fired at once; a clamped one must not fire early');
    advance(10_000);
    assert.equal(fired, 1);
  });
});

it('an armed timer keeps the process alive unless told not to', () => {
  const kept = new DeadlineTimer(() => undefined);
  const loose = new DeadlineTimer(() => undefined, { keepAlive: false });
  kept.armAt(Date.now() + 60_000);
  loose.armAt(Date.now() + 60_000);
  const handles = (t: DeadlineTimer): NodeJS.Timeout => (t as unknown as { timer: NodeJS.Timeout }).timer;
  assert.equal(handles(kept).hasRef(), true);
  assert.equal(handles(loose).hasRef(), false);
  kept.disarm();
  loose.disarm();
});
