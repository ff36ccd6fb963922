import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { MAX_CORRELATION_ID } from '../../src/network/correlation.js';
import { InFlightTable } from '../../src/network/in-flight.js';

interface Req {
  correlationId: number;
  deadline: number;
  name: string;
}

describe('InFlightTable', () => {
  let clock = 0;
  const now = (): number => clock;
  function advance(ms: number): void {
    clock += ms;
    mock.timers.tick(ms);
  }
  let expired: string[];
  function table(firstCorrelationId = 0): InFlightTable<Req> {
    return new InFlightTable<Req>({ onExpired: (r) => expired.push(r.name), now, firstCorrelationId });
  }
  function send(t: InFlightTable<Req>, name: string, timeoutMs: number): Req {
    const req = { correlationId: t.nextId(), deadline: clock + timeoutMs, name };
    t.add(req);
    return req;
  }
  beforeEach(() => {
    clock = 0;
    expired = [];
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  it('hands out ids in order and finds the request each response answers, in any order', () => {
    const t = table();
    const a = send(t, 'a', 1_000);
    const b = send(t, 'b', 1_000);
    const c = send(t, 'c', 1_000);
    assert.deepEqual([a, b, c].map((r) => r.correlationId), [0, 1, 2]);
    assert.equal(t.size, 3);
    assert.equal(t.take(1), b);
    assert.equal(t.take(1), undefined, 'a response matches its request once');
    assert.equal(t.get(0), a);
    assert.equal(t.take(2), c);
    assert.equal(t.take(0), a);
    assert.equal(t.size, 0);
  });

  it('an id is used only once a request takes it; a request without response uses one too', () => {
    const t = table(5);
    assert.equal(t.nextId(), 5);
    assert.equal(t.nextId(), 5, 'asking is not using (an encoding failure sends nothing)');
    t.useId(5);
    assert.equal(t.nextId(), 6);
    assert.throws(() => {
      t.add({ correlationId: 6, deadline: 10, name: 'x' });
      t.add({ correlationId: 6, deadline: 10, name: 'y' });
    }, RangeError);
  });

  it('wraps at 2^31-1 and skips ids still in flight', () => {
    const t = table(MAX_CORRELATION_ID);
    const last = send(t, 'last', 1_000);
    assert.equal(last.correlationId, MAX_CORRELATION_ID);
    t.add({ correlationId: 0, deadline: 1_000, name: 'zero' });
    t.useId(MAX_CORRELATION_ID);
    assert.equal(t.nextId(), 1, '0 is still in flight');
  });

  it('reports requests whose deadline passed one at a time, earliest sent first, removed from the table', () => {
    const t = table();
    send(t, 'slow', 500);
    send(t, 'fast', 100);
    send(t, 'late', 2_000);
    advance(99);
    assert.deepEqual(expired, []);
    advance(1);
    assert.deepEqual(expired, ['fast']);
    assert.equal(t.size, 2);
    advance(400);
    assert.deepEqual(expired, ['fast', 'slow']);
    advance(1_500);
    assert.deepEqual(expired, ['fast', 'slow', 'late']);
    assert.equal(t.size, 0);
  });

  it('a request answered in time is never reported, and an empty table holds no timer', () => {
    const t = table();
    const a = send(t, 'a', 100);
    t.take(a.correlationId);
    advance(1_000);
    assert.deepEqual(expired, []);
    send(t, 'b', 100);
    assert.equal(t.drain().length, 1);
    advance(1_000);
    assert.deepEqual(expired, [], 'drained requests are not reported');
  });

  it('drain returns every request in the order sent', () => {
    const t = table();
    for (const name of ['a', 'b', 'c']) send(t, name, 1_000);
    t.take(1);
    assert.deepEqual(t.drain().map((r) => r.name), ['a', 'c']);
    assert.equal(t.size, 0);
  });

  it('a callback that drains the table (the connection closing) ends the reports', () => {
    const t = new InFlightTable<Req>({
      onExpired: (r) => {
        expired.push(r.name);
        t.drain();
      },
      now,
    });
    send(t, 'a', 100);
    send(t, 'b', 100);
    advance(100);
    advance(100);
    assert.deepEqual(expired, ['a']);
  });
});
